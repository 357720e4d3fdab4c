/**
 * Contract test: requests built by `Operation.toRequest` from valid inputs are valid
 * against the official GHL specs, for hand-written samples and for all 576 generated operations
 * with inputs generated from their own Schemas (shared/specs/ghl/apps/<resource>.json, which `$ref`
 * ../common/common-schemas.json), checked by openapi-backend's request validator (Ajv).
 * The specs must be present: no spec, no pass.
 */
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { specQuery } from "@crmkit/codegen/contract"
import { Operation } from "@crmkit/core"
import { Arbitrary, Effect } from "effect"
import { OpenAPIBackend } from "openapi-backend"
import { beforeAll, describe, expect, it } from "vitest"
import { operations } from "../src/generated/operations.ts"

const specsDir = fileURLToPath(new URL("../../../../shared/specs/ghl/apps/", import.meta.url))
if (!existsSync(specsDir) || !existsSync(`${specsDir}../common/common-schemas.json`)) {
  throw new Error(
    `The GHL specs are missing at ${specsDir}: the contract test needs ../shared/specs next to the repository.`,
  )
}

const locationId = "ve9EPM428h8vShlRW1KT"

/** One valid input per sampled operation (mostly what the hand-written services send). */
const samples: Record<string, unknown> = {
  "get-contact": { contactId: "c1" },
  "create-contact": { body: { locationId, firstName: "Ann", email: "ann@example.com", tags: ["vip"] } },
  "update-contact": { contactId: "c1", body: { lastName: "Lee" } },
  "delete-contact": { contactId: "c1" },
  "upsert-contact": { body: { locationId, email: "ann@example.com" } },
  "get-duplicate-contact": { locationId, email: "ann@example.com" },
  "get-all-tasks": { contactId: "c1" },
  "create-task": { contactId: "c1", body: { title: "Call", dueDate: "2026-12-01T10:00:00Z", completed: false } },
  "update-task-completed": { contactId: "c1", taskId: "t1", body: { completed: true } },
  "delete-task": { contactId: "c1", taskId: "t1" },
  "get-all-notes": { contactId: "c1" },
  "create-note": { contactId: "c1", body: { body: "Called" } },
  "delete-note": { contactId: "c1", id: "n1" },
  "add-tags": { contactId: "c1", body: { tags: ["vip"] } },
  "remove-tags": { contactId: "c1", body: { tags: ["vip"] } },
  "add-followers-contact": { contactId: "c1", body: { followers: ["u1"] } },
  "remove-contact-from-campaign": { contactId: "c1", campaignId: "k1" },
  "delete-contact-from-workflow": { contactId: "c1", workflowId: "w1", body: {} },
  "get-appointments-for-contact": { contactId: "c1" },
  "get-opportunity": { id: "o1" },
  "get-pipelines": { locationId },
  "get-calendars": { locationId },
  "get-slots": { calendarId: "cal1", startDate: 1_767_225_600_000, endDate: 1_767_312_000_000 },
  "get-conversation": { conversationId: "conv1" },
  "get-user-by-location": { locationId },
}

const apis = new Map<string, OpenAPIBackend>()

const all = Object.values(operations as unknown as Record<string, Operation.Operation>)

beforeAll(async () => {
  const resources = new Set(all.map((operation) => operation.resource))
  for (const resource of resources) {
    // `quick`: skip openapi-backend's check of the whole document; routing and request validation still run.
    const api = new OpenAPIBackend({ definition: `${specsDir}${resource}.json`, validate: true, quick: true })
    await api.init()
    apis.set(resource, api)
  }
})

const specRequest = (operationId: string, input: unknown) => {
  const operation = operations[operationId as keyof typeof operations] as unknown as Operation.Operation
  const valid = Effect.runSync(Operation.validate("ghl", operation, input)) as Record<string, unknown>
  return toSpecRequest(operation, valid)
}

const toSpecRequest = (operation: Operation.Operation, valid: Record<string, unknown>) => {
  const request = Operation.toRequest(operation, valid)
  const query = specQuery(request.query)
  return {
    operation,
    request: {
      method: request.method,
      path: request.path,
      query,
      headers: {
        "content-type": operation.bodyContentType ?? "application/json",
        authorization: "Bearer test-token",
        ...request.headers,
      },
      ...(request.body === undefined
        ? request.form === undefined
          ? {}
          : { body: request.form }
        : { body: request.body }),
    },
  }
}

describe("requests match the official GHL specs", () => {
  it.each(Object.keys(samples))("%s", (operationId) => {
    const { operation, request } = specRequest(operationId, samples[operationId])
    const api = apis.get(operation.resource) as OpenAPIBackend
    // openapi-backend's router strips a request's trailing slash, so it cannot route the spec's
    // `/contacts/`-style paths; those are validated by operation id alone.
    if (!operation.path.endsWith("/")) {
      const matched = api.router.matchOperation(request)
      expect(matched?.operationId, `${request.method} ${request.path}`).toBe(operationId)
    }
    const result = api.validateRequest(request, operationId)
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([])
    expect(result.valid).toBe(true)
  })

  it("sends the Version header the spec requires", () => {
    const { operation, request } = specRequest("get-contact", samples["get-contact"])
    const api = apis.get(operation.resource) as OpenAPIBackend
    const { Version: _version, ...withoutVersion } = request.headers
    expect(api.validateRequest({ ...request, headers: withoutVersion }, "get-contact").valid).toBe(false)
  })

  it("the validator rejects requests that break the spec", () => {
    const { operation, request } = specRequest("create-task", samples["create-task"])
    const api = apis.get(operation.resource) as OpenAPIBackend
    expect(api.validateRequest({ ...request, body: { title: "Call" } }, "create-task").valid).toBe(false)
  })
})

/** The spec's own operationId: codegen prefixes the resource to ids that clash across specs. */
const specOperationId = (operation: Operation.Operation) =>
  operation.id.startsWith(`${operation.resource}.`) ? operation.id.slice(operation.resource.length + 1) : operation.id

/**
 * Operations whose requests the official spec cannot validate, each for a reason in the spec
 * itself (our patches/<resource>.json fix the Schemas we generate; the official files stay as
 * they are). Each must keep failing: if GHL fixes one, or another one starts failing, this test says so.
 */
const expectedFailures: Record<string, string> = {
  // Ajv refuses to compile the operation's schema.
  "create-shipping-zone": "store: a state-code enum lists the same code twice (items 369 and 769)",
  "update-shipping-zone": "store: a state-code enum lists the same code twice (items 369 and 769)",
  "get-available-shipping-zones": "store: a state-code enum lists the same code twice (items 369 and 769)",
  "create-store-setting": "store: a state-code enum lists the same code twice (items 369 and 769)",
  "user-subscription-change": "saas-api: `subscription_action.examples` is not an array",
  "search-conversation": "conversations: `startAfterDate` has an invalid `type`",
  "voice-ai.create-action": "voice-ai: `actionParameters.examples` is not an array",
  "voice-ai.update-action": "voice-ai: `actionParameters.examples` is not an array",
  // links.json `$ref`s a missing #/components/schemas/BadRequestDTO (in a 400 response): openapi-backend
  // cannot dereference the document and knows none of its operations.
  "create-link": "links: the document does not load (dangling $ref)",
  "delete-link": "links: the document does not load (dangling $ref)",
  "get-link-by-id": "links: the document does not load (dangling $ref)",
  "get-links": "links: the document does not load (dangling $ref)",
  "search-trigger-links": "links: the document does not load (dangling $ref)",
  "update-link": "links: the document does not load (dangling $ref)",
  // Path parameters the spec does not declare (or declares under another name or `in`).
  "bulk-delete-social-planner-posts": "social-media-posting: path parameter `locationId` is not declared",
  "delete-appointment-note": "calendars: path parameter `noteId` is not declared",
  "update-appointment-note": "calendars: path parameter `noteId` is not declared",
  "delete-user": "users: path parameter `userId` is not declared",
  "update-user": "users: path parameter `userId` is not declared",
  "get-email-by-id": "emails: path parameter `id` is not declared",
  "get-message": "conversations: path parameter `id` is not declared",
  "get-timezones": "locations: path parameter `locationId` is not declared",
  "update-blog-post": "blogs: path parameter `postId` is not declared",
  "contacts.create-association": "contacts: path parameter `type` is not declared",
  // Body fields typed as a bare, property-less `object` although the API takes a string, enum or other
  // value: codegen leaves such values unchecked (see tooling/codegen/src/convert.ts), so generated
  // inputs hold non-objects that the spec refuses.
  "attach-facebook-page-group": "social-media-posting: `type` is typed `object` (a string enum)",
  "create-post": "social-media-posting: `type` is typed `object` (a string enum)",
  "edit-post": "social-media-posting: `type` is typed `object` (a string enum)",
  "bulk-update-product-review": "products: `status` is typed `object` (a string enum)",
  createAgent: "agent-studio: `version` is typed `object`",
  updateAgentVersion: "agent-studio: `globalConfig` is typed `object`",
  "set-google-locations": "locations: `location` is typed `object`",
  "update-association": "associations: `firstObjectLabel` is typed `object` (a string)",
  "associations.create-association": "associations: `firstObjectLabel` is typed `object` (a string)",
  "update-template": "emails: `dnd.attrs` is typed `object`",
  "li-create-lead-form": "social-media-posting: `localized` is typed `object`",
  // Required fields that are not required (patches/objects.json, patches/conversations.json).
  "search-object-records": "objects: `page`, `query` and `searchAfter` required although `searchAfter` replaces `page`",
  "send-a-new-message": "conversations: `subType` and `status` required (and `subType` typed `object`)",
  // multipart/form-data: the file is binary, not the string the spec's `format: binary` is checked as.
  "upload-csv": "multipart `file` (binary) is checked as a string",
  "upload-media-content": "multipart `file` (binary) is checked as a string",
}

/**
 * Every generated operation, with inputs generated from its own input Schema (3 per operation):
 * what our Schemas accept, the official spec must accept too. Path parameters that are empty or
 * not well-formed UTF-16 are replaced with "1" (the generated Schemas refuse "" since codegen's
 * non-empty path parameters; `encodeURIComponent` throws on lone surrogates).
 */
describe("every generated operation, with generated inputs", () => {
  const adjust = (operation: Operation.Operation, input: Record<string, unknown>) => {
    const out: Record<string, unknown> = { ...input }
    for (const parameter of operation.parameters) {
      const value = out[parameter.name]
      if (parameter.in === "path" && (typeof value !== "string" || value === "" || !value.isWellFormed())) {
        out[parameter.name] = "1"
      }
    }
    return out
  }

  it("covers all 576", () => {
    expect(all).toHaveLength(576)
    for (const id of Object.keys(expectedFailures)) expect(all.map((op) => op.id)).toContain(id)
  })

  it.each(all.map((op) => op.id))("%s", async (operationId) => {
    const operation = all.find((op) => op.id === operationId)!
    const api = apis.get(operation.resource) as OpenAPIBackend
    const inputs = await Effect.runPromise(
      Arbitrary.sampleEffect(Arbitrary.schema(operation.input), { count: 3, seed: 7, size: 3 }),
    )
    expect(inputs.length).toBe(3)
    const failures: Array<string> = []
    for (const input of inputs) {
      const valid = Effect.runSync(
        Operation.validate("ghl", operation, adjust(operation, input as Record<string, unknown>)),
      )
      const { request } = toSpecRequest(operation, valid as Record<string, unknown>)
      try {
        const result = api.validateRequest(request, specOperationId(operation))
        if (!result.valid) failures.push(`${JSON.stringify(input)}: ${JSON.stringify(result.errors)}`)
      } catch (error) {
        failures.push(`${JSON.stringify(input)}: ${String(error).slice(0, 300)}`)
      }
    }
    if (operationId in expectedFailures) {
      expect(failures.length, `expected to fail: ${expectedFailures[operationId]}`).toBeGreaterThan(0)
    } else {
      expect(failures, failures.join("\n")).toEqual([])
    }
  })
})

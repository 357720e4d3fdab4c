/**
 * Contract test: requests built by `Operation.toRequest` from valid inputs are valid
 * against the official GHL specs (shared/specs/ghl/apps/<resource>.json, which `$ref`
 * ../common/common-schemas.json), checked by openapi-backend's request validator (Ajv).
 * The specs must be present: no spec, no pass.
 */
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Operation } from "@crmkit/core"
import { Effect } from "effect"
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

beforeAll(async () => {
  const resources = new Set(
    Object.keys(samples).map((id) => (operations[id as keyof typeof operations] as Operation.Operation).resource),
  )
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
  const request = Operation.toRequest(operation, valid)
  const query: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value === undefined || value === null) continue
    query[name] = Array.isArray(value) ? value.map(String) : String(value)
  }
  return {
    operation,
    request: {
      method: request.method,
      path: request.path,
      query,
      headers: { "content-type": "application/json", authorization: "Bearer test-token", ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
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

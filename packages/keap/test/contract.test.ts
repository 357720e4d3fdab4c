/**
 * Contract test: requests built by `Operation.toRequest` from valid inputs are valid
 * against the official Keap v2 OpenAPI 3.1 spec (shared/specs/keap/v2.swagger.yml), checked
 * by openapi-backend's request validator (Ajv). The spec must be present: no spec, no pass.
 */
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { specQuery } from "@crmkit/codegen/contract"
import { Operation } from "@crmkit/core"
import { Arbitrary, Effect } from "effect"
import { OpenAPIBackend } from "openapi-backend"
import { beforeAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { operations } from "../src/generated/operations.ts"

const specPath = fileURLToPath(new URL("../../../../shared/specs/keap/v2.swagger.yml", import.meta.url))
if (!existsSync(specPath)) {
  throw new Error(
    `The Keap v2 spec is missing at ${specPath}: the contract test needs ../shared/specs next to the repository.`,
  )
}

const email = (address: string) => ({ email: address, field: "EMAIL1" })

/** One valid input per sampled operation (the inputs the hand-written services send). */
const samples: Record<string, unknown> = {
  listContacts: {
    filter: "given_name==An*;email==ann@example.com",
    order_by: "id desc",
    page_size: 50,
    page_token: "abc",
    fields: ["custom_fields", "tag_ids"],
  },
  getContact: { contact_id: "42", fields: ["custom_fields"] },
  createContact: {
    duplicate_option: "Email",
    body: { given_name: "Ann", email_addresses: [email("ann@example.com")] },
  },
  updateContact: {
    contact_id: "42",
    update_mask: ["job_title", "custom_fields"],
    body: { job_title: "CTO", custom_fields: [{ id: "7", content: "green" }] },
  },
  deleteContact: { contact_id: "42" },
  mergeContacts: { body: { contact_id: "1", duplicate_contact_id: "2" } },
  retrieveContactModel: {},
  listTags: { filter: "name==VIP*", page_size: 10 },
  getTag: { tag_id: "100" },
  createTag: { body: { name: "VIP", description: "top customers" } },
  applyTags: { tag_id: "100", body: { contact_ids: ["1", "2"] } },
  removeTags: { tag_id: "100", body: { contact_ids: ["1"] } },
  listTasks: { filter: "contact_id==4", order_by: "due_time asc", page_size: 100 },
  getTask: { task_id: "9" },
  createTask: {
    body: {
      title: "Call",
      assigned_to_user_id: "1",
      contact_id: "4",
      priority: "ESSENTIAL",
      due_time: "2026-06-01T00:00:00.000Z",
    },
  },
  updateTask: { task_id: "9", body: { completed: true, completion_time: "2026-06-01T00:00:00.000Z" } },
  deleteTask: { task_id: "9" },
  listNotes: { contact_id: "6", page_size: 5 },
  getNote: { contact_id: "6", note_id: "3" },
  createNote: { contact_id: "6", body: { user_id: "1", title: "Met", text: "Wants a demo" } },
  updateNote: { contact_id: "6", note_id: "3", body: { user_id: "1", is_pinned: true } },
  deleteNote: { contact_id: "6", note_id: "3" },
  listOpportunities: { filter: "contact_id==7", page_size: 20 },
  getOpportunity: { opportunity_id: "11" },
  createOpportunity: { body: { opportunity_title: "Deal", contact_id: "7", stage_id: "1", projected_revenue_low: 10 } },
  updateOpportunity: { opportunity_id: "11", body: { stage_id: "2" } },
  deleteOpportunity: { opportunity_id: "11" },
  listOpportunityStages: {},
  createOpportunityStage: { body: { name: "Won", order: 3, target_number_days: 5, probability: 100 } },
  listCompanies: { filter: "company_name==Acme*" },
  getCompany: { company_id: "5" },
  createCompany: { body: { company_name: "Acme", email_address: { email: "info@acme.example.com", field: "EMAIL1" } } },
  updateCompany: { company_id: "5", body: { website: "https://acme.example.com" } },
  deleteCompany: { company_id: "5" },
  getUserInfo: {},
  listPaginatedUsers: { page_size: 100 },
  getUserById: { user_id: "1" },
  listTagCategories: {},
  createTagCategory: { body: { name: "Interests" } },
  listCampaigns: {},
  addContactsToCampaignSequence: { campaign_id: "1", sequence_id: "2", body: { contact_ids: ["3"] } },
  removeContactsFromCampaignSequence: { campaign_id: "1", sequence_id: "2", body: { contact_ids: ["3"] } },
  sendEmail: { body: { contacts: ["9"], subject: "Hello", plain_content: "Hi" } },
  listEmails: { filter: "contact_id==9" },
  getEmail: { id: "3000" },
}

let api: OpenAPIBackend

beforeAll(async () => {
  // `quick` skips openapi-backend's check of the document itself, which uses the OpenAPI 3.0 meta-schema
  // and refuses this 3.1 document (e.g. `$ref` with a sibling `description`, legal in 3.1). Routing and
  // the Ajv request validation work on the dereferenced 3.1 document.
  api = new OpenAPIBackend({
    definition: parse(readFileSync(specPath, "utf8")),
    apiRoot: "/crm",
    validate: true,
    quick: true,
  })
  await api.init()
})

/** The request as the spec sees it: its paths start at /rest/v2 below https://api.keap.com/crm. */
const specRequest = (operationId: string, input: unknown) => {
  const operation = operations[operationId as keyof typeof operations] as unknown as Operation.Operation
  const valid = Effect.runSync(Operation.validate("keap", operation, input)) as Record<string, unknown>
  return toSpecRequest(operation, valid)
}

const toSpecRequest = (operation: Operation.Operation, valid: Record<string, unknown>) => {
  const request = Operation.toRequest(operation, valid)
  const query = specQuery(request.query)
  return {
    method: request.method,
    path: `/crm/rest${request.path}`,
    query,
    headers: { "content-type": "application/json", ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
  }
}

describe("requests match the official Keap v2 spec", () => {
  it.each(Object.keys(samples))("%s", (operationId) => {
    const request = specRequest(operationId, samples[operationId])
    const matched = api.router.matchOperation(request)
    expect(matched?.operationId, `${request.method} ${request.path} routes to ${operationId}`).toBe(operationId)
    const result = api.validateRequest(request, operationId)
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([])
    expect(result.valid).toBe(true)
  })

  it("covers a real sample of the catalog", () => {
    expect(Object.keys(samples).length).toBeGreaterThanOrEqual(40)
  })

  it("the validator rejects requests that break the spec", () => {
    const missingBody = specRequest("applyTags", samples.applyTags)
    const { body: _body, ...withoutBody } = missingBody
    expect(api.validateRequest({ ...withoutBody, body: { contact_ids: "1" } }, "applyTags").valid).toBe(false)
    const badPageSize = specRequest("listContacts", {})
    expect(api.validateRequest({ ...badPageSize, query: { page_size: "5000" } }, "listContacts").valid).toBe(false)
  })
})

/**
 * Every v2 operation, with inputs generated from its own input Schema: what our Schemas accept,
 * the official spec must accept too. Adjustments, each a known problem reported separately:
 * - path parameters: the generated Schemas accept "" (which would change the URL, e.g.
 *   `GET /v2/contacts/` lists instead of getting) and strings that are not well-formed UTF-16
 *   (which `encodeURIComponent` throws on); the services refuse both, so such values are
 *   replaced with "1" here;
 * - tasks' `remind_time_mins`: the official spec declares `type: integer` with an enum of
 *   strings, which no value satisfies; our patch makes the enum integers, so it is left out;
 * - `runReport` declares its `runReportRequest` object as a *query* parameter: it must keep
 *   failing on exactly that parameter (if Keap fixes the spec, this test says so).
 */
describe("every v2 operation, with generated inputs", () => {
  const v2 = Object.values(operations as unknown as Record<string, Operation.Operation>).filter((op) =>
    op.path.startsWith("/v2/"),
  )
  const adjust = (operation: Operation.Operation, input: Record<string, unknown>) => {
    const out: Record<string, unknown> = { ...input }
    for (const parameter of operation.parameters) {
      const value = out[parameter.name]
      if (parameter.in === "path" && (typeof value !== "string" || value === "" || !value.isWellFormed())) {
        out[parameter.name] = "1"
      }
    }
    if ((operation.id === "createTask" || operation.id === "updateTask") && typeof out.body === "object") {
      const { remind_time_mins: _dropped, ...body } = out.body as Record<string, unknown>
      out.body = body
    }
    return out
  }

  it("covers all 399", () => {
    expect(v2).toHaveLength(399)
  })

  it.each(v2.map((op) => op.id))("%s", async (operationId) => {
    const operation = v2.find((op) => op.id === operationId)!
    const inputs = await Effect.runPromise(
      Arbitrary.sampleEffect(Arbitrary.schema(operation.input), { count: 3, seed: 7, size: 3 }),
    )
    expect(inputs.length).toBe(3)
    for (const input of inputs) {
      const request = toSpecRequest(operation, adjust(operation, input as Record<string, unknown>))
      const result = api.validateRequest(request, operationId)
      if (operationId === "runReport") {
        expect(result.errors?.map((e) => e.instancePath)).toEqual(["/query/runReportRequest"])
      } else {
        expect(result.errors ?? [], `${JSON.stringify(input)}: ${JSON.stringify(result.errors)}`).toEqual([])
      }
    }
  })
})

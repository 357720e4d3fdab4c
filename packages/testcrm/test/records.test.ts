/**
 * TestCRM's record mapper against its simulator: contacts and deals both ways through the common
 * model, the source-id marker as a hidden label, the simulator's validation, and the entities
 * TestCRM does not have refused before any request.
 */
import { Credentials, type CrmError, RateLimit, Records } from "@crmkit/core"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { Effect, Layer, Redacted, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { simulator } from "../src/sandbox/index.ts"
import * as TestCrmClient from "../src/TestCrmClient.ts"
import { records } from "../src/TestCrmRecords.ts"

let sandbox: SandboxServer<{ testcrm: ReturnType<typeof simulator> }>
let client: Layer.Layer<TestCrmClient.TestCrmClient, CrmError>
let lookups: Records.Lookups

const run = <A, E>(effect: Effect.Effect<A, E, TestCrmClient.TestCrmClient>) =>
  Effect.runPromise(Effect.provide(effect, client))
const flip = <A, E>(effect: Effect.Effect<A, E, TestCrmClient.TestCrmClient>) =>
  Effect.runPromise(Effect.provide(Effect.flip(effect), client))

const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${sandbox.testcrm.baseUrl}${path}`, {
    method,
    headers: { "x-api-key": sandbox.credentials.testcrm.apiKey, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

const okContacts = (listed: Iterable<Records.Listed<Records.Contact>>) =>
  Array.from(listed).flatMap((l) => (l._tag === "Ok" ? [l.record] : []))

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, simulators: { testcrm: simulator({ contacts: 12, rateLimits: false }) } })
  client = TestCrmClient.layer({ baseUrl: sandbox.testcrm.baseUrl }).pipe(
    Layer.provide(
      Credentials.layerApiKeyHeader({
        header: "X-Api-Key",
        key: Redacted.make(sandbox.credentials.testcrm.apiKey),
        kind: "key",
      }),
    ),
    Layer.provide(RateLimit.layerMemory),
    Layer.provide(FetchHttpClient.layer),
  )
  lookups = await run(records.lookups())
})
afterAll(() => sandbox.close())

describe("TestCRM's records", () => {
  it("states what TestCRM holds: one pipeline of four stages, one email and phone, company names, no duplicates", () => {
    expect(lookups).toEqual({
      customFields: [],
      tags: [],
      users: [],
      pipelines: [
        {
          id: "deals",
          name: "Deals",
          stages: [
            { id: "lead", name: "Lead" },
            { id: "proposal", name: "Proposal" },
            { id: "won", name: "Won" },
            { id: "lost", name: "Lost" },
          ],
        },
      ],
      allowDuplicateContacts: false,
      contactSlots: { emails: 1, phones: 1 },
      companyLinks: false,
      companyNames: true,
      // Contacts and deals only: a migration reports source notes, tasks and companies as skipped.
      holds: ["opportunity"],
    })
    expect(records.createCustomField).toBeUndefined()
  })

  it("lists the seeded contacts in the common model, every page, and only those updated since a time", async () => {
    const all = okContacts(await run(Stream.runCollect(records.contacts(lookups))))
    expect(all.map((c) => c.id)).toEqual(Array.from({ length: 12 }, (_, i) => `c${i + 1}`))
    expect(all[0]).toMatchObject({ emails: [expect.stringMatching(/@example\.com$/)], sourceId: undefined })
    expect(all[0]?.phones[0]).toMatch(/^\+1\d{10}$/)
    expect(all[0]?.addresses[0]?.country).toBe("US")
    const since = new Date(Date.now() - 1000).toISOString()
    expect(await run(Stream.runCollect(records.contacts(lookups, { updatedSince: since })))).toHaveLength(0)
    expect((await api("PATCH", "/contacts/c4", { company: "Acme" })).status).toBe(200)
    const changed = okContacts(await run(Stream.runCollect(records.contacts(lookups, { updatedSince: since }))))
    expect(changed.map((c) => [c.id, c.companyName])).toEqual([["c4", "Acme"]])
  })

  it("creates a contact with its source id as a label the mapper hides; reads, finds and updates it", async () => {
    const contact: Records.Contact = {
      id: "k-77",
      givenName: "Ada",
      familyName: "Lovelace",
      emails: ["ada@example.org"],
      phones: ["+442079460123"],
      addresses: [{ line1: "12 Analytical St", city: "London", postalCode: "N1 9GU", country: "GB" }],
      companyName: "Engines Ltd",
      tags: ["vip"],
      customFields: {},
      sourceId: "migration-1:k-77",
    }
    const created = await run(records.createContact(contact, lookups))
    const raw = await api("GET", `/contacts/${created.id}`)
    expect(raw.body.labels).toEqual(["vip", `${Records.SOURCE_MARKER_PREFIX}migration-1:k-77`])
    const read = await run(records.getContact(created.id, lookups))
    expect(read).toMatchObject({
      _tag: "Ok",
      record: { ...contact, id: created.id, addresses: [{ ...contact.addresses[0], region: undefined }] },
    })
    const found = await run(records.findContacts({ email: "ada@example.org" }, lookups))
    expect(found.map((c) => c.id)).toEqual([created.id])
    expect(await run(records.findContacts({ phone: "+442079460123" }, lookups))).toHaveLength(1)
    await run(records.updateContact(created.id, { ...contact, familyName: "King", tags: [] }, lookups))
    const updated = await run(records.getContact(created.id, lookups))
    expect(updated).toMatchObject({ _tag: "Ok", record: { familyName: "King", tags: [], sourceId: contact.sourceId } })
    expect(await run(records.getContact("c999", lookups))).toBeUndefined()
  })

  it("moves deals as opportunities: stage by name, status from the stage, value in units and amount in cents", async () => {
    const opportunities = Array.from(await run(Stream.runCollect(records.opportunities(lookups))))
    expect(opportunities.slice(0, 4).map((o) => (o._tag === "Ok" ? [o.record.stage, o.record.status] : []))).toEqual([
      ["Lead", "open"],
      ["Proposal", "open"],
      ["Won", "won"],
      ["Lost", "lost"],
    ])
    expect(opportunities[1]).toMatchObject({ _tag: "Ok", record: { contactId: "c2", value: 37, pipeline: "Deals" } })
    const made = await run(
      records.createOpportunity(
        {
          id: "o1",
          contactId: "c3",
          name: "Renewal",
          value: 1234.5,
          status: "open",
          pipeline: "Deals",
          stage: "proposal",
        },
        lookups,
      ),
    )
    expect((await api("GET", `/deals/${made.id}`)).body).toMatchObject({
      title: "Renewal",
      amount: 123450,
      contactId: "c3",
      stage: "proposal",
    })
    await run(records.updateOpportunity(made.id, { ...made, stage: "Won", status: "won" }, lookups))
    expect((await api("GET", `/deals/${made.id}`)).body.stage).toBe("won")
    const unknownStage = await flip(records.createOpportunity({ ...made, stage: "Negotiation" }, lookups))
    expect(unknownStage.message).toContain(`stage: TestCRM's pipeline has no stage "Negotiation"`)
  })

  it("has no notes, tasks or companies: empty lists, and a write refused before any request", async () => {
    expect(await run(Stream.runCollect(records.notes(lookups)))).toHaveLength(0)
    expect(await run(Stream.runCollect(records.tasks(lookups)))).toHaveLength(0)
    expect(await run(Stream.runCollect(records.companies(lookups)))).toHaveLength(0)
    expect(await run(records.notesOf("c1"))).toEqual([])
    const before = sandbox.stats.requests
    const note = await flip(records.createNote({ id: "n1", contactId: "c1", body: "Called" }, lookups))
    expect(note.message).toBe("testcrm: Validation - Invalid input: note: TestCRM has no notes (note n1)")
    const task = await flip(records.createTask({ id: "t1", contactId: "c1", title: "Call", completed: false }, lookups))
    expect(task.message).toContain("task: TestCRM has no tasks (task t1)")
    const company = await flip(records.createCompany({ id: "co1", name: "Acme" }, lookups))
    expect(company.message).toContain("company: TestCRM has no company records (company co1)")
    expect(sandbox.stats.requests).toBe(before)
  })
})

describe("TestCRM's contact API", () => {
  it("refuses what it cannot hold, naming the fields: unknown fields, phones not in E.164, a taken email", async () => {
    const bad = await api("POST", "/contacts", {
      firstName: "Ann",
      phone: "555-0100",
      address: { country: "USA", suite: "4" },
      score: 3,
    })
    expect(bad.status).toBe(422)
    expect(bad.body.error.fields).toEqual([
      { field: "score", message: "unknown field" },
      { field: "phone", message: "must be in E.164 (+14155550100), or null" },
      { field: "address.suite", message: "unknown field" },
      { field: "address.country", message: "must be an ISO 3166-1 alpha-2 code (US)" },
    ])
    expect((await api("POST", "/contacts", {})).status).toBe(422)
    const seeded = (await api("GET", "/contacts/c1")).body
    const taken = await api("POST", "/contacts", { email: String(seeded.email).toUpperCase() })
    expect(taken.status).toBe(409)
    expect(taken.body.error.fields).toEqual([{ field: "email", message: "already used by c1" }])
    expect((await api("GET", "/contacts?updated_since=yesterday")).status).toBe(400)
    const deal = await api("POST", "/deals", { title: "X", amount: 1, contactId: "c999", stage: "closed" })
    expect(deal.status).toBe(422)
    expect(deal.body.error.fields.map((f: { field: string }) => f.field)).toEqual(["contactId", "stage"])
  })
})

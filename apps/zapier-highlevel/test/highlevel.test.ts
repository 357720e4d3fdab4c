import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { createAppTester } from "zapier-platform-core"
import App from "../src/index.ts"
import KeyApp from "../src/keyApp.ts"

type AnyFn = (...args: Array<any>) => any
const tester = createAppTester(KeyApp)
const oauthTester = createAppTester(App)
const invoke = <T = any>(fn: unknown, bundle: Record<string, unknown>) => tester(fn as AnyFn, bundle) as Promise<T>

let sandbox: SandboxServer
let authData: { private_integration_token: string; location_id: string }
const triggers = KeyApp.triggers as Record<string, any>
const creates = KeyApp.creates as Record<string, any>
const searches = KeyApp.searches as Record<string, any>
const oauth2Config = (App.authentication as any).oauth2Config

beforeAll(async () => {
  // Each Zapier invocation has its own limiter (as on Lambda), so the suite runs without the
  // 100-per-10-seconds window; the one-minute window below makes an injected 429 ask for a wait
  // longer than a Zapier step.
  sandbox = await startSandbox({
    seed: 12,
    simulators: { ghl: ghlSimulator({ contacts: 40, rateLimits: { burst: { limit: 100_000, windowMs: 60_000 } } }) },
  })
  process.env.GHL_BASE_URL = sandbox.ghl.baseUrl
  process.env.GHL_AUTHORIZE_URL = sandbox.ghl.authorizeUrl
  process.env.CLIENT_ID = sandbox.credentials.ghl.oauthApp.clientId
  process.env.CLIENT_SECRET = sandbox.credentials.ghl.oauthApp.clientSecret
  authData = {
    private_integration_token: sandbox.credentials.ghl.privateIntegrationToken,
    location_id: sandbox.credentials.ghl.locationId,
  }
})
afterAll(() => sandbox.close())
beforeEach(() => sandbox.faults.clear())

const perform = <T = any>(op: { operation: { perform: unknown } }, inputData: Record<string, unknown> = {}) =>
  invoke<T>(op.operation.perform, { authData, inputData })

/** A location tag, made through the API Request action. */
const createTag = (name: string) =>
  perform(creates.api_request, { operation: "create-tag", input: JSON.stringify({ body: { name } }) })

const oauthTokens = async () => {
  const redirectUri = sandbox.credentials.ghl.oauthApp.redirectUri
  const code = sandbox.ghl.issueAuthorizationCode({ redirectUri })
  return (await oauthTester(oauth2Config.getAccessToken, { inputData: { code, redirect_uri: redirectUri } })) as Record<
    string,
    string
  >
}

describe("authentication", () => {
  it("Private Integration Token: the test reads the location and the label names it", async () => {
    const location = await invoke<{ id: string }>(KeyApp.authentication.test, { authData })
    expect(location.id).toBe(authData.location_id)
    const label = await invoke<string>((KeyApp.authentication as any).connectionLabel, { authData })
    expect(label.length).toBeGreaterThan(0)
    expect(label).not.toBe(authData.location_id)
  })

  it("a wrong token fails the test as ExpiredAuthError", async () => {
    await expect(
      invoke(KeyApp.authentication.test, { authData: { ...authData, private_integration_token: "pit-wrong" } }),
    ).rejects.toMatchObject({ name: "ExpiredAuthError" })
  })

  it("OAuth: location token with its location, and a refresh that rotates the refresh token", async () => {
    const tokens = await oauthTokens()
    expect(tokens.location_id).toBe(sandbox.credentials.ghl.locationId)
    const location = (await oauthTester(App.authentication.test as AnyFn, { authData: tokens })) as { id: string }
    expect(location.id).toBe(tokens.location_id)
    const refreshed = (await oauthTester(oauth2Config.refreshAccessToken, { authData: tokens })) as Record<
      string,
      string
    >
    expect(refreshed.access_token).not.toBe(tokens.access_token)
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    expect(refreshed.location_id).toBe(tokens.location_id)
    await expect(oauthTester(oauth2Config.refreshAccessToken, { authData: tokens })).rejects.toMatchObject({
      name: "ExpiredAuthError",
    })
  })

  it("OAuth: a 401 becomes RefreshAuthError; after Zapier's refresh the step succeeds", async () => {
    const tokens = await oauthTokens()
    const stale = { ...tokens, access_token: "expired-token" }
    const find = (App.searches as any).find_contact.operation.perform
    const [first] = await perform<Array<{ id: string }>>(triggers.new_contact)
    const id = first!.id
    await expect(oauthTester(find, { authData: stale, inputData: { contact_id: id } })).rejects.toMatchObject({
      name: "RefreshAuthError",
    })
    const fresh = (await oauthTester(oauth2Config.refreshAccessToken, { authData: stale })) as Record<string, string>
    const found = (await oauthTester(find, {
      authData: { ...stale, ...fresh },
      inputData: { contact_id: id },
    })) as Array<{ id: string }>
    expect(found.map((c) => c.id)).toEqual([id])
  })

  it("OAuth: the white-label option sends the user to the white-label marketplace", async () => {
    const saved = process.env.GHL_AUTHORIZE_URL
    delete process.env.GHL_AUTHORIZE_URL
    try {
      const inputData = { redirect_uri: "https://zapier.com/dashboard/auth/oauth/return/App1CLIAPI/", state: "s" }
      const standard = new URL((await oauthTester(oauth2Config.authorizeUrl, { inputData })) as string)
      const white = new URL(
        (await oauthTester(oauth2Config.authorizeUrl, {
          inputData: { ...inputData, marketplace: "white_label" },
        })) as string,
      )
      expect(standard.host).toBe("marketplace.gohighlevel.com")
      expect(white.host).toBe("marketplace.leadconnectorhq.com")
      expect(white.searchParams.get("scope")).toContain("contacts.write")
    } finally {
      process.env.GHL_AUTHORIZE_URL = saved
    }
  })

  it("asks for what the connector describes: the marketplace choice, the token's guide, where the location is", () => {
    const marketplace = (App.authentication.fields as Array<{ key: string; choices?: Array<{ value: string }> }>).find(
      (f) => f.key === "marketplace",
    )
    expect(marketplace?.choices?.map((c) => c.value)).toEqual(["standard", "white_label"])
    const fields = KeyApp.authentication.fields as Array<{ key: string; helpText?: string }>
    expect(fields.find((f) => f.key === "private_integration_token")?.helpText).toContain("private-integrations")
    expect(fields.find((f) => f.key === "location_id")?.helpText).toContain("Business Profile")
  })

  it("a 429 that does not fit in the step becomes ThrottledError with the wait", async () => {
    sandbox.faults.inject({ kind: "429", count: 5, path: "/contacts/search" })
    const error = await perform(triggers.new_contact).catch((e: Error) => e)
    expect(error).toMatchObject({ name: "ThrottledError" })
    expect(JSON.parse((error as Error).message).delay).toBeGreaterThanOrEqual(1)
  })
})

/** Zapier's polling dedupe: an item triggers once, the first time its id is seen. */
const newItems = (seen: Set<string>, rows: ReadonlyArray<{ id: string }>) => {
  const fresh = rows.filter((r) => !seen.has(r.id))
  for (const r of rows) seen.add(r.id)
  return fresh
}

describe("polling triggers", () => {
  it("new contact: newest first, unique ids, and only the new contact triggers on the next poll", async () => {
    const first = await perform<Array<{ id: string; dateAdded: string }>>(triggers.new_contact)
    expect(first.length).toBeGreaterThan(0)
    expect(new Set(first.map((c) => c.id)).size).toBe(first.length)
    const times = first.map((c) => Date.parse(c.dateAdded))
    expect([...times].sort((a, b) => b - a)).toEqual(times)
    const seen = new Set<string>()
    newItems(seen, first)
    const created = await perform<{ id: string }>(creates.create_contact, {
      email: "polled@example.com",
      firstName: "Polled",
    })
    const second = await perform<Array<{ id: string }>>(triggers.new_contact)
    expect(second[0]!.id).toBe(created.id)
    expect(newItems(seen, second).map((c) => c.id)).toEqual([created.id])
  })

  it("contact updated: an update triggers again with a new id that keeps the contact id", async () => {
    const seen = new Set<string>()
    newItems(seen, await perform(triggers.contact_updated))
    const target = (await perform<Array<{ id: string }>>(triggers.new_contact))[3]
    await perform(creates.update_contact, { contact_id: target!.id, lastName: "Changed" })
    const fresh = newItems(
      seen,
      await perform<Array<{ id: string; contactId: string; lastName: string }>>(triggers.contact_updated),
    )
    expect(fresh).toEqual([expect.objectContaining({ contactId: target!.id, lastName: "Changed" })])
  })

  it("new opportunity and stage changed", async () => {
    const [pipeline] = await perform<Array<{ id: string }>>(triggers.pipeline_list)
    const stages = await invoke<Array<{ id: string }>>(triggers.stage_list.operation.perform, {
      authData,
      inputData: { pipeline_id: pipeline!.id },
    })
    const [contact] = await perform<Array<{ id: string }>>(triggers.new_contact)
    const seenNew = new Set<string>()
    const seenStage = new Set<string>()
    newItems(seenNew, await perform(triggers.new_opportunity))
    newItems(seenStage, await perform(triggers.opportunity_stage_changed))
    const opportunity = await perform<{ id: string }>(creates.create_opportunity, {
      name: "Polled deal",
      contact_id: contact!.id,
      pipeline_id: pipeline!.id,
      stage_id: stages[0]!.id,
      monetaryValue: "250",
    })
    const polled = await perform<Array<{ id: string }>>(triggers.new_opportunity)
    expect(polled[0]!.id).toBe(opportunity.id)
    expect(newItems(seenNew, polled).map((o) => o.id)).toEqual([opportunity.id])
    newItems(seenStage, await perform(triggers.opportunity_stage_changed))
    await perform(creates.update_opportunity, { opportunity_id: opportunity.id, stage_id: stages[1]!.id })
    const moved = newItems(
      seenStage,
      await perform<Array<{ id: string; opportunityId: string; pipelineStageId: string }>>(
        triggers.opportunity_stage_changed,
      ),
    )
    expect(moved).toEqual([expect.objectContaining({ opportunityId: opportunity.id, pipelineStageId: stages[1]!.id })])
    // Other changes are updates too (the feed's), but not stage moves.
    await perform(creates.update_opportunity, { opportunity_id: opportunity.id, name: "Renamed deal" })
    expect(newItems(seenStage, await perform(triggers.opportunity_stage_changed))).toEqual([])
    const byContact = await perform<Array<{ id: string }>>(searches.find_opportunity, { contact_id: contact!.id })
    expect(byContact.map((o) => o.id)).toContain(opportunity.id)
    expect(await perform(searches.find_opportunity, { opportunity_id: "no-such-opportunity" })).toEqual([])
  })

  it("new task and new note watch a contact", async () => {
    const [contact] = await perform<Array<{ id: string }>>(triggers.new_contact)
    const task = await perform<{ id: string }>(creates.create_task, {
      contact_id: contact!.id,
      title: "Call",
      dueDate: "2026-12-01T10:00:00Z",
    })
    const tasks = await perform<Array<{ id: string }>>(triggers.new_task, { contact_id: contact!.id })
    expect(tasks.map((t) => t.id)).toContain(task.id)
    const done = await perform<{ id: string; completed: boolean }>(creates.complete_task, {
      contact_id: contact!.id,
      task_id: task.id,
    })
    expect(done.completed).toBe(true)
    const note = await perform<{ id: string }>(creates.create_note, {
      contact_id: contact!.id,
      body: "Likes the product",
    })
    const notes = await perform<Array<{ id: string }>>(triggers.new_note, { contact_id: contact!.id })
    expect(notes.map((n) => n.id)).toContain(note.id)
    await expect(perform(triggers.new_task, {})).rejects.toThrow(/Contact \(contact_id\)/)
  })
})

describe("dropdowns", () => {
  it("load pipelines, stages, users, calendars, workflows, tags, custom fields and operations live", async () => {
    await createTag("zapier-vip")
    for (const key of [
      "pipeline_list",
      "stage_list",
      "user_list",
      "calendar_list",
      "workflow_list",
      "tag_list_by_name",
      "custom_field_list",
      "operation_list",
    ]) {
      const rows = await perform<Array<{ id: string; name: string }>>(triggers[key])
      expect(rows.length, key).toBeGreaterThan(0)
      for (const row of rows.slice(0, 5)) expect(row, key).toEqual({ id: expect.any(String), name: expect.any(String) })
    }
    const operations = await perform<Array<{ id: string }>>(triggers.operation_list)
    expect(operations.some((o) => o.id === "get-contact")).toBe(true)
  })

  it("custom fields are line items picked from a live dropdown and are saved on the contact", async () => {
    const field = creates.create_contact.operation.inputFields.find((f: { key: string }) => f.key === "customFields")
    expect(field.children).toEqual([
      expect.objectContaining({ key: "id", dynamic: "custom_field_list.id.name" }),
      expect.objectContaining({ key: "field_value" }),
    ])
    const fields = await perform<Array<{ id: string }>>(triggers.custom_field_list)
    expect(fields.length).toBeGreaterThan(0)
    const created = await perform<{ id: string; customFields: Array<{ id: string; value: unknown }> }>(
      creates.create_contact,
      {
        email: "custom@example.com",
        customFields: [{ id: fields[0]!.id, field_value: "teal" }],
      },
    )
    expect(created.customFields).toContainEqual({ id: fields[0]!.id, value: "teal" })
  })
})

describe("actions", () => {
  it("create or update contact matches on email; nothing to match on is refused before sending", async () => {
    const first = await perform<{ id: string; new: boolean }>(creates.create_contact, {
      email: "same@example.com",
      firstName: "One",
    })
    const again = await perform<{ id: string; new: boolean; firstName: string }>(creates.create_contact, {
      email: "same@example.com",
      firstName: "Two",
    })
    expect(again).toMatchObject({ id: first.id, new: false, firstName: "Two" })
    const before = sandbox.stats.requests
    await expect(perform(creates.create_contact, { firstName: "Nobody" })).rejects.toThrow(
      /at least one of: Email, Phone/,
    )
    expect(sandbox.stats.requests).toBe(before)
  })

  it("tags, workflow, SMS, email and appointment", async () => {
    const contact = await perform<{ id: string }>(creates.create_contact, {
      email: "actions@example.com",
      phone: "+15550199",
    })
    expect(await perform(creates.apply_tag, { contact_id: contact.id, tags: ["vip", "zap"] })).toMatchObject({
      tags: expect.arrayContaining(["vip", "zap"]),
    })
    const [tagged] = await perform<Array<{ tags: Array<string> }>>(searches.find_contact, { contact_id: contact.id })
    expect(tagged!.tags).toEqual(expect.arrayContaining(["vip", "zap"]))
    await perform(creates.remove_tag, { contact_id: contact.id, tags: "zap" })
    const [untagged] = await perform<Array<{ tags: Array<string> }>>(searches.find_contact, { contact_id: contact.id })
    expect(untagged!.tags).not.toContain("zap")

    const [workflow] = await perform<Array<{ id: string }>>(triggers.workflow_list)
    expect(await perform(creates.add_to_workflow, { contact_id: contact.id, workflow_id: workflow!.id })).toMatchObject(
      { succeded: true },
    )

    const sms = await perform<{ id: string; type: string }>(creates.send_sms, { contact_id: contact.id, message: "Hi" })
    expect(sms).toMatchObject({ messageId: expect.any(String), conversationId: expect.any(String) })
    const email = await perform<{ messageId: string }>(creates.send_email, {
      contact_id: contact.id,
      subject: "Hello",
      html: "<p>Hi</p>",
    })
    expect(email.messageId).toBeTruthy()

    const [calendar] = await perform<Array<{ id: string }>>(triggers.calendar_list)
    const day = new Date(Date.now() + 3 * 86_400_000)
    const start = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 10))
    const appointment = await perform<{ id: string }>(creates.book_appointment, {
      contact_id: contact.id,
      calendar_id: calendar!.id,
      startTime: start.toISOString(),
      title: "Demo",
    })
    expect(appointment.id).toBeTruthy()
    const appointments = await perform<Array<{ id: string }>>(triggers.new_appointment, { calendar_id: calendar!.id })
    expect(appointments[0]!.id).toBe(appointment.id)
    await expect(
      perform(creates.book_appointment, {
        contact_id: contact.id,
        calendar_id: calendar!.id,
        startTime: "next tuesday-ish",
      }),
    ).rejects.toThrow(/not a date/)
  })

  it("API Request runs a catalog operation with the connected location and refuses money-moving ones", async () => {
    const [contact] = await perform<Array<{ id: string }>>(triggers.new_contact)
    const result = await perform<{ body: { contact: { id: string } } }>(creates.api_request, {
      operation: "get-contact",
      input: JSON.stringify({ contactId: contact!.id }),
    })
    expect(result.body.contact.id).toBe(contact!.id)
    const tags = await perform<{ body: { tags: Array<unknown> } }>(creates.api_request, {
      operation: "get-location-tags",
      input: "{}",
    })
    expect(Array.isArray(tags.body.tags)).toBe(true)
    const moneyOp = (await import("@crmkit/ghl")).catalog.find((e) => e.access === "write" && /payment/i.test(e.path))!
    await expect(perform(creates.api_request, { operation: moneyOp.id, input: "{}" })).rejects.toThrow(/moves money/)
  })
})

describe("searches", () => {
  it("find contact by email, phone and id; nothing found is an empty list", async () => {
    const contact = await perform<{ id: string }>(creates.create_contact, {
      email: "findme@example.com",
      phone: "+15550142",
    })
    expect(
      (await perform<Array<{ id: string }>>(searches.find_contact, { email: "findme@example.com" })).map((c) => c.id),
    ).toEqual([contact.id])
    expect(
      (await perform<Array<{ id: string }>>(searches.find_contact, { phone: "+15550142" })).map((c) => c.id),
    ).toEqual([contact.id])
    expect(
      (await perform<Array<{ id: string }>>(searches.find_contact, { contact_id: contact.id })).map((c) => c.id),
    ).toEqual([contact.id])
    expect(await perform(searches.find_contact, { email: "nobody@example.com" })).toEqual([])
    expect(await perform(searches.find_contact, { contact_id: "no-such-contact" })).toEqual([])
  })

  it("find tag by name", async () => {
    await createTag("Findable Tag")
    expect(await perform(searches.find_tag, { name: "findable tag" })).toEqual([
      expect.objectContaining({ name: "Findable Tag" }),
    ])
    expect(await perform(searches.find_tag, { name: "missing" })).toEqual([])
  })
})

import type { SandboxServer } from "@crmkit/sandbox"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { createAppTester } from "zapier-platform-core"
import App from "../src/index.ts"
import KeyApp from "../src/keyApp.ts"
import { asZapierRequest, startKeapSandbox, startReceiver, waitFor } from "./support.ts"

type AnyFn = (...args: Array<any>) => any
const tester = createAppTester(KeyApp)
const oauthTester = createAppTester(App)
const invoke = <T = any>(fn: unknown, bundle: Record<string, unknown>) => tester(fn as AnyFn, bundle) as Promise<T>

let sandbox: SandboxServer
let authData: { api_key: string; key_kind: string }
const triggers = KeyApp.triggers as Record<string, any>
const creates = KeyApp.creates as Record<string, any>
const searches = KeyApp.searches as Record<string, any>

beforeAll(async () => {
  sandbox = await startKeapSandbox()
  authData = { api_key: sandbox.credentials.keap.personalAccessToken, key_kind: "pat" }
})
afterAll(() => sandbox.close())
beforeEach(() => sandbox.faults.clear())

const perform = <T = any>(op: { operation: { perform: unknown } }, inputData: Record<string, unknown> = {}) =>
  invoke<T>(op.operation.perform, { authData, inputData })

describe("authentication", () => {
  it("API key: the test request passes and the label names the user", async () => {
    const user = await invoke<{ id: string }>(KeyApp.authentication.test, { authData })
    expect(user.id).toBeTruthy()
    const label = await invoke<string>((KeyApp.authentication as any).connectionLabel, { authData })
    expect(label).toMatch(/@/)
  })

  it("API key: a wrong key fails the test as ExpiredAuthError", async () => {
    await expect(
      invoke(KeyApp.authentication.test, { authData: { api_key: "KeapAK-wrong", key_kind: "pat" } }),
    ).rejects.toMatchObject({ name: "ExpiredAuthError" })
  })

  it("OAuth: authorize URL, code exchange, test, and a refresh that returns the rotated refresh token", async () => {
    const config = (App.authentication as any).oauth2Config
    const redirectUri = sandbox.credentials.keap.oauthApp.redirectUri
    const url = new URL(
      (await oauthTester(config.authorizeUrl, { inputData: { redirect_uri: redirectUri, state: "s1" } })) as string,
    )
    expect(url.searchParams.get("client_id")).toBe(sandbox.credentials.keap.oauthApp.clientId)
    expect(url.searchParams.get("state")).toBe("s1")

    const code = sandbox.keap.issueAuthorizationCode({ redirectUri })
    const tokens = (await oauthTester(config.getAccessToken, { inputData: { code, redirect_uri: redirectUri } })) as {
      access_token: string
      refresh_token: string
    }
    expect(tokens.access_token).toBeTruthy()
    const user = (await oauthTester(App.authentication.test as AnyFn, { authData: tokens })) as { id: string }
    expect(user.id).toBeTruthy()

    const refreshed = (await oauthTester(config.refreshAccessToken, { authData: tokens })) as typeof tokens
    expect(refreshed.access_token).not.toBe(tokens.access_token)
    expect(refreshed.refresh_token).toBeTruthy()
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    // Keap's refresh tokens are single-use: the spent one is refused, and the user must reconnect.
    await expect(oauthTester(config.refreshAccessToken, { authData: tokens })).rejects.toMatchObject({
      name: "ExpiredAuthError",
    })
  })

  it("OAuth: a 401 becomes RefreshAuthError; after Zapier's refresh the step succeeds", async () => {
    const config = (App.authentication as any).oauth2Config
    const redirectUri = sandbox.credentials.keap.oauthApp.redirectUri
    const code = sandbox.keap.issueAuthorizationCode({ redirectUri })
    const tokens = (await oauthTester(config.getAccessToken, {
      inputData: { code, redirect_uri: redirectUri },
    })) as Record<string, string>
    const stale = { ...tokens, access_token: "expired-access-token" }
    const find = (App.searches as any).find_contact.operation.perform
    await expect(oauthTester(find, { authData: stale, inputData: { contact_id: "1" } })).rejects.toMatchObject({
      name: "RefreshAuthError",
    })
    const fresh = (await oauthTester(config.refreshAccessToken, { authData: stale })) as Record<string, string>
    const found = (await oauthTester(find, {
      authData: { ...stale, ...fresh },
      inputData: { contact_id: "1" },
    })) as Array<{ id: string }>
    expect(found.map((c) => c.id)).toEqual(["1"])
  })

  it("a 429 that does not fit in the step becomes ThrottledError with the wait", async () => {
    sandbox.faults.inject({ kind: "429", count: 5, path: "/v2/contacts" })
    const error = await perform(searches.find_contact, { email: "nobody@example.com" }).catch((e: Error) => e)
    expect(error).toMatchObject({ name: "ThrottledError" })
    expect(JSON.parse((error as Error).message).delay).toBeGreaterThanOrEqual(1)
  })
})

describe("REST hook lifecycle (new contact)", () => {
  it("subscribes, verifies late, delivers hydrated contacts, unsubscribes", async () => {
    const receiver = await startReceiver()
    try {
      const trigger = triggers.new_contact.operation
      const targetUrl = receiver.url("/hooks/zap-1")
      const subscribeData = await invoke<{ id: string }>(trigger.performSubscribe, { authData, targetUrl })
      expect(subscribeData.id).toBeTruthy()
      const hookStatus = async () =>
        (
          (await (
            await fetch(`${sandbox.keap.baseUrl}/v1/hooks/${subscribeData.id}`, {
              headers: { "X-Keap-API-Key": authData.api_key },
            })
          ).json()) as { status: string }
        ).status
      expect(await hookStatus()).toBe("Unverified")

      // Keap's handshake reached the hook URL; Zapier runs perform with it, which verifies late.
      const handshake = await waitFor(() => receiver.received.find((r) => r.headers["x-hook-secret"]), "the handshake")
      const none = await invoke<Array<unknown>>(trigger.perform, {
        authData,
        subscribeData,
        targetUrl,
        ...asZapierRequest(handshake),
      })
      expect(none).toEqual([])
      expect(await hookStatus()).toBe("Verified")

      const created = await perform<{ id: string }>(creates.create_contact, {
        email: "hooked@example.com",
        given_name: "Hooked",
      })
      const delivery = await waitFor(
        () => receiver.received.find((r) => r.body.includes('"contact.add"')),
        "the contact.add delivery",
      )
      const rows = await invoke<Array<{ id: string }>>(trigger.perform, {
        authData,
        subscribeData,
        ...asZapierRequest(delivery),
      })
      expect(rows).toEqual([
        expect.objectContaining({
          id: created.id,
          email_addresses: [expect.objectContaining({ email: "hooked@example.com" })],
          given_name: "Hooked",
        }),
      ])

      await invoke(trigger.performUnsubscribe, { authData, subscribeData, targetUrl })
      const gone = await fetch(`${sandbox.keap.baseUrl}/v1/hooks/${subscribeData.id}`, {
        headers: { "X-Keap-API-Key": authData.api_key },
      })
      expect(gone.status).toBe(404)
    } finally {
      await receiver.close()
    }
  })
})

describe("REST hook handshake before Zapier stored the subscription", () => {
  it("finds the Unverified hook for the target URL and verifies it", async () => {
    const receiver = await startReceiver()
    try {
      const trigger = triggers.contact_updated.operation
      const targetUrl = receiver.url("/hooks/zap-early")
      const { id: key } = await invoke<{ id: string }>(trigger.performSubscribe, { authData, targetUrl })
      const handshake = await waitFor(() => receiver.received.find((r) => r.headers["x-hook-secret"]), "the handshake")
      // No subscribeData yet: the hook is found by its URL and event.
      expect(await invoke(trigger.perform, { authData, targetUrl, ...asZapierRequest(handshake) })).toEqual([])
      const hook = (await (
        await fetch(`${sandbox.keap.baseUrl}/v1/hooks/${key}`, { headers: { "X-Keap-API-Key": authData.api_key } })
      ).json()) as { status: string }
      expect(hook.status).toBe("Verified")
      // A subscription stored before the app was derived from the connector (`key`) still unsubscribes.
      await invoke(trigger.performUnsubscribe, { authData, subscribeData: { key }, targetUrl })
    } finally {
      await receiver.close()
    }
  })
})

describe("REST hook triggers", () => {
  const delivery = (eventKey: string, ids: ReadonlyArray<string>) => ({
    cleanedRequest: {
      event_key: eventKey,
      object_type: eventKey.split(".")[0],
      object_keys: ids.map((id) => ({ id, apiUrl: "", timestamp: "2026-01-05T14:30:00.000Z" })),
    },
  })

  it("every hook trigger gives real samples (performList) with ids", async () => {
    await perform(creates.create_opportunity, { opportunity_title: "Sample deal", contact_id: "2", stage_id: "1" })
    await perform(creates.create_task, { title: "Sample task", assigned_to_user_id: "1" })
    for (const key of [
      "new_contact",
      "contact_updated",
      "tag_applied",
      "tag_removed",
      "new_opportunity",
      "opportunity_stage_moved",
      "new_task",
    ]) {
      const rows = await invoke<Array<{ id: string }>>(triggers[key].operation.performList, {
        authData,
        meta: { isLoadingSample: true },
      })
      expect(rows.length, key).toBeGreaterThan(0)
      for (const row of rows) expect(typeof row.id, key).toBe("string")
    }
    const orders = await invoke<Array<unknown>>(triggers.new_order.operation.performList, { authData })
    expect(Array.isArray(orders)).toBe(true)
  })

  it("contact samples are newest first", async () => {
    const rows = await invoke<Array<{ create_time: string }>>(triggers.new_contact.operation.performList, { authData })
    const times = rows.map((r) => Date.parse(r.create_time))
    expect([...times].sort((a, b) => b - a)).toEqual(times)
  })

  it("hydrates opportunity, task, order and tag deliveries into full records", async () => {
    const opportunity = await perform<{ id: string }>(creates.create_opportunity, {
      opportunity_title: "Hook deal",
      contact_id: "2",
      stage_id: "1",
    })
    const task = await perform<{ id: string }>(creates.create_task, {
      title: "Hook task",
      assigned_to_user_id: "1",
      contact_id: "2",
    })
    for (const [key, event, id, field] of [
      ["new_opportunity", "opportunity.add", opportunity.id, "opportunity_title"],
      ["opportunity_stage_moved", "opportunity.stage_move", opportunity.id, "opportunity_title"],
      ["new_task", "task.add", task.id, "title"],
    ] as const) {
      const rows = await invoke<Array<Record<string, unknown>>>(triggers[key].operation.perform, {
        authData,
        ...delivery(event, [id]),
      })
      expect(rows, key).toEqual([expect.objectContaining({ id, [field]: expect.any(String) })])
    }
    const order = (await invoke(
      (z: any, bundle: any) =>
        z
          .request({
            url: `${sandbox.keap.baseUrl}/v2/orders`,
            method: "POST",
            headers: { "X-Keap-API-Key": bundle.authData.api_key, "content-type": "application/json" },
            body: JSON.stringify({
              contact_id: "2",
              order_title: "Hook order",
              order_time: "2026-01-05T14:30:00.000Z",
              order_type: "OFFLINE",
            }),
          })
          .then((r: any) => r.data),
      { authData },
    )) as { id: string }
    const orders = await invoke<Array<{ id: string }>>(triggers.new_order.operation.perform, {
      authData,
      ...delivery("order.add", [String(order.id)]),
    })
    expect(orders.map((o) => o.id)).toEqual([String(order.id)])

    const note = await perform<{ id: string }>(creates.create_note, {
      contact_id: "2",
      text: "Hooked note",
      user_id: "1",
    })
    const notes = await invoke<Array<{ id: string; text: string; contact_id: string }>>(
      triggers.new_note.operation.perform,
      {
        authData,
        ...delivery("note.add", [note.id]),
      },
    )
    expect(notes).toEqual([expect.objectContaining({ id: note.id, text: "Hooked note", contact_id: "2" })])
    const recentNotes = await invoke<Array<{ id: string }>>(triggers.new_note.operation.performList, { authData })
    expect(recentNotes[0]!.id).toBe(note.id)

    const tags = await invoke<Array<{ id: string; name: string }>>(triggers.tag_applied.operation.perform, {
      authData,
      ...delivery("contactGroup.applied", ["100"]),
    })
    expect(tags).toEqual([expect.objectContaining({ id: "100", name: expect.any(String) })])
  })

  it("skips records deleted before the delivery is hydrated", async () => {
    const rows = await invoke<Array<unknown>>(triggers.new_task.operation.perform, {
      authData,
      ...delivery("task.add", ["999999"]),
    })
    expect(rows).toEqual([])
  })

  it("refuses a body that is not a Keap delivery", async () => {
    await expect(
      invoke(triggers.new_contact.operation.perform, { authData, cleanedRequest: { hello: "world" } }),
    ).rejects.toThrow(/Not a Keap hook delivery/)
  })
})

describe("dropdowns", () => {
  it("load tags, stages, users, campaigns, campaign sequences, custom fields and operations live", async () => {
    const dropdowns = ["tag_list", "stage_list", "user_list", "campaign_list", "sequence_list", "custom_field_list"]
    expect(Object.keys(triggers)).toEqual(expect.arrayContaining(dropdowns))
    for (const key of [...dropdowns, "operation_list"]) {
      const rows = await invoke<Array<{ id: string; name: string }>>(triggers[key].operation.perform, {
        authData,
        inputData: { campaign: "1" },
      })
      expect(rows.length, key).toBeGreaterThan(0)
      for (const row of rows.slice(0, 5)) expect(row, key).toEqual({ id: expect.any(String), name: expect.any(String) })
    }
    const operations = await invoke<Array<{ id: string }>>(triggers.operation_list.operation.perform, { authData })
    expect(operations.some((o) => o.id === "getContact")).toBe(true)
    expect(operations.some((o) => /payment/i.test(o.id) && !/^(get|list)/.test(o.id))).toBe(false)
  })

  it("custom fields are line items whose field is picked from a live dropdown", async () => {
    const field = creates.create_contact.operation.inputFields.find((f: { key: string }) => f.key === "custom_fields")
    expect(field.children).toEqual([
      expect.objectContaining({ key: "id", dynamic: "custom_field_list.id.name" }),
      expect.objectContaining({ key: "content" }),
    ])
    const fields = await invoke<Array<{ id: string; name: string }>>(triggers.custom_field_list.operation.perform, {
      authData,
    })
    expect(fields.length).toBeGreaterThan(0)
    expect(fields[0]!.id).toMatch(/^\d+$/)
  })
})

describe("actions", () => {
  it("create or update contact: creates, then updates the one with the same email; custom fields are set", async () => {
    const [custom] = await invoke<Array<{ id: string }>>(triggers.custom_field_list.operation.perform, { authData })
    const first = await perform<{ id: string; email_addresses: Array<{ email: string }>; custom_fields: unknown }>(
      creates.create_contact,
      {
        email: "zap.contact@example.com",
        given_name: "Zap",
        custom_fields: [{ id: custom!.id, content: "blue" }],
      },
    )
    expect(first.email_addresses[0]!.email).toBe("zap.contact@example.com")
    expect(first.custom_fields).toContainEqual(expect.objectContaining({ id: custom!.id, content: "blue" }))
    const again = await perform<{ id: string; family_name: string }>(creates.create_contact, {
      email: "zap.contact@example.com",
      family_name: "Contact",
    })
    expect(again.id).toBe(first.id)
    expect(again.family_name).toBe("Contact")
  })

  it("refuses a contact with no email and no name before sending anything", async () => {
    const before = sandbox.stats.requests
    await expect(perform(creates.create_contact, {})).rejects.toThrow(/at least one of: Email, First Name, Last Name/)
    await expect(
      perform(creates.create_contact, { email: "x@example.com", duplicate_option: "Phone" }),
    ).rejects.toThrow(/Update the Contact Matching \(duplicate_option\)/)
    expect(sandbox.stats.requests).toBe(before)
  })

  it("update contact, apply and remove a tag, notes, tasks, opportunities, sequences and emails", async () => {
    const updated = await perform<{ id: string; given_name: string }>(creates.update_contact, {
      contact_id: "3",
      given_name: "Renamed",
    })
    expect(updated).toMatchObject({ id: "3", given_name: "Renamed" })

    expect(await perform(creates.apply_tag, { contact_id: "3", tag_id: "100" })).toMatchObject({
      results: { 3: "SUCCESS" },
    })
    const tagged = await perform<Array<{ tag_ids: Array<unknown> }>>(searches.find_contact, { contact_id: "3" })
    expect(tagged[0]!.tag_ids.map(String)).toContain("100")
    await perform(creates.remove_tag, { contact_id: "3", tag_id: "100" })
    const untagged = await perform<Array<{ tag_ids?: Array<unknown> }>>(searches.find_contact, { contact_id: "3" })
    expect((untagged[0]!.tag_ids ?? []).map(String)).not.toContain("100")

    const note = await perform<{ id: string; text: string }>(creates.create_note, {
      contact_id: "3",
      text: "Met at the fair",
      user_id: "1",
    })
    expect(note).toMatchObject({ text: "Met at the fair", contact_id: "3" })

    const task = await perform<{ id: string }>(creates.create_task, {
      title: "Call back",
      assigned_to_user_id: "1",
      due_time: "2026-02-01T10:00:00Z",
    })
    const done = await perform<{ id: string; completed: boolean }>(creates.complete_task, { task_id: task.id })
    expect(done).toMatchObject({ id: task.id, completed: true })

    const opportunity = await perform<{ id: string }>(creates.create_opportunity, {
      opportunity_title: "Big deal",
      contact_id: "3",
      stage_id: "1",
      projected_revenue_high: "500",
    })
    const moved = await perform<{ stage: { id: string } }>(creates.update_opportunity, {
      opportunity_id: opportunity.id,
      stage_id: "2",
    })
    expect(String(moved.stage.id)).toBe("2")

    await perform(creates.add_to_sequence, { contact_id: "3", campaign: "1", sequence: "2" })
    const before = sandbox.stats.requests
    await expect(perform(creates.add_to_sequence, { contact_id: "3", sequence: "2" })).rejects.toThrow(/Campaign/)
    expect(sandbox.stats.requests).toBe(before)

    expect(
      await perform(creates.send_email, { contact_id: "3", subject: "Hello", plain_content: "Hi there" }),
    ).toMatchObject({ sent: true })
  })

  it("API Request runs a catalog operation and refuses money-moving ones", async () => {
    const result = await perform<{ body: { id: string } }>(creates.api_request, {
      operation: "getContact",
      input: '{"contact_id": "4"}',
    })
    expect(String(result.body.id)).toBe("4")
    await expect(perform(creates.api_request, { operation: "getContact", input: "not json" })).rejects.toThrow(
      /JSON object/,
    )
    const moneyOp = (await import("@crmkit/keap")).catalog.find((e) => e.access === "write" && /payment/i.test(e.id))!
    await expect(perform(creates.api_request, { operation: moneyOp.id, input: "{}" })).rejects.toThrow(/moves money/)
  })
})

describe("searches", () => {
  it("find contact by email and by id; nothing found is an empty list", async () => {
    const byId = await perform<
      Array<{ id: string; email_addresses: Array<{ email: string }>; phone_numbers: Array<{ number: string }> }>
    >(searches.find_contact, { contact_id: "5" })
    expect(byId).toHaveLength(1)
    const byEmail = await perform<Array<{ id: string }>>(searches.find_contact, {
      email: byId[0]!.email_addresses[0]!.email,
    })
    expect(byEmail.map((c) => c.id)).toEqual(["5"])
    const byPhone = await perform<Array<{ id: string }>>(searches.find_contact, {
      phone: byId[0]!.phone_numbers[0]!.number,
    })
    expect(byPhone.map((c) => c.id)).toContain("5")
    expect(await perform(searches.find_contact, { phone: "555-999-9999" })).toEqual([])
    await expect(perform(searches.find_contact, { phone: "555;email==x@example.com" })).rejects.toThrow(/phone_number/)
    expect(await perform(searches.find_contact, { email: "no.one@example.com" })).toEqual([])
    expect(await perform(searches.find_contact, { contact_id: "987654" })).toEqual([])
  })

  it("find opportunity and find tag", async () => {
    const opportunity = await perform<{ id: string }>(creates.create_opportunity, {
      opportunity_title: "Findable",
      contact_id: "6",
      stage_id: "1",
    })
    const byContact = await perform<Array<{ id: string }>>(searches.find_opportunity, { contact_id: "6" })
    expect(byContact.map((o) => o.id)).toContain(opportunity.id)
    expect(await perform(searches.find_opportunity, { opportunity_id: "987654" })).toEqual([])
    const tags = await perform<Array<{ id: string; name: string }>>(triggers.tag_list, {})
    const found = await perform<Array<{ id: string }>>(searches.find_tag, { name: tags[0]!.name })
    expect(found.map((t) => t.id)).toEqual([tags[0]!.id])
    expect(await perform(searches.find_tag, { name: "No Such Tag" })).toEqual([])
  })

  it("find or create contact is wired to the search and the create", () => {
    const soc = (KeyApp as any).searchOrCreates.find_contact
    expect(searches[soc.search]).toBeDefined()
    expect(creates[soc.create]).toBeDefined()
  })
})

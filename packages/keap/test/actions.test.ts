/**
 * Keap's actions that run one catalog operation (`Action.fromOperation`) against the
 * sandbox: fields flattened from parameters and body, paging left to the stream, bad
 * input refused before sending.
 */
import { Action } from "@crmkit/core"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { actions } from "../src/KeapActions.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ rateLimits: false, contacts: 12 })
const run = runWith(sandbox)

const find = (resource: string, name: string) => {
  const action = actions.find((a) => a.resource === resource && a.name === name)
  if (action === undefined) throw new Error(`no action ${resource} ${name}`)
  return action
}

const runAction = (resource: string, name: string, raw: unknown) => {
  const action = find(resource, name)
  return Effect.flatMap(Action.decodeInput("keap", action, raw), (input) =>
    action._tag === "Single" ? action.run(input) : Stream.runCollect(action.run(input)),
  )
}

describe("Keap actions from catalog operations", () => {
  it("flattens parameters and body into one set of fields, without the paging parameters", () => {
    const fields = Action.describe(find("notes", "update")).fields.map((f) => f.name)
    expect(fields).toEqual(expect.arrayContaining(["contact_id", "note_id", "title", "text", "user_id"]))
    expect(fields).not.toContain("body")
    const listTags = Action.describe(find("contacts", "list-tags"))
    expect(listTags.streams).toBe(true)
    expect(listTags.fields.map((f) => f.name)).not.toContain("page_token")
    expect(listTags.operations).toEqual(["listTagsForContact"])
  })

  it("creates, reads, updates and deletes a note through its catalog operations", async () => {
    const created = (await run(
      runAction("notes", "create", { contact: "3", user_id: "1", title: "Met", text: "Wants a demo" }),
    )) as { id: string }
    const got = (await run(runAction("notes", "get", { contact_id: "3", note_id: created.id }))) as { text: string }
    expect(got.text).toBe("Wants a demo")
    const updated = (await run(
      runAction("notes", "update", { contact_id: "3", note_id: created.id, user_id: "1", text: "Demo booked" }),
    )) as { text: string }
    expect(updated.text).toBe("Demo booked")
    await run(runAction("notes", "delete", { contact_id: "3", note_id: created.id }))
    const gone = await failureOf(sandbox)(runAction("notes", "get", { contact_id: "3", note_id: created.id }))
    expect(gone).toMatchObject({ reason: { _tag: "NotFound" } })
  })

  it("streams a paginated operation's records (a contact's tags)", async () => {
    const tag = (await run(runAction("tags", "create", { name: "From action" }))) as { id: string }
    await run(runAction("tags", "apply", { tag: tag.id, contact: ["4"] }))
    const tags = (await run(runAction("contacts", "list-tags", { contact_id: "4" }))) as ReadonlyArray<{
      tag?: { id?: string }
      id?: string
    }>
    expect(tags.map((t) => String(t.tag?.id ?? t.id))).toContain(String(tag.id))
  })

  it("refuses bad input before sending, naming the field", async () => {
    const before = sandbox().stats.snapshot().requests
    const error = await failureOf(sandbox)(runAction("notes", "update", { note_id: "3", text: 5 }))
    expect(error).toMatchObject({ reason: { _tag: "Validation" } })
    expect(String(error)).toContain("contact_id")
    expect(String(error)).toContain("text")
    expect(sandbox().stats.snapshot().requests).toBe(before)
  })

  it("finds contacts by id, email or any of their phones; a missing id finds none", async () => {
    const first = (await run(runAction("contacts", "get", { id: "5" }))) as {
      email_addresses: Array<{ email: string }>
      phone_numbers: Array<{ number: string }>
    }
    const byEmail = (await run(
      runAction("contacts", "find", { email: ` ${first.email_addresses[0]!.email} ` }),
    )) as Array<{ id: string }>
    expect(byEmail.map((c) => c.id)).toContain("5")
    const byPhone = (await run(runAction("contacts", "find", { phone: first.phone_numbers[0]!.number }))) as Array<{
      id: string
    }>
    expect(byPhone.map((c) => c.id)).toContain("5")
    expect(await run(runAction("contacts", "find", { id: "999999" }))).toEqual([])
    const none = await failureOf(sandbox)(runAction("contacts", "find", {}))
    expect(none.message).toContain("give at least one of: id, email, phone")
  })

  it("every action names the catalog operations it calls", () => {
    for (const action of actions) {
      expect(action.operations ?? [], `${action.resource} ${action.name}`).not.toHaveLength(0)
    }
  })
})

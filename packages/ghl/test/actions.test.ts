/**
 * HighLevel's actions that run one catalog operation (`Action.fromOperation`) and the
 * hand-written ones, against the sandbox: the location left to the connection, paging
 * left to the stream, every action naming the operations it calls (its scopes).
 */
import { Action } from "@crmkit/core"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { actions } from "../src/GhlActions.ts"
import { catalog, Locations } from "../src/index.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 5 })
const run = runWith(sandbox)

const find = (resource: string, name: string) => {
  const action = actions.find((a) => a.resource === resource && a.name === name)
  if (action === undefined) throw new Error(`no action ${resource} ${name}`)
  return action
}

const runAction = (resource: string, name: string, raw: unknown) => {
  const action = find(resource, name)
  return Effect.flatMap(Action.decodeInput("ghl", action, raw), (input) =>
    action._tag === "Single" ? action.run(input) : Stream.runCollect(action.run(input)),
  )
}

describe("HighLevel actions", () => {
  it("a note's update and delete run their catalog operations", async () => {
    const contact = (await run(
      runAction("contacts", "create", { firstName: "Noted", email: "noted@example.org" }),
    )) as {
      contact: { id: string }
    }
    const contactId = contact.contact.id
    const note = (await run(runAction("notes", "create", { contact: contactId, body: "First" }))) as {
      note: { id: string }
    }
    const updated = (await run(
      runAction("notes", "update", { contactId, id: note.note.id, body: "Second", userId: "u-1" }),
    )) as { note: { body: string } }
    expect(updated.note.body).toBe("Second")
    await run(runAction("notes", "delete", { contactId, id: note.note.id }))
    const notes = (await run(runAction("notes", "list", { contact: contactId }))) as { notes: ReadonlyArray<unknown> }
    expect(notes.notes).toHaveLength(0)
  })

  it("the location is the connection's: an operation that takes it may be given none", () => {
    const field = Action.describe(find("calendars", "list-events")).fields.find((f) => f.name === "locationId")
    expect(field?.required).toBe(false)
  })

  it("stages of one pipeline fill the stage dropdown", async () => {
    const pipelines = (await run(runAction("pipelines", "list", {}))) as {
      pipelines: ReadonlyArray<{ id: string; stages: ReadonlyArray<{ id: string }> }>
    }
    const first = pipelines.pipelines[0]!
    const stages = (await run(runAction("pipelines", "list-stages", { pipeline: first.id }))) as ReadonlyArray<{
      id: string
    }>
    expect(stages.map((s) => s.id)).toEqual(first.stages.map((s) => s.id))
    const every = (await run(runAction("pipelines", "list-stages", {}))) as ReadonlyArray<unknown>
    expect(every.length).toBe(pipelines.pipelines.flatMap((p) => p.stages).length)
  })

  it("finds contacts by email (any case) or id, and tags by name in any case", async () => {
    const created = (await run(
      runAction("contacts", "create", { firstName: "Findable", email: "find.me@example.org" }),
    )) as {
      contact: { id: string }
    }
    const found = (await run(runAction("contacts", "find", { email: "Find.Me@example.org" }))) as Array<{ id: string }>
    expect(found.map((c) => c.id)).toEqual([created.contact.id])
    const byId = (await run(runAction("contacts", "find", { id: created.contact.id }))) as Array<{ id: string }>
    expect(byId.map((c) => c.id)).toEqual([created.contact.id])
    expect(await run(runAction("contacts", "find", { id: "no-such-contact" }))).toEqual([])
    await run(Locations.createTag("VIP Clients"))
    await run(Locations.createTag("VIP"))
    const byName = (await run(runAction("tags", "find", { name: "vip clients " }))) as Array<{ name: string }>
    expect(byName.map((t) => t.name)).toEqual(["VIP Clients"])
  })

  it("refuses bad input before sending", async () => {
    const before = sandbox().stats.snapshot().requests
    const error = await failureOf(sandbox)(runAction("notes", "update", { id: "n-1", body: 3 }))
    expect(error.reason._tag).toBe("Validation")
    expect(error.message).toContain("contactId")
    expect(sandbox().stats.snapshot().requests).toBe(before)
  })

  it("every action names catalog operations, so an app's scopes derive from the actions it shows", () => {
    const ids = new Set(catalog.map((entry) => entry.id))
    for (const action of actions) {
      const operations = action.operations ?? []
      expect(operations, `${action.resource} ${action.name}`).not.toHaveLength(0)
      for (const id of operations) expect(ids, id).toContain(id)
    }
    const scopes = Action.scopesOf(actions.filter((a) => a.resource === "contacts").map(Action.describe), catalog)
    expect(scopes).toEqual(expect.arrayContaining(["contacts.readonly", "contacts.write"]))
  })
})

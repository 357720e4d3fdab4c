import { Effect, Stream } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import * as Contacts from "../src/services/Contacts.ts"
import { pitLayer, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 10_150, rateLimits: false })
beforeEach(() => sandbox().stats.reset())

const layer = (locationId?: string) => pitLayer(sandbox(), { locationId })
const run = runWith(sandbox)

describe("Contacts service", () => {
  it("creates, reads, updates, upserts, finds duplicates and deletes", async () => {
    const result = await run(
      Effect.gen(function* () {
        const created = yield* Contacts.create({ firstName: "Grace", email: "grace.svc@example.com" })
        const id = created.contact?.id as string
        const fetched = yield* Contacts.get(id)
        const updated = yield* Contacts.update(id, { lastName: "Hopper" })
        const duplicate = yield* Contacts.findDuplicate({ email: "grace.svc@example.com" })
        const upserted = yield* Contacts.upsert({ email: "grace.svc@example.com", city: "Arlington" })
        const removed = yield* Contacts.remove(id)
        const gone = yield* Effect.flip(Contacts.get(id))
        return { id, fetched, updated, duplicate, upserted, removed, gone }
      }),
    )
    expect(result.fetched.contact?.firstName).toBe("Grace")
    expect(result.updated.contact?.lastName).toBe("Hopper")
    expect((result.duplicate as { contact?: { id?: string } }).contact?.id).toBe(result.id)
    expect(result.upserted.contact?.id).toBe(result.id)
    expect(result.upserted.new).toBe(false)
    expect(result.removed.succeded).toBe(true)
    expect(result.gone.reason._tag).toBe("NotFound")
  })

  it("needs a location when the client has none", async () => {
    const error = await Effect.runPromise(
      Effect.flip(Contacts.create({ firstName: "No", email: "no.location@example.com" })).pipe(
        Effect.provide(layer(undefined)),
      ),
    )
    expect(error.reason._tag).toBe("Validation")
    expect(error.reason._tag === "Validation" && error.reason.fields[0]?.field).toBe("locationId")
    expect(sandbox().stats.requests).toBe(0)
  })

  it("searches with filters and sort, and streams past 10,000 records with searchAfter", async () => {
    const page = await run(
      Contacts.search({
        pageLimit: 5,
        filters: [{ field: "email", operator: "exists" }] as never,
        sort: [{ field: "dateAdded", direction: "asc" }] as never,
      }),
    )
    expect(page.contacts).toHaveLength(5)
    const all = await run(Stream.runCount(Contacts.searchAll({}, { pageSize: 500 })))
    expect(all).toBeGreaterThanOrEqual(10_150)
    const searches = sandbox().stats.route("POST /ghl/contacts/search")
    expect(searches).toBe(1 + Math.ceil((all + 1) / 500))
  })

  it("manages tags, notes, tasks, followers, campaigns and workflows", async () => {
    const out = await run(
      Effect.gen(function* () {
        const created = yield* Contacts.create({ firstName: "Tess", email: "tess.svc@example.com" })
        const id = created.contact?.id as string
        const tagged = yield* Contacts.addTags(id, ["VIP", "lead"])
        const untagged = yield* Contacts.removeTags(id, ["lead"])
        const note = yield* Contacts.createNote(id, { body: "Called, left a message" })
        const noteId = note.note?.id as string
        yield* Contacts.updateNote(id, noteId, { body: "Called back" })
        const notes = yield* Contacts.notes(id)
        yield* Contacts.deleteNote(id, noteId)
        const task = yield* Contacts.createTask(id, {
          title: "Send quote",
          dueDate: "2026-12-01T10:00:00Z",
          completed: false,
        })
        const taskId = task.task?.id as string
        const done = yield* Contacts.completeTask(id, taskId)
        const tasks = yield* Contacts.tasks(id)
        yield* Contacts.deleteTask(id, taskId)
        const followers = yield* Contacts.addFollowers(id, ["user-1", "user-2"])
        const fewer = yield* Contacts.removeFollowers(id, ["user-1"])
        const campaign = yield* Contacts.addToCampaign(id, "campaign-1")
        const noCampaign = yield* Contacts.removeFromCampaign(id, "campaign-1")
        const workflow = yield* Contacts.addToWorkflow(id, "workflow-1")
        const noWorkflow = yield* Contacts.removeFromWorkflow(id, "workflow-1")
        const appointments = yield* Contacts.appointments(id)
        return {
          tagged,
          untagged,
          notes,
          done,
          tasks,
          followers,
          fewer,
          campaign,
          noCampaign,
          workflow,
          noWorkflow,
          appointments,
        }
      }),
    )
    expect(out.tagged.tags).toEqual(["vip", "lead"])
    expect(out.untagged.tags).toEqual(["vip"])
    expect(out.notes.notes?.map((n) => n.body)).toEqual(["Called back"])
    expect(out.done.task?.completed).toBe(true)
    expect(out.tasks.tasks).toHaveLength(1)
    expect(out.followers.followersAdded).toEqual(["user-1", "user-2"])
    expect(out.fewer.followers).toEqual(["user-2"])
    expect([out.campaign, out.noCampaign, out.workflow, out.noWorkflow].every((r) => r.succeded === true)).toBe(true)
    expect(out.appointments.events).toEqual([])
  })

  it("validates a task before sending it", async () => {
    const error = await run(Effect.flip(Contacts.createTask("abc", { title: "x" } as never)))
    expect(error.reason._tag).toBe("Validation")
    expect(sandbox().stats.requests).toBe(0)
  })
})

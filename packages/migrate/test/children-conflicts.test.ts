/**
 * Notes, tasks and opportunities changed in the target count: a record changed on both sides is a
 * conflict resolved by its entity's policy; a change made only in the target stays and is not
 * overwritten; a change made only in the source is moved whatever the policy.
 */
import { Contacts as GhlContacts, Opportunities as GhlOpportunities } from "@crmkit/ghl"
import { Notes, Opportunities, Tasks } from "@crmkit/keap"
import { Effect, Stream } from "effect"
import { expect, it } from "vitest"
import { Engine, type Mapping } from "../src/index.ts"
import { sides, startBoth } from "./support.ts"
import { editedMapping, openState, routes, writesSince } from "./support-run.ts"

const on = <A>(side: Engine.Side, effect: Effect.Effect<A, unknown, any>) =>
  Effect.runPromise(Effect.provideContext(effect, side.services) as Effect.Effect<A, unknown>)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const idOf = (created: unknown) => String((created as { id: unknown }).id)

it("notes, tasks and opportunities edited on both sides follow their policy; one-sided edits are kept", async () => {
  const sandbox = await startBoth({ rateLimits: false, contacts: 10 }, { rateLimits: false, contacts: 0 })
  const s = await sides(sandbox)
  try {
    const note = (text: string) =>
      on(s.keap, Effect.map(Notes.create(1, { title: "Call", text, user_id: "1" } as never), idOf))
    const [na, nb, nc] = [await note("Na"), await note("Nb"), await note("Nc")]
    const task = (title: string) =>
      on(s.keap, Effect.map(Tasks.create({ title, contact_id: "2", assigned_to_user_id: "1" } as never), idOf))
    const [ta, tb] = [await task("Ta"), await task("Tb")]
    const deal = (title: string, value: number) =>
      on(
        s.keap,
        Effect.map(
          Opportunities.create({
            opportunity_title: title,
            contact_id: "3",
            stage_id: "1",
            projected_revenue_high: value,
          } as never),
          idOf,
        ),
      )
    const [oa, ob] = [await deal("Oa", 100), await deal("Ob", 200)]

    const [source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
    const state = await openState()
    const edited = editedMapping(source, target)
    const policies = (note: Mapping.Policy): Engine.Options => ({
      from: s.keap,
      to: s.ghl,
      state,
      mapping: { ...edited, conflicts: { ...edited.conflicts, note, task: "target-wins", opportunity: "newest-wins" } },
    })
    await Effect.runPromise(Engine.run(policies("review")))
    const link = async (entity: "note" | "task" | "opportunity" | "contact", id: string) =>
      (await Effect.runPromise(state.getLink(entity, id)))?.targetId as string
    const [ghl1, ghl2] = [await link("contact", "1"), await link("contact", "2")]

    // Notes: a both sides, b only HighLevel, c only Keap.
    await on(s.keap, Notes.update(1, na, { text: "Na keap", user_id: "1" } as never))
    await on(s.ghl, GhlContacts.updateNote(ghl1, await link("note", na), { body: "Call\n\nNa ghl" } as never))
    await on(s.ghl, GhlContacts.updateNote(ghl1, await link("note", nb), { body: "Call\n\nNb ghl" } as never))
    await on(s.keap, Notes.update(1, nc, { text: "Nc keap", user_id: "1" } as never))
    // Tasks (target-wins): a both sides, b only Keap.
    await on(s.keap, Tasks.update(ta, { title: "Ta keap" } as never))
    await on(s.ghl, GhlContacts.updateTask(ghl2, await link("task", ta), { title: "Ta ghl" } as never))
    await on(s.keap, Tasks.update(tb, { title: "Tb keap" } as never))
    // Opportunities (newest-wins): a HighLevel then Keap, b Keap then HighLevel.
    await on(s.ghl, GhlOpportunities.update(await link("opportunity", oa), { name: "Oa ghl" } as never))
    await on(s.keap, Opportunities.update(ob, { projected_revenue_high: 250 } as never))
    await sleep(30)
    await on(s.keap, Opportunities.update(oa, { projected_revenue_high: 150 } as never))
    await on(s.ghl, GhlOpportunities.update(await link("opportunity", ob), { name: "Ob ghl" } as never))

    const before = routes(sandbox)
    const report = await Effect.runPromise(Engine.run(policies("review")))
    const conflicts = (entity: "note" | "task" | "opportunity") =>
      report.entities[entity].conflicts.map((c) => [c.id, c.policy]).sort()
    expect(conflicts("note")).toEqual([[na, "review"]])
    expect(report.entities.note.conflicts[0]?.fields.body).toEqual({
      source: "Call\n\nNa keap",
      target: "Call\n\nNa ghl",
    })
    expect(conflicts("task")).toEqual([[ta, "target-wins"]])
    expect(conflicts("opportunity")).toEqual(
      [
        [oa, "newest-wins"],
        [ob, "newest-wins"],
      ].sort(),
    )
    const writes = writesSince(sandbox, before)
    expect(writes).toEqual({
      "PUT /ghl/contacts/:contactId/notes/:id": 1,
      "PUT /ghl/contacts/:contactId/tasks/:taskId": 1,
      "PUT /ghl/opportunities/:id": 1,
    })

    const notes = new Map(
      (await on(s.ghl, s.ghl.records.notesOf(ghl1))).map((n) => [n.id, n.body.replace("Call\n\n", "")]),
    )
    expect(notes.get(await link("note", na))).toBe("Na ghl") // held
    expect(notes.get(await link("note", nb))).toBe("Nb ghl") // the target's own edit stays
    expect(notes.get(await link("note", nc))).toBe("Nc keap") // the source's edit moves under review too
    const tasks = new Map((await on(s.ghl, s.ghl.records.tasksOf(ghl2, target))).map((t) => [t.id, t.title]))
    expect(tasks.get(await link("task", ta))).toBe("Ta ghl")
    expect(tasks.get(await link("task", tb))).toBe("Tb keap") // under target-wins: the target had not changed
    const deals = new Map(
      Array.from(
        await on(s.ghl, Stream.runCollect(s.ghl.records.opportunities(target))),
        (l) => [l._tag === "Ok" ? l.record.id : "", l._tag === "Ok" ? l.record : undefined] as const,
      ),
    )
    expect(deals.get(await link("opportunity", oa))).toMatchObject({ name: "Oa", value: 150 }) // Keap's, edited last
    expect(deals.get(await link("opportunity", ob))).toMatchObject({ name: "Ob ghl", value: 200 }) // HighLevel's
    expect((await Effect.runPromise(Engine.status(state))).held).toEqual([
      { entity: "note", sourceId: na, targetId: await link("note", na) },
    ])

    // In step again, the held note aside: it is listed again, and nothing is written.
    const quiet = routes(sandbox)
    const again = await Effect.runPromise(Engine.run(policies("review")))
    expect(again.writes).toBe(0)
    expect(again.entities.note.conflicts.map((c) => c.id)).toEqual([na])
    expect(writesSince(sandbox, quiet)).toEqual({})
    // The person decides for the source: the note is written and released.
    const resolved = await Effect.runPromise(Engine.run(policies("source-wins")))
    expect(resolved.entities.note.update).toBe(1)
    expect((await on(s.ghl, s.ghl.records.notesOf(ghl1))).find((n) => n.body.endsWith("Na keap"))).toBeDefined()
    expect((await Effect.runPromise(Engine.status(state))).held).toEqual([])
    expect((await Effect.runPromise(Engine.run(policies("review")))).writes).toBe(0)
  } finally {
    await s.close()
    await sandbox.close()
  }
})

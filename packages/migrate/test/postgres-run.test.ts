/**
 * Keap -> HighLevel on the PostgreSQL state: a run interrupted mid-contacts and mid-notes, its
 * state closed and opened again as another worker would, then resumed: every record in GHL once.
 */
import type { Records } from "@crmkit/core"
import { Effect } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import { Engine, type State, StatePostgres } from "../src/index.ts"
import { makeKeapData } from "./data.ts"
import { type PostgresServer, startPostgres } from "./postgresServer.ts"
import { type Both, sides, startBoth } from "./support.ts"
import { editedMapping, routes, runInterrupted, targetCounts, writesSince } from "./support-run.ts"

const SEEDED = 50
const CHILDREN = { notes: 20, tasks: 10, opportunities: 10 }

let postgres: PostgresServer
let sandbox: Both
let s: Awaited<ReturnType<typeof sides>>
let source: Records.Lookups
let target: Records.Lookups

beforeAll(async () => {
  postgres = await startPostgres()
  sandbox = await startBoth({ rateLimits: false, contacts: SEEDED }, { rateLimits: false, contacts: 0 })
  s = await sides(sandbox)
  await makeKeapData(s.keap, SEEDED, { emailDuplicates: 0, phonePairs: 0, badPhones: 0, ...CHILDREN })
  ;[source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
})
afterAll(async () => {
  await s?.close()
  await sandbox?.close()
  await postgres?.stop()
})

it("runs keap -> ghl on PostgreSQL: interrupted, reopened, resumed, every record once; verify agrees", async () => {
  const migration = "keap:sandbox -> ghl:sandbox"
  const open = () => Effect.runPromise(StatePostgres.openPostgres({ url: postgres.url, migration }))
  const options = (state: State.State): Engine.Options => ({
    from: s.keap,
    to: s.ghl,
    state,
    mapping: editedMapping(source, target),
  })
  const before = routes(sandbox)
  // Each interrupted run is a worker that stopped: its state is closed, the next one opens it again.
  for (const [entity, seen] of [
    ["contact", 20],
    ["note", 5],
  ] as const) {
    const state = await open()
    const outcome = await runInterrupted(options(state), (p) => p.entity === entity && p.seen >= seen)
    expect(outcome).toBe("interrupted")
    const linked = (await Effect.runPromise(state.counts())).links[entity] ?? 0
    expect(linked).toBeGreaterThan(0)
    expect(linked).toBeLessThan(entity === "contact" ? SEEDED : CHILDREN.notes)
    await Effect.runPromise(state.close())
  }
  const state = await open()
  try {
    const afterInterruptions = await Effect.runPromise(state.counts())
    expect(afterInterruptions.links.opportunity).toBeUndefined()
    const pending = afterInterruptions.intents.pending ?? 0
    const last = await Effect.runPromise(Engine.run(options(state)))
    expect(last.reconciled.found + last.reconciled.missing).toBe(pending)

    const counts = await targetCounts(s.ghl, target)
    expect(counts.contacts).toBe(SEEDED)
    expect(counts.distinctMarkers).toBe(SEEDED)
    expect(counts.notes).toBe(CHILDREN.notes)
    expect(counts.tasks).toBe(CHILDREN.tasks)
    expect(counts.opportunities).toBe(CHILDREN.opportunities)
    const writes = writesSince(sandbox, before)
    expect(writes["POST /ghl/contacts/"]).toBe(SEEDED)
    expect(writes["POST /ghl/contacts/:contactId/notes"]).toBe(CHILDREN.notes)
    expect(writes["POST /ghl/contacts/:contactId/tasks"]).toBe(CHILDREN.tasks)
    expect(writes["POST /ghl/opportunities/"]).toBe(CHILDREN.opportunities)
    // One completed intent per record (an intent found missing on resume is abandoned and replaced).
    const final = await Effect.runPromise(state.counts())
    expect(final.links).toEqual({
      contact: SEEDED,
      note: CHILDREN.notes,
      opportunity: CHILDREN.opportunities,
      task: CHILDREN.tasks,
    })
    expect(final.intents.done).toBe(SEEDED + CHILDREN.notes + CHILDREN.tasks + CHILDREN.opportunities)
    expect(final.intents.pending).toBeUndefined()

    const verification = await Effect.runPromise(Engine.verify({ from: s.keap, to: s.ghl, state }))
    expect(verification.ok).toBe(true)
    expect(verification.entities.contact.linked).toBe(SEEDED)
    expect(verification.entities.note.linked).toBe(CHILDREN.notes)
    const again = await Effect.runPromise(Engine.run(options(state)))
    expect(again.writes).toBe(0)
  } finally {
    await Effect.runPromise(state.close())
  }
})

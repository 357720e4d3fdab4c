/**
 * Issue #15's acceptance at full scale, with the real `crmkit migrate` process: 5,000 Keap
 * contacts (seeded ones with tags and custom fields, plus duplicates by email and by phone and
 * contacts with bad phones), notes, tasks and opportunities. `plan` sends no write and predicts
 * the run; `run` killed with SIGKILL at five points and run again ends with every record in GHL
 * exactly once, and `verify` agrees; a second `run` sends no write.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Made, makeKeapData } from "../../../packages/migrate/test/data.ts"
import { type Both, sides, startBoth } from "../../../packages/migrate/test/support.ts"
import { isWrite, routes, targetCounts, writesSince } from "../../../packages/migrate/test/support-run.ts"
import { type KillKind, type KillPoint, killAtWrite, killPoints } from "./support/killAtWrites.ts"
import { editProposals } from "./support/migrateMapping.ts"
import { crmkitAsync, sandboxEnv } from "./support.ts"

const CONTACTS = 5000
const EXTRA = { emailDuplicates: 60, phonePairs: 20, badPhones: 25 }
/** The sandbox's own seeded contacts; the extra ones are made through Keap's API. */
const SEEDED = CONTACTS - EXTRA.emailDuplicates - 2 * EXTRA.phonePairs - EXTRA.badPhones
/** Notes include pairs of identical ones on one contact, and notes on duplicates (they follow the merge). */
const CHILDREN = { notes: 1500, tasks: 700, opportunities: 400, repeatedNotePairs: 40, notesOnDuplicates: 30 }
/** Seed and number of the kill points; MIGRATE_KILL_SEED and MIGRATE_KILLS try others (the points are logged). */
const KILL_SEED = Number(process.env.MIGRATE_KILL_SEED ?? 15)
const KILLS = Number(process.env.MIGRATE_KILLS ?? 5)
const ENTITIES = ["contact", "note", "task", "opportunity"] as const
const CHILD_ENTITIES = ["note", "task", "opportunity"] as const

/** The parts of `crmkit migrate plan|run`'s JSON report this test reads. */
interface Report {
  readonly writes: number
  readonly reconciled: { readonly found: number; readonly missing: number }
  readonly entities: Record<
    (typeof ENTITIES)[number],
    {
      readonly create: number
      readonly update: number
      readonly matched: number
      readonly skipped: ReadonlyArray<{ readonly id: string; readonly reason: string }>
      readonly merges: ReadonlyArray<{ readonly sourceId: string; readonly matchedBy: string }>
    }
  >
}

interface Status {
  readonly links: Readonly<Record<string, number>>
  readonly intents: Readonly<Record<string, number>>
}

/** A kill, the writes the killed run sent, its open intents, and how the next run resolved them. */
interface Kill extends KillPoint {
  readonly kind: KillKind
  readonly writes: number
  readonly open: number
  found?: number
  missing?: number
}

const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0)

describe("crmkit migrate at scale: 5,000 Keap contacts, killed five times", { timeout: 180_000 }, () => {
  let sandbox: Both
  let s: Awaited<ReturnType<typeof sides>>
  let made: Made
  let env: Record<string, string>
  let plan: Report
  const started = Date.now()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-migrate-scale-"))
  const state = path.join(dir, "state.db")
  const mapping = path.join(dir, "mapping.yaml")
  const args = ["--from", "keap", "--to", "ghl", "--state", state, "--mapping", mapping]
  const status = async (): Promise<Status> => {
    const out = await crmkitAsync(["migrate", "status", "--state", state], env)
    expect(out.code, out.stderr).toBe(0)
    return JSON.parse(out.stdout) as Status
  }

  beforeAll(async () => {
    sandbox = await startBoth({ rateLimits: false, contacts: SEEDED }, { rateLimits: false, contacts: 0 })
    s = await sides(sandbox)
    made = await makeKeapData(s.keap, SEEDED, { ...EXTRA, ...CHILDREN }, { concurrency: 16 })
    env = {
      ...sandboxEnv(sandbox),
      // The sandbox limits nothing here, so the CLI need not pace itself by Keap's and GHL's limits.
      CRMKIT_RATE_LIMITS: "off",
    }
  }, 60_000)
  afterAll(async () => {
    console.log(`wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`)
    await s?.close()
    await sandbox?.close()
  })

  it("plan sends no write; its counts are the data's", async () => {
    // A pacing the CLI does not know is named before any request.
    const requests = sandbox.stats.requests
    const badPacing = await crmkitAsync(["migrate", "plan", ...args], { ...env, CRMKIT_RATE_LIMITS: "fast" })
    expect(badPacing.code).toBe(2)
    expect(badPacing.stderr).toMatch(/CRMKIT_RATE_LIMITS=fast: "off" sends without pacing/)
    expect(sandbox.stats.requests).toBe(requests)

    const before = routes(sandbox)
    // The first plan writes the mapping proposals; the person maps Keap's stages and second user.
    const proposed = await crmkitAsync(["migrate", "plan", ...args], env)
    expect(proposed.code, proposed.stderr).toBe(0)
    fs.writeFileSync(mapping, editProposals(fs.readFileSync(mapping, "utf8")))
    const file = path.join(dir, "plan.json")
    const planned = await crmkitAsync(["migrate", "plan", ...args, "--report", file], env)
    expect(planned.code, planned.stderr).toBe(0)
    // Reads only: GETs and contact searches (POSTs that change nothing).
    expect(writesSince(sandbox, before)).toEqual({})
    expect(sum(routes(sandbox))).toBeGreaterThan(sum(before))

    plan = JSON.parse(fs.readFileSync(file, "utf8")) as Report
    const contacts = plan.entities.contact
    expect(contacts.skipped).toHaveLength(made.badPhones)
    for (const skipped of contacts.skipped)
      expect(skipped.reason).toMatch(/^phone_numbers\.PHONE1: not a valid phone number.*"(12345|call me maybe)"$/)
    expect(contacts.merges.filter((m) => m.matchedBy === "email")).toHaveLength(made.emailDuplicates)
    expect(contacts.merges.filter((m) => m.matchedBy === "phone")).toHaveLength(made.phoneDuplicates)
    expect(contacts.merges).toHaveLength(made.emailDuplicates + made.phoneDuplicates)
    expect(contacts.create).toBe(CONTACTS - made.badPhones - made.emailDuplicates - made.phoneDuplicates)
    expect(contacts.matched).toBe(0)
    for (const [entity, n] of [
      ["note", made.notes],
      ["task", made.tasks],
      ["opportunity", made.opportunities],
    ] as const) {
      expect(plan.entities[entity].create, entity).toBe(n)
      expect(plan.entities[entity].skipped, entity).toEqual([])
      expect(plan.entities[entity].merges, entity).toEqual([])
      expect(plan.entities[entity].matched, entity).toBe(0)
    }
    for (const entity of ENTITIES) expect(plan.entities[entity].update, entity).toBe(0)
    expect(plan.writes).toBe(contacts.create + made.notes + made.tasks + made.opportunities)
  })

  it("run killed with SIGKILL at five random points, then run to the end: every record in GHL once, as planned; verify agrees", async () => {
    const before = routes(sandbox)
    const points = killPoints(
      KILL_SEED,
      ENTITIES.map((entity) => ({ name: entity, writes: plan.entities[entity].create })),
      KILLS,
    )
    const kills: Array<Kill> = []
    let abandoned = 0
    // Writes the sandbox received and dropped unserved, by route: the process's to send again.
    const lost: Record<string, number> = {}
    const dropped = sandbox.stats.abandoned
    for (const [i, point] of points.entries()) {
      // The write the process dies on lands unanswered, or (every other kill) is lost.
      const kind: KillKind = i % 2 === 0 ? "landed" : "lost"
      const nth = point.at - sum(writesSince(sandbox, before))
      expect(nth, JSON.stringify(point)).toBeGreaterThan(0)
      const killed = await killAtWrite(sandbox, isWrite, { nth, kind }, ["migrate", "run", ...args], env)
      // Killed, not finished.
      expect(killed.code, killed.stderr).toBeNull()
      if (kind === "lost" && killed.route !== undefined) lost[killed.route] = (lost[killed.route] ?? 0) + 1
      const after = await status()
      // Open intents: at least the one of the write the process died on.
      expect(after.intents.pending ?? 0).toBeGreaterThan(0)
      // This run first reconciled the open intents the kill before left: found in GHL, or not (sent again).
      const missing = (after.intents.abandoned ?? 0) - abandoned
      abandoned = after.intents.abandoned ?? 0
      const previous = kills.at(-1)
      if (previous !== undefined) {
        previous.found = previous.open - missing
        previous.missing = missing
      }
      kills.push({ ...point, kind, writes: killed.writes, open: after.intents.pending ?? 0 })
    }
    const last = await crmkitAsync(["migrate", "run", ...args], env)
    expect(last.code, last.stderr).toBe(0)
    const report = JSON.parse(last.stdout) as Report
    const lastKill = kills.at(-1) as Kill
    lastKill.found = report.reconciled.found
    lastKill.missing = report.reconciled.missing
    console.log(`kill seed ${KILL_SEED}: ${JSON.stringify(kills)}`)
    // The next run found in GHL what landed unanswered (and sent it no more), and sent again what was lost.
    for (const kill of kills) {
      expect((kill.found ?? 0) + (kill.missing ?? 0), JSON.stringify(kill)).toBe(kill.open)
      if (kill.kind === "landed") expect(kill.found, JSON.stringify(kill)).toBeGreaterThan(0)
      else expect(kill.missing, JSON.stringify(kill)).toBeGreaterThan(0)
    }
    // Skipped ones are reported again, each with the field and the value.
    expect(report.entities.contact.skipped).toEqual(plan.entities.contact.skipped)
    const final = await status()
    expect(final.intents.pending ?? 0).toBe(0)

    // What the sandbox served over all six runs: one create per planned create, nothing else.
    expect(sandbox.stats.abandoned - dropped).toBe(sum(lost))
    const served = writesSince(sandbox, before)
    for (const [route, n] of Object.entries(lost)) served[route] = (served[route] ?? 0) - n
    expect(served).toEqual({
      "POST /ghl/contacts/": plan.entities.contact.create,
      "POST /ghl/contacts/:contactId/notes": plan.entities.note.create,
      "POST /ghl/contacts/:contactId/tasks": plan.entities.task.create,
      "POST /ghl/opportunities/": plan.entities.opportunity.create,
    })
    // What the state maps: every planned create, and every merge onto its contact.
    expect(final.links).toEqual({
      contact: plan.entities.contact.create + plan.entities.contact.merges.length,
      note: plan.entities.note.create,
      task: plan.entities.task.create,
      opportunity: plan.entities.opportunity.create,
    })
    // What GHL holds: each record once, each contact with its own source marker.
    const lookups = await Effect.runPromise(Effect.provideContext(s.ghl.records.lookups(), s.ghl.services))
    const counts = await targetCounts(s.ghl, lookups)
    expect(counts.contacts).toBe(plan.entities.contact.create)
    expect(counts.markers).toBe(counts.contacts)
    expect(counts.distinctMarkers).toBe(counts.contacts)
    expect(counts.notes).toBe(plan.entities.note.create)
    expect(counts.tasks).toBe(plan.entities.task.create)
    expect(counts.opportunities).toBe(plan.entities.opportunity.create)

    const verify = await crmkitAsync(["migrate", "verify", ...args.slice(0, 6)], env)
    expect(verify.code, verify.stderr).toBe(0)
    const verified = JSON.parse(verify.stdout)
    expect(verified.ok).toBe(true)
    expect(verified.entities.contact).toMatchObject({
      source: CONTACTS - made.badPhones,
      skipped: made.badPhones,
      linked: plan.entities.contact.create + plan.entities.contact.merges.length,
      missing: [],
      duplicates: [],
      notMoved: [],
    })
    for (const entity of CHILD_ENTITIES)
      expect(verified.entities[entity], entity).toMatchObject({
        source: plan.entities[entity].create,
        linked: plan.entities[entity].create,
        missing: [],
        duplicates: [],
        notMoved: [],
      })
  })

  it("a second run sends no write", async () => {
    const before = routes(sandbox)
    const again = await crmkitAsync(["migrate", "run", ...args], env)
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout).writes).toBe(0)
    expect(writesSince(sandbox, before)).toEqual({})
  })
})

/**
 * A third CRM through the same engine: Keap -> TestCRM and TestCRM -> Keap. TestCRM (a made-up CRM
 * of contacts and deals) brings its record mapper in its own package; the engine, the core and the
 * way sides are built here (from any connector's runtime and a sandbox connection) name no CRM.
 */
import { type Connector, Records } from "@crmkit/core"
import { connector as keapConnector } from "@crmkit/keap/connector"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxConnection, startSandbox } from "@crmkit/sandbox"
import { connector as testcrmConnector } from "@crmkit/testcrm/connector"
import { simulator as testcrmSimulator } from "@crmkit/testcrm/sandbox"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Exit, Layer, Redacted, Scope, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Engine, Mapping, type State } from "../src/index.ts"
import { type Made, makeKeapData } from "./data.ts"
import { unlimited } from "./support.ts"
import { isWrite, openState, runInterrupted, targetCounts } from "./support-run.ts"

const start = (keap: number, testcrm: number) =>
  startSandbox({
    simulators: {
      keap: keapSimulator({ rateLimits: false, contacts: keap }),
      testcrm: testcrmSimulator({ rateLimits: false, contacts: testcrm }),
    },
  })
type Sandbox = Awaited<ReturnType<typeof start>>

/** A side from a connector's runtime and a sandbox connection: what any app does, for any CRM. */
const sideOf = async (connector: Connector.Connector, connection: SandboxConnection, scope: Scope.Scope) => {
  const runtime = await connector.load()
  if (runtime.records === undefined) throw new Error(`${connector.name} has no record mapper`)
  const layer = runtime
    .client({ baseUrl: connection.baseUrl, context: connection.context })
    .pipe(
      Layer.provide(runtime.keyCredentials(connection.credential.kind, Redacted.make(connection.credential.secret))),
      Layer.provide(unlimited),
      Layer.provide(NodeHttpClient.layerUndici),
    )
  const services = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  return { name: connector.name, records: runtime.records, services } satisfies Engine.Side
}

const sides = async (sandbox: Sandbox) => {
  const scope = Effect.runSync(Scope.make())
  return {
    keap: await sideOf(keapConnector, sandbox.connections.keap, scope),
    testcrm: await sideOf(testcrmConnector, sandbox.connections.testcrm, scope),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void)),
  }
}

const routes = (sandbox: Sandbox) => ({ ...sandbox.stats.snapshot().byRoute })

/** Requests per route since `before` that change something. */
const writesSince = (sandbox: Sandbox, before: Record<string, number>) => {
  const out: Record<string, number> = {}
  for (const [route, n] of Object.entries(sandbox.stats.snapshot().byRoute)) {
    const d = n - (before[route] ?? 0)
    if (d > 0 && isWrite(route)) out[route] = d
  }
  return out
}

/** TestCRM's API as it answers, for what the mapper does not show (the marker label, cents). */
const testcrmApi = async (sandbox: Sandbox, path: string) => {
  const response = await fetch(`${sandbox.testcrm.baseUrl}${path}`, {
    headers: { "x-api-key": sandbox.credentials.testcrm.apiKey },
  })
  expect(response.status).toBe(200)
  return (await response.json()) as { data: Array<Record<string, any>> }
}

const run = <A, E>(side: Engine.Side, effect: Effect.Effect<A, E, any>) =>
  Effect.runPromise(Effect.provideContext(effect, side.services))

const SEEDED = 300

describe("keap -> testcrm", () => {
  let sandbox: Sandbox
  let s: Awaited<ReturnType<typeof sides>>
  let made: Made
  let source: Records.Lookups
  let target: Records.Lookups
  let state: State.State
  let planReport: Engine.Report

  beforeAll(async () => {
    sandbox = await start(SEEDED, 0)
    s = await sides(sandbox)
    // TestCRM holds no notes or tasks: Keap's are reported as skipped, never sent.
    made = await makeKeapData(s.keap, SEEDED, {
      emailDuplicates: 10,
      phonePairs: 3,
      badPhones: 4,
      notes: 30,
      tasks: 20,
      opportunities: 60,
    })
    ;[source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.testcrm))
    state = await openState()
  })
  afterAll(async () => {
    await s?.close()
    await sandbox?.close()
  })

  /** The proposals, with Keap's stages mapped onto TestCRM's as a person would. */
  const mapping = (): Mapping.Mapping => ({
    ...Mapping.propose("keap", "testcrm", source, target),
    pipelines: { Default: { to: "Deals", stages: { New: "Lead", Qualified: "Proposal", Won: "Won" } } },
  })
  const options = (): Engine.Options => ({ from: s.keap, to: s.testcrm, state, mapping: mapping() })

  it("plan reads both sides and sends no write; its counts are the data's, and what TestCRM lacks is reported", async () => {
    expect(target.pipelines).toEqual([
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
    ])
    const before = routes(sandbox)
    planReport = await Effect.runPromise(Engine.plan(options()))
    expect(writesSince(sandbox, before)).toEqual({})
    const contacts = planReport.entities.contact
    const total = SEEDED + made.emailDuplicates + 2 * made.phoneDuplicates + made.badPhones
    expect(contacts.skipped).toHaveLength(made.badPhones)
    expect(contacts.merges).toHaveLength(made.emailDuplicates + made.phoneDuplicates)
    expect(contacts.merges.filter((m) => m.matchedBy === "phone")).toHaveLength(made.phoneDuplicates)
    expect(contacts.create).toBe(total - made.badPhones - made.emailDuplicates - made.phoneDuplicates)
    expect(planReport.entities.opportunity.create).toBe(made.opportunities)
    expect(target.holds).toEqual(["opportunity"])
    for (const entity of ["company", "note", "task", "customField"] as const)
      expect(planReport.entities[entity].create).toBe(0)
    expect(planReport.entities.note.skipped).toHaveLength(made.notes)
    expect(planReport.entities.task.skipped).toHaveLength(made.tasks)
    expect(new Set(planReport.entities.note.skipped.map((k) => k.reason))).toEqual(new Set(["testcrm holds no notes"]))
    expect(new Set(planReport.entities.task.skipped.map((k) => k.reason))).toEqual(new Set(["testcrm holds no tasks"]))
    expect(planReport.writes).toBe(contacts.create + made.opportunities)
    // TestCRM has no custom fields and no users: Keap's map to nothing, and values left behind are counted.
    expect(Object.values(mapping().customFields)).toEqual([null, null])
    expect(Object.values(mapping().users)).toEqual([null, null])
    expect(planReport.unmapped.customFields["Lead score"]).toBe(SEEDED)
    expect((await Effect.runPromise(state.counts())).links).toEqual({})
  })

  it("run interrupted and resumed puts every record in TestCRM exactly once; verify agrees", async () => {
    const before = routes(sandbox)
    const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min))
    const points: Array<[Engine.Progress["entity"], number]> = [
      ["contact", random(40, 250)],
      ["opportunity", random(5, 50)],
    ]
    for (const [entity, seen] of points) {
      const outcome = await runInterrupted(options(), (p) => p.entity === entity && p.seen >= seen)
      expect(outcome).toBe("interrupted")
    }
    const afterKills = await Effect.runPromise(state.counts())
    const linked = Object.values(afterKills.links).reduce((a, b) => a + b, 0)
    expect(linked).toBeGreaterThan(0)
    expect(afterKills.links.opportunity ?? 0).toBeLessThan(made.opportunities)
    const last = await Effect.runPromise(Engine.run(options()))
    expect(last.reconciled.found + last.reconciled.missing).toBe(afterKills.intents.pending ?? 0)
    expect(last.entities.note.skipped).toHaveLength(made.notes)
    expect(last.entities.task.skipped).toHaveLength(made.tasks)
    expect(last.entities.note.create + last.entities.task.create).toBe(0)

    const plan = planReport.entities
    const counts = await targetCounts(s.testcrm, target)
    expect(counts.contacts).toBe(plan.contact.create)
    expect(counts.markers).toBe(plan.contact.create)
    expect(counts.distinctMarkers).toBe(plan.contact.create)
    expect(counts.opportunities).toBe(made.opportunities)
    // One create per record at TestCRM, interruptions included: none sent twice, nothing else written.
    expect(writesSince(sandbox, before)).toEqual({
      "POST /testcrm/v1/contacts": plan.contact.create,
      "POST /testcrm/v1/deals": made.opportunities,
    })
    const verification = await Effect.runPromise(Engine.verify({ from: s.keap, to: s.testcrm, state }))
    expect(verification.ok).toBe(true)
    expect(verification.entities.contact.linked).toBe(plan.contact.create + plan.contact.merges.length)
    expect(verification.entities.contact.notMoved).toEqual([])
    expect(verification.entities.opportunity.linked).toBe(made.opportunities)
    expect(verification.entities.opportunity.notMoved).toEqual([])
    // Notes and tasks TestCRM does not hold are counted as skipped, not missing.
    expect(verification.entities.note).toMatchObject({ skipped: made.notes, linked: 0, missing: [], notMoved: [] })
    expect(verification.entities.task).toMatchObject({ skipped: made.tasks, linked: 0, missing: [], notMoved: [] })
  })

  it("carries names, email, phone in E.164, the address with an alpha-2 country, tags, stages and amounts", async () => {
    const keap = await run(s.keap, s.keap.records.getContact("7", source))
    if (keap?._tag !== "Ok") throw new Error("Keap contact 7 is not readable")
    const copy = (await targetCounts(s.testcrm, target)).byMarker.get("7")
    expect(copy?.givenName).toBe(keap.record.givenName)
    expect(copy?.familyName).toBe(keap.record.familyName)
    expect(copy?.emails).toEqual(keap.record.emails.slice(0, 1))
    expect(copy?.phones).toEqual(keap.record.phones.slice(0, 1))
    expect(copy?.addresses[0]).toMatchObject({ city: keap.record.addresses[0]?.city, country: "US" })
    expect(copy?.tags.slice().sort()).toEqual(keap.record.tags.slice().sort())
    // As TestCRM holds it: the marker is a label, hidden from the tags above.
    const raw = (await testcrmApi(sandbox, `/contacts?email=${encodeURIComponent(keap.record.emails[0]!)}`)).data
    expect(raw).toHaveLength(1)
    expect(raw[0]?.labels).toContain(`${Records.SOURCE_MARKER_PREFIX}7`)
    expect(raw[0]?.phone).toMatch(/^\+1\d{10}$/)

    const keapDeals = Array.from(await run(s.keap, Stream.runCollect(s.keap.records.opportunities(source))))
    const deals = (await testcrmApi(sandbox, "/deals?limit=100")).data
    expect(deals).toHaveLength(made.opportunities)
    const stageOf: Record<string, string> = { New: "lead", Qualified: "proposal", Won: "won" }
    const expected = keapDeals
      .flatMap((o) => (o._tag === "Ok" ? [o.record] : []))
      .map((o) => `${o.name}|${(o.value ?? 0) * 100}|${stageOf[o.stage]}`)
      .sort()
    expect(deals.map((d) => `${d.title}|${d.amount}|${d.stage}`).sort()).toEqual(expected)
    expect(deals.every((d) => typeof d.contactId === "string")).toBe(true)
  })

  it("a second run writes nothing, and an edit in Keap crosses as one update", async () => {
    const before = routes(sandbox)
    const again = await Effect.runPromise(Engine.run(options()))
    expect(again.writes).toBe(0)
    expect(writesSince(sandbox, before)).toEqual({})
    const full = await Effect.runPromise(Engine.plan({ ...options(), full: true }))
    expect(full.writes).toBe(0)

    const { Contacts } = await import("@crmkit/keap")
    await run(s.keap, Contacts.update("9", { family_name: "Renamed" } as never))
    const edited = routes(sandbox)
    const delta = await Effect.runPromise(Engine.run(options()))
    expect(delta.entities.contact.update).toBe(1)
    expect(writesSince(sandbox, edited)).toEqual({ "PATCH /testcrm/v1/contacts/:id": 1 })
    expect((await targetCounts(s.testcrm, target)).byMarker.get("9")?.familyName).toBe("Renamed")
  })
})

describe("testcrm -> keap", () => {
  it("moves TestCRM's contacts and deals into an empty Keap; a delta run reads only what TestCRM changed", async () => {
    const sandbox = await start(0, 40)
    const s = await sides(sandbox)
    try {
      const [source, target] = await Effect.runPromise(Engine.lookups(s.testcrm, s.keap))
      const proposed = Mapping.propose("testcrm", "keap", source, target)
      // Keap's one pipeline is proposed for TestCRM's; stages match by name where they can.
      expect(proposed.pipelines).toEqual({
        Deals: { to: "Default", stages: { Lead: null, Proposal: null, Won: "Won", Lost: null } },
      })
      const mapping: Mapping.Mapping = {
        ...proposed,
        pipelines: { Deals: { to: "Default", stages: { Lead: "New", Proposal: "Qualified", Won: "Won", Lost: null } } },
      }
      const state = await openState()
      const options: Engine.Options = { from: s.testcrm, to: s.keap, state, mapping }
      const report = await Effect.runPromise(Engine.run(options))
      expect(report.entities.contact.create).toBe(40)
      // Seeded deals cycle through the four stages: the ten in Lost are not mapped, and say so.
      expect(report.entities.opportunity.create).toBe(30)
      expect(report.entities.opportunity.skipped).toHaveLength(10)
      expect(report.entities.opportunity.skipped[0]?.reason).toBe('stage "Lost" of pipeline "Deals" is not mapped')

      const keap = Array.from(await run(s.keap, Stream.runCollect(s.keap.records.contacts(target))))
      const contacts = keap.flatMap((c) => (c._tag === "Ok" ? [c.record] : []))
      expect(contacts).toHaveLength(40)
      const tcrm = Array.from(await run(s.testcrm, Stream.runCollect(s.testcrm.records.contacts(source))))
      const first = tcrm.flatMap((c) => (c._tag === "Ok" ? [c.record] : []))[0]
      const copy = contacts.find((c) => c.emails[0] === first?.emails[0])
      expect(copy?.givenName).toBe(first?.givenName)
      expect(copy?.phones).toEqual(first?.phones)
      expect(copy?.addresses[0]?.country).toBe("US")
      expect(copy?.addresses[0]?.city).toBe(first?.addresses[0]?.city)
      expect(copy?.tags.slice().sort()).toEqual(first?.tags.slice().sort())
      expect((await Effect.runPromise(Engine.verify(options))).ok).toBe(true)

      const before = routes(sandbox)
      const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
      expect(again.writes).toBe(0)
      expect(writesSince(sandbox, before)).toEqual({})

      // An edit in TestCRM: the next run asks TestCRM only for contacts updated since the last run.
      const patched = await fetch(`${sandbox.testcrm.baseUrl}/contacts/c5`, {
        method: "PATCH",
        headers: { "x-api-key": sandbox.credentials.testcrm.apiKey, "content-type": "application/json" },
        body: JSON.stringify({ lastName: "Edited" }),
      })
      expect(patched.status).toBe(200)
      const delta = await Effect.runPromise(Engine.run(options))
      expect(delta.delta).toBe(true)
      expect(delta.entities.contact.update).toBe(1)
      expect(delta.entities.contact.unchanged).toBe(0)
      const moved = Array.from(await run(s.keap, Stream.runCollect(s.keap.records.contacts(target))))
      expect(moved.filter((c) => c._tag === "Ok" && c.record.familyName === "Edited")).toHaveLength(1)
    } finally {
      await s.close()
      await sandbox.close()
    }
  })
})

describe("what TestCRM does not have", () => {
  it("Keap notes and tasks are reported as skipped and never sent; contacts and deals move; a second run writes nothing", async () => {
    const sandbox = await start(5, 0)
    const s = await sides(sandbox)
    try {
      const made = await makeKeapData(s.keap, 5, {
        emailDuplicates: 0,
        phonePairs: 0,
        badPhones: 0,
        notes: 2,
        tasks: 1,
        opportunities: 2,
      })
      const [source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.testcrm))
      const state = await openState()
      const options: Engine.Options = {
        from: s.keap,
        to: s.testcrm,
        state,
        mapping: {
          ...Mapping.propose("keap", "testcrm", source, target),
          pipelines: { Default: { to: "Deals", stages: { New: "Lead", Qualified: "Proposal", Won: "Won" } } },
        },
      }
      const expectSkipped = (report: Engine.Report) => {
        expect(report.entities.note.skipped).toHaveLength(made.notes)
        expect(report.entities.note.skipped[0]?.reason).toBe("testcrm holds no notes")
        expect(report.entities.task.skipped).toEqual([{ id: expect.any(String), reason: "testcrm holds no tasks" }])
        expect(report.entities.note.create + report.entities.task.create).toBe(0)
      }
      const plan = await Effect.runPromise(Engine.plan(options))
      expectSkipped(plan)
      expect(plan.writes).toBe(5 + made.opportunities)

      const before = routes(sandbox)
      const report = await Effect.runPromise(Engine.run(options))
      expectSkipped(report)
      expect(report.entities.contact.create).toBe(5)
      expect(report.entities.opportunity.create).toBe(made.opportunities)
      // Nothing was sent for the notes and the task: only the contacts and deals.
      expect(writesSince(sandbox, before)).toEqual({
        "POST /testcrm/v1/contacts": 5,
        "POST /testcrm/v1/deals": made.opportunities,
      })
      const verification = await Effect.runPromise(Engine.verify(options))
      expect(verification.ok).toBe(true)
      expect(verification.entities.note).toMatchObject({ skipped: made.notes, missing: [] })

      const quiet = routes(sandbox)
      const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
      expect(again.writes).toBe(0)
      expectSkipped(again)
      expect(writesSince(sandbox, quiet)).toEqual({})
    } finally {
      await s.close()
      await sandbox.close()
    }
  })
})

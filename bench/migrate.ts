/**
 * The migration section of the benchmark (issue #15): a Keap -> HighLevel migration
 *  1. against a sandbox enforcing both providers' published windows, with the client's own
 *     rate limiting: records per second as a ratio of the ceiling the slower side's windows
 *     allow for the requests per record the run needed, and the 429s;
 *  2. in a process of its own, with windows that never bind, for 10,000 and 100,000
 *     contacts: peak RSS, peak heap and the heap still live after a full GC.
 * `BENCH_MIGRATE_PARTS=memory` (or `throughput`) measures one part and keeps the other's recorded numbers.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { TokenStore } from "@crmkit/core"
import {
  GHL_BURST_WINDOW,
  GHL_DAILY_WINDOW,
  type GhlSandboxOptions,
  simulator as ghlSimulator,
} from "@crmkit/ghl/sandbox"
import { KeapAuth, KeapClient } from "@crmkit/keap"
import { KEAP_API_KEY_WINDOWS, type KeapSandboxOptions, simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { Engine, State } from "@crmkit/migrate"
import { startSandbox } from "@crmkit/sandbox"
import { Duration, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { FetchHttpClient } from "effect/http"
import {
  type MigrationEndpoints,
  memoryRateLimits,
  migrationMapping,
  migrationSides,
  rateLimitsNeverBinding,
  seedKeapChildren,
} from "./migrate-support.ts"

const here = path.dirname(new URL(import.meta.url).pathname)
const log = (text: string) => process.stderr.write(`${text}\n`)
const round = (x: number, digits = 2) => Number(x.toFixed(digits))

/** Seeded Keap contacts (tags, custom fields, an owner) and the children made on them. */
const THROUGHPUT_DATA = { contacts: 500, notes: 150, tasks: 100, opportunities: 50 }
const MEMORY_CONTACTS = [10_000, 100_000]
const childrenFor = (contacts: number) => ({ notes: contacts / 10, tasks: contacts / 20, opportunities: contacts / 20 })

interface Window {
  readonly limit: number
  readonly windowMs: number
}

/** Fastest completion one window allows for n requests: the window full, again and again. */
const windowSeconds = (requests: number, w: Window) => ((Math.ceil(requests / w.limit) - 1) * w.windowMs) / 1000
/** Fastest completion the windows allow for n requests: the one that binds, full, back to back. */
const fastestSeconds = (requests: number, windows: ReadonlyArray<Window>) =>
  Math.max(...windows.map((w) => windowSeconds(requests, w)))
/**
 * Requests per second allowed over a run of n requests: the average rate of the window that
 * binds for n (the shortest when none does). HighLevel's daily quota (200,000, 2.3/s on
 * average) binds only for a run of more than 200,000 requests.
 */
const allowedPerSecond = (requests: number, windows: ReadonlyArray<Window>) => {
  const binding = windows.reduce((a, b) => (windowSeconds(requests, b) > windowSeconds(requests, a) ? b : a))
  return binding.limit / (binding.windowMs / 1000)
}

const endpointsOf = (sandbox: {
  keap: { baseUrl: string }
  ghl: { baseUrl: string }
  credentials: {
    keap: { personalAccessToken: string }
    ghl: { privateIntegrationToken: string; locationId: string }
  }
}): MigrationEndpoints => ({
  keapBaseUrl: sandbox.keap.baseUrl,
  keapApiKey: sandbox.credentials.keap.personalAccessToken,
  ghlBaseUrl: sandbox.ghl.baseUrl,
  ghlToken: sandbox.credentials.ghl.privateIntegrationToken,
  ghlLocationId: sandbox.credentials.ghl.locationId,
})

const startBoth = (keap: KeapSandboxOptions, ghl: GhlSandboxOptions) =>
  startSandbox({ simulators: { keap: keapSimulator(keap), ghl: ghlSimulator(ghl) } })

/** Throws unless the run created every seeded record, once. */
const checkCreated = (
  summary: ReturnType<typeof Engine.summary>,
  data: { contacts: number; notes: number; tasks: number; opportunities: number },
) => {
  const want = { contact: data.contacts, note: data.notes, task: data.tasks, opportunity: data.opportunities }
  for (const [entity, count] of Object.entries(want)) {
    const got = summary.entities[entity as keyof typeof want]
    if (got?.create !== count || got.skipped !== 0)
      throw new Error(`migration created ${got?.create} ${entity} records of ${count} (${got?.skipped} skipped)`)
  }
}

async function throughput() {
  const data = THROUGHPUT_DATA
  const records = data.contacts + data.notes + data.tasks + data.opportunities
  // Both simulators enforce their published windows; HighLevel starts empty, as a new sub-account.
  const sandbox = await startBoth({ contacts: data.contacts }, { contacts: 0 })
  const scope = Effect.runSync(Scope.make())
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-bench-migrate-"))
  try {
    // The migration runs on Keap's Personal Access Token; the children are made beforehand
    // through the OAuth app, whose budget the simulator counts apart.
    const rateLimits = await memoryRateLimits(scope)
    const sides = await migrationSides(endpointsOf(sandbox), rateLimits)
    const [source, target] = await Effect.runPromise(Engine.lookups(sides.keap, sides.ghl))
    const lookedUp = performance.now()
    const app: KeapAuth.OAuthApp = {
      clientId: sandbox.credentials.keap.oauthApp.clientId,
      clientSecret: Redacted.make(sandbox.credentials.keap.oauthApp.clientSecret),
      tokenUrl: sandbox.keap.tokenUrl,
    }
    const tokens = await Effect.runPromise(
      KeapAuth.exchangeCode(
        app,
        sandbox.keap.issueAuthorizationCode(),
        sandbox.credentials.keap.oauthApp.redirectUri,
      ).pipe(Effect.provide(FetchHttpClient.layer)),
    )
    const seeder = await Effect.runPromise(
      Layer.buildWithScope(
        KeapClient.layerWithMemoryRateLimits({ baseUrl: sandbox.keap.baseUrl }).pipe(
          Layer.provide(KeapAuth.layerOAuth(app)),
          Layer.provide(TokenStore.layerMemory({ [KeapAuth.storeKey(app.clientId)]: tokens })),
          Layer.provide(FetchHttpClient.layer),
        ),
        scope,
      ),
    )
    await seedKeapChildren(seeder, data.contacts, data, 4)
    // The look-ups above spent part of HighLevel's 10-second window: let it pass, so that the
    // run starts with full windows on both sides, as the ceiling assumes.
    const windowPassed = GHL_BURST_WINDOW.windowMs + 500 - (performance.now() - lookedUp)
    if (windowPassed > 0) await new Promise((resolve) => setTimeout(resolve, windowPassed))

    const state = await Effect.runPromise(State.openSqlite(path.join(stateDir, "state.db")))
    sandbox.stats.reset()
    const waitedBefore = Duration.toMillis(await Effect.runPromise(rateLimits.waited))
    const started = performance.now()
    const report = await Effect.runPromise(
      Engine.run({ from: sides.keap, to: sides.ghl, state, mapping: migrationMapping(source, target) }),
    )
    const seconds = (performance.now() - started) / 1000
    const waitedSeconds = (Duration.toMillis(await Effect.runPromise(rateLimits.waited)) - waitedBefore) / 1000
    await Effect.runPromise(state.close())
    await sides.close()
    const summary = Engine.summary(report)
    checkCreated(summary, data)

    const stats = sandbox.stats.snapshot()
    const routes = (prefix: string) =>
      Object.fromEntries(Object.entries(stats.byRoute).filter(([route]) => route.split(" ")[1]!.startsWith(prefix)))
    const keapWindows = [KEAP_API_KEY_WINDOWS.spike, KEAP_API_KEY_WINDOWS.throttle, KEAP_API_KEY_WINDOWS.quota]
    const ghlWindows = [GHL_BURST_WINDOW, GHL_DAILY_WINDOW]
    const side = (name: "keap" | "ghl", windows: ReadonlyArray<Window>, described: string) => {
      const counters = stats.byProvider[name]!
      const perRecord = counters.requests / records
      return {
        windows: described,
        requests: counters.requests,
        requestsPerRecord: round(perRecord, 4),
        fastestSeconds: round(fastestSeconds(counters.requests, windows)),
        allowedRequestsPerSecond: round(allowedPerSecond(counters.requests, windows), 3),
        rateCeilingRecordsPerSecond: round(allowedPerSecond(counters.requests, windows) / perRecord),
        responses429: counters.rateLimited,
        byRoute: routes(`/${name}/`),
      }
    }
    const keap = side("keap", keapWindows, "PAT: 10/s, 240/min, 30,000/day")
    const ghl = side("ghl", ghlWindows, "PIT, per location: 100/10 s, 200,000/day")
    const slower = ghl.fastestSeconds >= keap.fastestSeconds ? "ghl" : "keap"
    const ceilingSeconds = Math.max(keap.fastestSeconds, ghl.fastestSeconds)
    const rateCeiling = Math.min(keap.rateCeilingRecordsPerSecond, ghl.rateCeilingRecordsPerSecond)
    const result = {
      data: {
        ...data,
        targetContactsBefore: 0,
        entities: "contacts (tags, custom fields, owner), notes, tasks, opportunities",
      },
      records,
      writes: report.writes,
      seconds: round(seconds),
      recordsPerSecond: round(records / seconds),
      slowerSide: slower,
      ceilingSeconds,
      ceilingRecordsPerSecond: round(records / ceilingSeconds),
      ratioOfCeiling: round(ceilingSeconds / seconds, 3),
      rateCeilingRecordsPerSecond: rateCeiling,
      ratioOfRateCeiling: round(records / seconds / rateCeiling, 3),
      responses429: keap.responses429 + ghl.responses429,
      rateLimitWaitSeconds: round(waitedSeconds, 1),
      keap,
      ghl,
    }
    log(
      `migrate throughput: ${records} records in ${result.seconds} s (${result.recordsPerSecond}/s), ceiling ${result.ceilingRecordsPerSecond}/s set by ${slower}, ratio ${result.ratioOfCeiling}, ${result.responses429} x 429`,
    )
    return result
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await sandbox.close()
    fs.rmSync(stateDir, { recursive: true, force: true })
  }
}

interface MemoryRun {
  readonly seconds: number
  readonly peakRssMb: number
  readonly peakHeapMb: number
  readonly liveHeapMb: { readonly beforeRun: number; readonly contactsDone: number; readonly runDone: number }
  readonly summary: ReturnType<typeof Engine.summary>
}

/** Runs bench/migrate-memory.ts in a child process and reads its report. */
const memoryChild = (config: MigrationEndpoints & { stateFile: string; snapshotFile?: string }) =>
  new Promise<MemoryRun>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", path.join(here, "migrate-memory.ts"), JSON.stringify(config)],
      { stdio: ["ignore", "pipe", "inherit"] },
    )
    let out = ""
    child.stdout!.on("data", (d: Buffer) => (out += d))
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as MemoryRun) : reject(new Error(`migration child exited ${code}`)),
    )
  })

/**
 * `BENCH_MIGRATE_SNAPSHOTS=<dir>` also writes a V8 heap snapshot per run when the
 * contacts are done (<dir>/migrate-<contacts>.heapsnapshot), to see what the heap holds.
 */
async function memory() {
  const snapshots = process.env.BENCH_MIGRATE_SNAPSHOTS
  const runs = []
  for (const contacts of MEMORY_CONTACTS) {
    const children = childrenFor(contacts)
    const sandbox = await startBoth({ contacts, rateLimits: false }, { contacts: 0, rateLimits: false })
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-bench-migrate-"))
    const scope = Effect.runSync(Scope.make())
    try {
      const seeder = await migrationSides(endpointsOf(sandbox), await memoryRateLimits(scope, rateLimitsNeverBinding))
      await seedKeapChildren(seeder.keap.services, contacts, children)
      await seeder.close()
      const run = await memoryChild({
        ...endpointsOf(sandbox),
        stateFile: path.join(stateDir, "state.db"),
        ...(snapshots === undefined ? {} : { snapshotFile: path.join(snapshots, `migrate-${contacts}.heapsnapshot`) }),
      })
      checkCreated(run.summary, { contacts, ...children })
      const records = contacts + children.notes + children.tasks + children.opportunities
      const row = {
        contacts,
        records,
        seconds: round(run.seconds, 1),
        peakRssMb: round(run.peakRssMb, 1),
        peakHeapMb: round(run.peakHeapMb, 1),
        liveHeapMb: {
          beforeRun: round(run.liveHeapMb.beforeRun, 1),
          contactsDone: round(run.liveHeapMb.contactsDone, 1),
          runDone: round(run.liveHeapMb.runDone, 1),
        },
      }
      log(
        `migrate memory: ${contacts} contacts (${records} records) in ${row.seconds} s, peak RSS ${row.peakRssMb} MB, peak heap ${row.peakHeapMb} MB, live heap ${row.liveHeapMb.beforeRun} -> ${row.liveHeapMb.contactsDone} MB when the contacts are done`,
      )
      runs.push(row)
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      await sandbox.close()
      fs.rmSync(stateDir, { recursive: true, force: true })
    }
  }
  const [small, large] = [runs[0]!, runs[runs.length - 1]!]
  const growth = (large.liveHeapMb.contactsDone - small.liveHeapMb.contactsDone) / (large.contacts - small.contacts)
  return {
    children: "notes, tasks and opportunities: 1/10, 1/20 and 1/20 of the contacts",
    runs,
    peakRssRatio: round(large.peakRssMb / small.peakRssMb),
    peakHeapRatio: round(large.peakHeapMb / small.peakHeapMb),
    liveHeapKbPerContact: round(growth * 1024, 2),
  }
}

type ThroughputResult = Awaited<ReturnType<typeof throughput>>
type MemoryResult = Awaited<ReturnType<typeof memory>>
/** A part taken from the results recorded before, when this run measured only the other one. */
type Kept = { readonly keptFrom?: string | undefined }

const PARTS = ["throughput", "memory"] as const
type Part = (typeof PARTS)[number]

/** The parts `BENCH_MIGRATE_PARTS` (comma-separated) asks for; both by default. */
const partsWanted = (): ReadonlySet<Part> => {
  const asked = (process.env.BENCH_MIGRATE_PARTS ?? PARTS.join(","))
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
  const unknown = asked.filter((part) => !(PARTS as ReadonlyArray<string>).includes(part))
  if (unknown.length > 0 || asked.length === 0)
    throw new Error(`BENCH_MIGRATE_PARTS: no part "${unknown.join(", ")}"; the parts are ${PARTS.join(", ")}`)
  return new Set(asked as Array<Part>)
}

/** A part of the migrate section as recorded in bench/results/latest.json, with the date it was measured. */
const recorded = <P extends Part>(part: P): MigrateResults[P] => {
  const file = path.join(here, "results", "latest.json")
  const previous = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as {
        date: string
        migrate?: MigrateResults
        measuredApart?: { migrate?: { date: string } }
      })
    : undefined
  const kept = previous?.migrate?.[part]
  if (previous === undefined || kept === undefined)
    throw new Error(`BENCH_MIGRATE_PARTS: no ${part} numbers recorded in ${file} to keep; measure both parts`)
  return { ...kept, keptFrom: kept.keptFrom ?? previous.measuredApart?.migrate?.date ?? previous.date }
}

/**
 * `BENCH_MIGRATE_PARTS=memory` (or `throughput`) measures only that part, in about half the
 * time; the other part keeps the numbers recorded before, marked with their date.
 */
// Checked when the benchmark starts, not once the sections before this one have run.
const parts = partsWanted()

export async function migrate(): Promise<{ throughput: ThroughputResult & Kept; memory: MemoryResult & Kept }> {
  return {
    throughput: parts.has("throughput") ? await throughput() : recorded("throughput"),
    memory: parts.has("memory") ? await memory() : recorded("memory"),
  }
}

export type MigrateResults = Awaited<ReturnType<typeof migrate>>

const keptNote = (part: Kept) =>
  part.keptFrom === undefined ? "" : ` (measured ${part.keptFrom}, kept by a run that measured the other part)`

/** The section's part of latest.md. */
export const migrateMarkdown = (results: MigrateResults): Array<string> => {
  const t = results.throughput
  const m = results.memory
  const [small, large] = [m.runs[0]!, m.runs[m.runs.length - 1]!]
  return [
    `## 6. Migration Keap -> HighLevel (targets: >= 0.9 of the ceiling the slower side's windows allow; peak memory flat from ${small.contacts} to ${large.contacts} contacts)`,
    ``,
    `Throughput${keptNote(t)}: \`Engine.run\` against the sandbox with both simulators enforcing their published windows and the client's own rate limiting (memory budgets), Keap by Personal Access Token, HighLevel by Private Integration Token, HighLevel empty at the start. ${t.data.contacts} seeded Keap contacts with tags and custom fields, ${t.data.notes} notes, ${t.data.tasks} tasks and ${t.data.opportunities} opportunities: ${t.records} records. Requests per record are counted by the sandbox during the run; a side's ceiling is the fastest schedule its windows allow for those requests (full windows back to back), the slower side's sets the run's. The rate ceiling divides the requests per second the binding window allows on average (HighLevel: 10/s) by the requests per record; it ignores the first window's burst, so a short run can pass it.`,
    ``,
    `| records | seconds | records/s | slower side | ceiling records/s | ratio | rate ceiling records/s | ratio to rate ceiling | 429s | waits in the limiter (s, summed over fibers) |`,
    `| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
    `| ${t.records} | ${t.seconds} | ${t.recordsPerSecond} | ${t.slowerSide} | ${t.ceilingRecordsPerSecond} | ${t.ratioOfCeiling} | ${t.rateCeilingRecordsPerSecond} | ${t.ratioOfRateCeiling} | ${t.responses429} | ${t.rateLimitWaitSeconds} |`,
    ``,
    `| side | windows | requests | per record | fastest schedule s | allowed requests/s | rate ceiling records/s | 429s |`,
    `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...(["keap", "ghl"] as const).map((k) => {
      const s = t[k]
      return `| ${k} | ${s.windows} | ${s.requests} | ${s.requestsPerRecord} | ${s.fastestSeconds} | ${s.allowedRequestsPerSecond} | ${s.rateCeilingRecordsPerSecond} | ${s.responses429} |`
    }),
    ``,
    `Memory${keptNote(m)}: the migration in a process of its own (the sandbox serves from the parent), windows that never bind, state in SQLite on disk; ${m.children}. Peak RSS from \`process.resourceUsage().maxRSS\`; peak heap sampled every 25 ms; live heap after a full GC before the run, when every contact is written, and at the end.`,
    ``,
    `| contacts | records | seconds | peak RSS MB | peak heap MB | live heap before MB | live heap, contacts done MB | live heap at the end MB |`,
    `| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...m.runs.map(
      (r) =>
        `| ${r.contacts} | ${r.records} | ${r.seconds} | ${r.peakRssMb} | ${r.peakHeapMb} | ${r.liveHeapMb.beforeRun} | ${r.liveHeapMb.contactsDone} | ${r.liveHeapMb.runDone} |`,
    ),
    ``,
    `Peak RSS ${large.contacts} / ${small.contacts}: ${m.peakRssRatio}; peak heap: ${m.peakHeapRatio}; live heap grows ${m.liveHeapKbPerContact} KB per contact.`,
    ``,
  ]
}

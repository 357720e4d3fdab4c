/**
 * `crmkit migrate plan|run|status|verify --from keap --to ghl --state FILE [--mapping FILE]
 * [--report FILE]`: a migration between two CRMs through their record mappers
 * (`@crmkit/migrate`). `plan` writes no record and, on first use, the mapping file with its
 * proposals; `run` moves what changed since the last run, exactly once, and resumes after
 * any interruption. Progress on stderr; reports as JSON on stdout or in `--report`.
 * Credentials as elsewhere (environment or profiles), `KEAP_BASE_URL` / `GHL_BASE_URL` per
 * side; `--sandbox` serves both sides from one embedded sandbox (gone when the command ends).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { Connector } from "@crmkit/core"
import * as Console from "effect/Console"
import { Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { connectorNamed, connectors } from "../connectors.ts"
import * as Lazy from "../Lazy.ts"
import * as Progress from "../Progress.ts"
import { root } from "../Root.ts"
import { UsageError } from "../UsageError.ts"
import { followCommand } from "./migrateFollow.ts"
import { enqueueCommand, jobsCommand, workerCommand } from "./migrateJobs.ts"

export const Migrate = Effect.promise(() => import("@crmkit/migrate"))

export const stateFlag = Flag.String("state").pipe(
  Flag.withDescription(
    "The migration's state: a file (SQLite; created if missing), or a postgres:// URL shared by several workers (with --migration)",
  ),
)
const migrationFlag = Flag.String("migration").pipe(
  Flag.withDescription("The migration's id in a shared PostgreSQL state (one per account pair)"),
  Flag.optional,
)
const sides = {
  from: Flag.String("from").pipe(Flag.withDescription("Source CRM (keap, ghl)")),
  to: Flag.String("to").pipe(Flag.withDescription("Target CRM (keap, ghl)")),
  state: stateFlag,
  migration: migrationFlag,
}
const mappingFlag = Flag.String("mapping").pipe(
  Flag.withDescription("Mapping file (YAML); default: the state file's name + .mapping.yaml"),
  Flag.optional,
)
const reportFlag = Flag.String("report").pipe(
  Flag.withDescription("Write the JSON report to this file instead of stdout"),
  Flag.optional,
)

export const usage = (message: string) => new UsageError({ message })

/** The connector a name means, with a record mapper; checked before anything is opened. */
export const connectorFor = (flag: string, name: string) =>
  Effect.gen(function* () {
    const connector = connectorNamed(name.toLowerCase())
    if (connector === undefined)
      return yield* usage(`--${flag} ${name}: unknown CRM (one of ${connectors.map((c) => c.name).join(", ")})`)
    const runtime = yield* Lazy.runtime(connector)
    if (runtime.records === undefined) return yield* usage(`--${flag} ${name}: ${connector.title} has no record mapper`)
    return runtime
  })

export const isDatabaseUrl = (state: string) => /^postgres(ql)?:\/\//i.test(state)

/** A database URL as it may be shown: without its password. */
export const shownUrl = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@")

/**
 * Checks `--state` and `--migration` before anything is opened: a file needs its directory, a
 * PostgreSQL state (shared by many migrations) needs the migration's id.
 */
export const checkState = (state: string, migration: Option.Option<string>, mustExist: boolean) =>
  Effect.gen(function* () {
    if (isDatabaseUrl(state)) {
      if (Option.isNone(migration))
        return yield* usage(
          `--state ${shownUrl(state)} is a database shared by many migrations: name this one with --migration ID`,
        )
      return
    }
    if (Option.isSome(migration))
      return yield* usage(
        `--migration applies to a PostgreSQL state (--state postgres://...), not to the file ${state}`,
      )
    yield* checkStatePath(state, mustExist)
  })

/** The state, open for the command's scope. */
export const openState = (
  state: string,
  migration: Option.Option<string>,
): Effect.Effect<import("@crmkit/migrate").State.State, UsageError, Scope.Scope> =>
  Effect.gen(function* () {
    const M = yield* Migrate
    if (isDatabaseUrl(state) && Option.isSome(migration)) {
      const StatePostgres = yield* Effect.promise(() => import("@crmkit/migrate/StatePostgres"))
      return yield* Effect.acquireRelease(
        StatePostgres.openPostgres({ url: state, migration: migration.value }).pipe(
          Effect.mapError((e) => usage(e.message)),
        ),
        (s) => s.close(),
      )
    }
    return yield* Effect.acquireRelease(M.State.openSqlite(state).pipe(Effect.mapError((e) => usage(e.message))), (s) =>
      s.close(),
    )
  })

const checkStatePath = (file: string, mustExist: boolean) =>
  Effect.gen(function* () {
    const dir = path.dirname(path.resolve(file))
    if (!fs.existsSync(dir)) return yield* usage(`--state ${file}: directory ${dir} does not exist`)
    if (mustExist && !fs.existsSync(file)) return yield* usage(`--state ${file}: no such state file`)
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) return yield* usage(`--state ${file} is a directory`)
  })

/**
 * Each side's client. With `--sandbox`, one embedded sandbox serves both, each side with
 * its simulator's credential; otherwise the environment or the profile, as every command.
 */
export const openSides = (from: Connector.Runtime, to: Connector.Runtime, profile?: string) =>
  Effect.gen(function* () {
    const globals = yield* root
    const Session = yield* Lazy.Session
    if (!globals.sandbox) {
      const open = (runtime: Connector.Runtime) =>
        Session.open(runtime, { sandbox: false, baseUrl: undefined, profile: profile ?? globals.profile })
      if (Option.isSome(globals.baseUrl))
        return yield* usage("--base-url cannot serve two CRMs: set KEAP_BASE_URL and GHL_BASE_URL instead")
      return [yield* open(from), yield* open(to)] as const
    }
    const server = yield* Effect.acquireRelease(
      Effect.promise(async () => (await import("../Sandbox.ts")).start({}, [from.connector, to.connector])),
      (s) => Effect.promise(() => s.close()),
    )
    const open = (runtime: Connector.Runtime) =>
      Session.open(runtime, { sandbox: true, sandboxServer: server, baseUrl: undefined, profile: globals.profile })
    return [yield* open(from), yield* open(to)] as const
  })

const write = (file: Option.Option<string>, value: unknown) =>
  Effect.gen(function* () {
    const text = `${JSON.stringify(value, null, 2)}\n`
    if (Option.isSome(file)) {
      fs.writeFileSync(file.value, text)
      yield* Console.error(`report written to ${file.value}`)
    } else process.stdout.write(text)
  })

const seconds = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms / 60_000)}m`)

/** One progress line per second on stderr: records, writes, rate, rate-limit waits, ETA. */
const progressLine = (
  enabled: boolean,
  waited: () => number,
  expected: number | undefined,
): {
  readonly onProgress: (p: { entity: string; seen: number; writes: number }) => void
  readonly finish: () => void
} => {
  if (!enabled) return { onProgress: () => {}, finish: () => {} }
  const started = Date.now()
  const done = new Map<string, number>()
  let current = { entity: "", seen: 0, writes: 0 }
  const terminal = process.stderr.isTTY === true
  const line = () => {
    const records = [...done.values()].reduce((a, b) => a + b, 0)
    const elapsed = Date.now() - started
    const rate = elapsed > 0 ? (records / elapsed) * 1000 : 0
    const eta = expected !== undefined && rate > 0 ? ` · ETA ${seconds(((expected - records) / rate) * 1000)}` : ""
    return `${current.entity} ${current.seen} · ${records} records · ${current.writes} writes · ${rate.toFixed(1)}/s · ${(waited() / 1000).toFixed(1)}s rate-limit waits${eta}`
  }
  const timer = setInterval(() => process.stderr.write(terminal ? `\r\x1b[K${line()}` : `progress: ${line()}\n`), 1000)
  timer.unref()
  return {
    onProgress: (p) => {
      current = p
      done.set(p.entity, p.seen)
    },
    finish: () => {
      clearInterval(timer)
      process.stderr.write(terminal ? `\r\x1b[K${line()}\n` : `progress: ${line()} (done)\n`)
    },
  }
}

export const summaryLines = (summary: {
  readonly mode: string
  readonly writes: number
  readonly entities: Record<string, Record<string, number>>
}) =>
  [
    `${summary.mode}: ${summary.writes} writes`,
    ...Object.entries(summary.entities).map(
      ([entity, c]) =>
        `  ${entity.padEnd(12)} create ${c.create} · update ${c.update} · unchanged ${c.unchanged} · matched ${c.matched} · skipped ${c.skipped} · conflicts ${c.conflicts} · merges ${c.merges}`,
    ),
  ].join("\n")

const move = (mode: "plan" | "run") =>
  Command.make(
    mode,
    {
      ...sides,
      mapping: mappingFlag,
      report: reportFlag,
      writers: Flag.Int("writers").pipe(
        Flag.withDescription(
          "Writes in flight at once (default 4); the rate limits still pace them, so more helps only against latency",
        ),
        Flag.optional,
      ),
      full: Flag.Boolean("full").pipe(
        Flag.withDescription("Read every source record, not only those changed since the last run"),
        Flag.withDefault(false),
      ),
    },
    Effect.fn(function* ({ from, to, state, migration, mapping, report, writers, full }) {
      const globals = yield* root
      const M = yield* Migrate
      // Everything about the command line is checked before any request.
      if (from.toLowerCase() === to.toLowerCase()) return yield* usage("--from and --to name the same CRM")
      if (Option.isSome(writers) && (writers.value < 1 || writers.value > 64))
        return yield* usage(`--writers ${writers.value}: between 1 and 64`)
      const source = yield* connectorFor("from", from)
      const target = yield* connectorFor("to", to)
      yield* checkState(state, migration, false)
      const mappingFile = Option.getOrElse(mapping, () =>
        isDatabaseUrl(state)
          ? `${Option.getOrElse(migration, () => "migration")}.mapping.yaml`
          : `${state}.mapping.yaml`,
      )
      let parsed: import("@crmkit/migrate").Mapping.Mapping | undefined
      if (fs.existsSync(mappingFile)) {
        try {
          parsed = M.Mapping.parse(fs.readFileSync(mappingFile, "utf8"), mappingFile)
        } catch (error) {
          return yield* usage(error instanceof Error ? error.message : String(error))
        }
      } else if (mode === "run") {
        return yield* usage(
          `no mapping file ${mappingFile}: run \`crmkit migrate plan --from ${from} --to ${to} --state ${state}\` first (it writes one to edit)`,
        )
      }
      if (Option.isSome(report) && !fs.existsSync(path.dirname(path.resolve(report.value))))
        return yield* usage(`--report ${report.value}: directory does not exist`)

      const [a, b] = yield* openSides(source, target)
      const fromSide = { name: source.connector.name, records: source.records!, services: a.services }
      const toSide = { name: target.connector.name, records: target.records!, services: b.services }
      const db = yield* openState(state, migration)
      if (parsed === undefined) {
        const [sl, tl] = yield* M.Engine.lookups(fromSide, toSide)
        parsed = M.Mapping.propose(source.connector.name, target.connector.name, sl, tl)
        fs.writeFileSync(mappingFile, M.Mapping.stringify(parsed))
        yield* Console.error(`mapping proposals written to ${mappingFile}: review them, then plan again`)
      }
      const last = yield* db.get("lastPlan")
      const expected =
        last === undefined
          ? undefined
          : Object.values((JSON.parse(last) as { entities: Record<string, Record<string, number>> }).entities).reduce(
              // `matched` records are counted among updates or unchanged ones too.
              (sum, c) => sum + Object.entries(c).reduce((x, [k, y]) => (k === "matched" ? x : x + y), 0),
              0,
            )
      const progress = progressLine(
        Progress.enabledBy(Option.getOrUndefined(globals.progress)),
        () => a.stats.waitedMillis() + b.stats.waitedMillis(),
        expected,
      )
      const options = {
        from: fromSide,
        to: toSide,
        state: db,
        mapping: parsed,
        full,
        concurrency: Option.getOrUndefined(writers),
        // Migrations sharing a database may share a target: each marks its records with its id.
        marker: Option.getOrUndefined(migration),
        onProgress: progress.onProgress,
      }
      const result = yield* (mode === "plan" ? M.Engine.plan(options) : M.Engine.run(options)).pipe(
        Effect.catchTag("MigrateInputError", (e) => Effect.fail(usage(e.message))),
        Effect.ensuring(Effect.sync(progress.finish)),
      )
      yield* Console.error(summaryLines(M.Engine.summary(result)))
      yield* write(report, result)
    }, Effect.scoped),
  ).pipe(
    Command.withDescription(
      mode === "plan"
        ? "What a run would do, per entity (creates, updates, unchanged, skipped, conflicts, merges): reads both sides, writes no record"
        : "Move what changed since the last run, exactly once; run it again after any interruption to continue",
    ),
  )

const statusCommand = Command.make(
  "status",
  { state: stateFlag, migration: migrationFlag },
  Effect.fn(function* ({ state, migration }) {
    const M = yield* Migrate
    yield* checkState(state, migration, true)
    const db = yield* openState(state, migration)
    yield* write(Option.none(), yield* M.Engine.status(db))
  }, Effect.scoped),
).pipe(
  Command.withDescription("What the state holds: records mapped per entity, open intents, records held for review"),
)

const verifyCommand = Command.make(
  "verify",
  { ...sides, report: reportFlag },
  Effect.fn(function* ({ from, to, state, migration, report }) {
    const M = yield* Migrate
    if (from.toLowerCase() === to.toLowerCase()) return yield* usage("--from and --to name the same CRM")
    const source = yield* connectorFor("from", from)
    const target = yield* connectorFor("to", to)
    yield* checkState(state, migration, true)
    const [a, b] = yield* openSides(source, target)
    const db = yield* openState(state, migration)
    const result = yield* M.Engine.verify({
      from: { name: source.connector.name, records: source.records!, services: a.services },
      to: { name: target.connector.name, records: target.records!, services: b.services },
      state: db,
      marker: Option.getOrUndefined(migration),
    })
    for (const [entity, c] of Object.entries(result.entities))
      yield* Console.error(
        `  ${entity.padEnd(12)} source ${c.source} · linked ${c.linked} · skipped ${c.skipped} · missing ${c.missing.length} · duplicates ${c.duplicates.length} · not moved ${c.notMoved.length}`,
      )
    yield* Console.error(result.ok ? "verify: every mapped record is in the target once" : "verify: differences found")
    yield* write(report, result)
    if (!result.ok) process.exitCode = 1
  }, Effect.scoped),
).pipe(Command.withDescription("Reconcile both sides: every mapped source record exists once in the target"))

export const migrateCommand = Command.make("migrate").pipe(
  Command.withDescription("Move records between CRMs and keep them in step (mapping file, plan, exactly-once runs)"),
  Command.withSubcommands([
    move("plan"),
    move("run"),
    statusCommand,
    verifyCommand,
    followCommand,
    enqueueCommand,
    workerCommand,
    jobsCommand,
  ]),
)

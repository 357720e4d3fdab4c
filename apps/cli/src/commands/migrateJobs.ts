/**
 * Many account pairs on several workers: `crmkit migrate enqueue --pairs FILE` puts one job per
 * pair on the queue in `CRMKIT_REDIS_URL`; `crmkit migrate worker --state postgres://...` runs
 * them (as many workers, on as many machines, as wanted), each pair's migration in the shared
 * PostgreSQL state and every request within the budgets shared through the same Redis;
 * `crmkit migrate jobs` lists them. The queue is `@crmkit/migrate/Jobs` (BullMQ).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as Console from "effect/Console"
import { Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import YAML from "yaml"
import { connectorFor, isDatabaseUrl, Migrate, openSides, openState, shownUrl, summaryLines, usage } from "./migrate.ts"

const Jobs = Effect.promise(() => import("@crmkit/migrate/Jobs"))

const queueFlag = Flag.String("queue").pipe(
  Flag.withDescription("Queue name (default crmkit-migrate): separate queues keep separate batches apart"),
  Flag.optional,
)

const redisUrl = Effect.gen(function* () {
  const url = process.env.CRMKIT_REDIS_URL
  if (!url)
    return yield* usage(
      "CRMKIT_REDIS_URL is not set: the migration queue lives in Redis (the one the shared rate-limit budgets use)",
    )
  return url
})

const PairsFile = Schema.Struct({
  pairs: Schema.Array(
    Schema.Struct({
      migration: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)),
      profile: Schema.String,
      from: Schema.String,
      to: Schema.String,
      /** Relative to the pairs file. */
      mapping: Schema.String,
      full: Schema.optional(Schema.Boolean),
    }),
  ),
})

/** Reads and checks the pairs file: every problem named, nothing sent before it is all good. */
const readPairs = (file: string) =>
  Effect.gen(function* () {
    const M = yield* Migrate
    if (!fs.existsSync(file)) return yield* usage(`--pairs ${file}: no such file`)
    let raw: unknown
    try {
      raw = YAML.parse(fs.readFileSync(file, "utf8"))
    } catch (error) {
      return yield* usage(`--pairs ${file}: not YAML: ${error instanceof Error ? error.message : String(error)}`)
    }
    const decoded = Schema.decodeUnknownExit(PairsFile)(raw)
    if (decoded._tag === "Failure")
      return yield* usage(
        `--pairs ${file}: ${String(decoded.cause).replace(/^.*?: /, "")} (expected pairs: [{ migration, profile, from, to, mapping }], migration ids of letters, digits, . _ -)`,
      )
    const pairs = decoded.value.pairs
    const problems: Array<string> = []
    const seen = new Set<string>()
    const jobs = []
    for (const [i, pair] of pairs.entries()) {
      const where = `pairs[${i}] (${pair.migration})`
      if (seen.has(pair.migration)) problems.push(`${where}: migration id used twice`)
      seen.add(pair.migration)
      if (pair.from.toLowerCase() === pair.to.toLowerCase()) problems.push(`${where}: from and to name the same CRM`)
      for (const [flag, name] of [
        ["from", pair.from],
        ["to", pair.to],
      ] as const) {
        const found = yield* Effect.exit(connectorFor(flag, name))
        if (found._tag === "Failure") problems.push(`${where}: ${flag} ${name}: unknown CRM or no record mapper`)
      }
      const mappingFile = path.resolve(path.dirname(file), pair.mapping)
      if (!fs.existsSync(mappingFile)) {
        problems.push(`${where}: mapping ${mappingFile} does not exist (\`crmkit migrate plan\` writes one)`)
        continue
      }
      const text = fs.readFileSync(mappingFile, "utf8")
      try {
        M.Mapping.parse(text, mappingFile)
      } catch (error) {
        problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`)
        continue
      }
      jobs.push({
        migration: pair.migration,
        profile: pair.profile,
        from: pair.from.toLowerCase(),
        to: pair.to.toLowerCase(),
        mapping: text,
        ...(pair.full === undefined ? {} : { full: pair.full }),
      })
    }
    if (pairs.length === 0) problems.push("no pairs")
    if (problems.length > 0) return yield* usage(`--pairs ${file}:\n  ${problems.join("\n  ")}`)
    return jobs
  })

export const enqueueCommand = Command.make(
  "enqueue",
  {
    pairs: Flag.String("pairs").pipe(
      Flag.withDescription("YAML: pairs: [{ migration, profile, from, to, mapping }], one job per account pair"),
    ),
    queue: queueFlag,
    attempts: Flag.Int("attempts").pipe(
      Flag.withDescription("Tries per job before it is left failed"),
      Flag.withDefault(5),
    ),
  },
  Effect.fn(function* ({ pairs, queue, attempts }) {
    if (attempts < 1) return yield* usage(`--attempts ${attempts}: at least 1`)
    const jobs = yield* readPairs(pairs)
    const url = yield* redisUrl
    const J = yield* Jobs
    const added = yield* J.enqueue({ redisUrl: url, queue: Option.getOrUndefined(queue), jobs, attempts }).pipe(
      Effect.mapError((e) => usage(e.message)),
    )
    for (const job of added) yield* Console.error(`queued ${job.migration} (job ${job.job})`)
    process.stdout.write(`${JSON.stringify(added, null, 2)}\n`)
  }),
).pipe(Command.withDescription("Queue one migration job per account pair for `crmkit migrate worker`"))

export const workerCommand = Command.make(
  "worker",
  {
    state: Flag.String("state").pipe(
      Flag.withDescription("The shared state: a postgres:// URL (every worker uses the same one)"),
    ),
    queue: queueFlag,
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withDescription("Account pairs this worker moves at once"),
      Flag.withDefault(1),
    ),
    lockSeconds: Flag.Int("lock-seconds").pipe(
      Flag.withDescription("How long a job of a worker that died waits before another worker takes it over"),
      Flag.withDefault(30),
    ),
    untilEmpty: Flag.Boolean("until-empty").pipe(
      Flag.withDescription("Exit once no job is left waiting or running anywhere"),
      Flag.withDefault(false),
    ),
  },
  Effect.fn(function* ({ state, queue, concurrency, lockSeconds, untilEmpty }) {
    if (!isDatabaseUrl(state))
      return yield* usage(
        `--state ${state}: workers share their state, so it is a postgres:// URL (a SQLite file serves one process)`,
      )
    if (concurrency < 1) return yield* usage(`--concurrency ${concurrency}: at least 1`)
    if (lockSeconds < 1) return yield* usage(`--lock-seconds ${lockSeconds}: at least 1`)
    const url = yield* redisUrl
    const J = yield* Jobs
    const M = yield* Migrate
    const runPairWith = (job: import("@crmkit/migrate/Jobs").PairJob) =>
      Effect.gen(function* () {
        const permanent = (message: string) => new J.Permanent({ message })
        const source = yield* connectorFor("from", job.from).pipe(Effect.mapError((e) => permanent(e.message)))
        const target = yield* connectorFor("to", job.to).pipe(Effect.mapError((e) => permanent(e.message)))
        const mapping = yield* Effect.try({
          try: () => M.Mapping.parse(job.mapping, `${job.migration} mapping`),
          catch: (e) => permanent(e instanceof Error ? e.message : String(e)),
        })
        const [a, b] = yield* openSides(source, target, job.profile).pipe(
          Effect.mapError((e) => (e._tag === "UsageError" ? permanent(e.message) : e)),
        )
        // Held by another worker (the queue handed the pair out twice): a plain failure, retried later.
        const db = yield* openState(state, Option.some(job.migration))
        const report = yield* M.Engine.run({
          from: { name: source.connector.name, records: source.records!, services: a.services },
          to: { name: target.connector.name, records: target.records!, services: b.services },
          state: db,
          mapping,
          full: job.full ?? false,
          marker: job.migration,
        }).pipe(Effect.catchTag("MigrateInputError", (e) => Effect.fail(permanent(e.message))))
        const summary = M.Engine.summary(report)
        yield* Console.error(`${job.migration}: ${summaryLines(summary).replace(/\n/g, `\n${job.migration}: `)}`)
        return summary
      }).pipe(Effect.scoped)
    // Jobs run on the queue's callbacks: they take this command's services with them.
    const context = yield* Effect.context<Effect.Services<ReturnType<typeof runPairWith>>>()
    const runPair = (job: import("@crmkit/migrate/Jobs").PairJob) =>
      runPairWith(job).pipe(Effect.provideContext(context))

    yield* Console.error(
      `worker: queue ${Option.getOrElse(queue, () => J.DEFAULT_QUEUE)}, state ${shownUrl(state)}, ${concurrency} at once`,
    )
    yield* J.work({
      redisUrl: url,
      queue: Option.getOrUndefined(queue),
      concurrency,
      lockMillis: lockSeconds * 1000,
      untilEmpty,
      handle: runPair,
      onEvent: (event) =>
        process.stderr.write(
          event._tag === "started"
            ? `worker: ${event.migration} started (attempt ${event.attempt})\n`
            : event._tag === "completed"
              ? `worker: ${event.migration} completed\n`
              : `worker: ${event.migration} failed (attempt ${event.attempt}): ${event.message}\n`,
        ),
    }).pipe(Effect.mapError((e) => usage(e.message)))
    yield* Console.error("worker: no job left")
  }),
).pipe(
  Command.withDescription(
    "Run queued migrations (one per account pair) in a shared PostgreSQL state; start as many as wanted",
  ),
)

export const jobsCommand = Command.make(
  "jobs",
  { queue: queueFlag },
  Effect.fn(function* ({ queue }) {
    const url = yield* redisUrl
    const J = yield* Jobs
    const jobs = yield* J.list({ redisUrl: url, queue: Option.getOrUndefined(queue) }).pipe(
      Effect.mapError((e) => usage(e.message)),
    )
    for (const job of jobs)
      yield* Console.error(
        `${job.migration.padEnd(24)} ${job.state.padEnd(10)} attempts ${job.attempts}${job.failedReason ? ` · ${job.failedReason}` : ""}`,
      )
    process.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`)
  }),
).pipe(Command.withDescription("The queued migration jobs and how they ended"))

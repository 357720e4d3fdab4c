/**
 * Many migrations on several workers: one job per account pair on a BullMQ queue in the Redis
 * the rate limiter already uses. BullMQ spreads the jobs over the workers, retries a failed one
 * with backoff, and gives a job whose worker died (its lock lapsed) to another worker; each
 * migration's exactly-once bookkeeping stays in its state, so a job taken over resumes where
 * the dead worker stopped. The state's own lock keeps two workers off one migration even if
 * the queue were to hand it out twice.
 *
 * Why a queue and not Effect's workflow/cluster: a job here is coarse (one account pair,
 * minutes to hours) and already durable write by write in the migration state; what is left
 * to the engine is spreading, retrying and taking over jobs, which a queue on the Redis every
 * worker already reaches does, where a cluster would add runner-to-runner networking and its
 * own shard and message tables.
 */
import { Queue, UnrecoverableError, Worker } from "bullmq"
import { Data, Effect, Schema } from "effect"

export const DEFAULT_QUEUE = "crmkit-migrate"

/** One account pair to move: everything a worker needs, and no secret (credentials come from the profile). */
export const PairJob = Schema.Struct({
  /** The migration's id: its rows in the shared state, and what keeps one job per pair waiting at a time. */
  migration: Schema.String,
  from: Schema.String,
  to: Schema.String,
  /** The saved profile holding both sides' credentials (and base URLs), read by the worker. */
  profile: Schema.String,
  /** The mapping file's YAML, carried in the job so every worker runs with the same mapping. */
  mapping: Schema.String,
  full: Schema.optional(Schema.Boolean),
})
export type PairJob = typeof PairJob.Type

export class JobsError extends Data.TaggedError("MigrateJobsError")<{ readonly message: string }> {}

/** Tells the queue not to retry: bad input stays bad however often it is run. */
export class Permanent extends Data.TaggedError("MigratePermanentError")<{ readonly message: string }> {}

export interface QueueOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  readonly redisUrl: string
  readonly queue?: string | undefined
}

const connectionOf = (redisUrl: string) => {
  let url: URL
  try {
    url = new URL(redisUrl)
  } catch {
    throw new JobsError({ message: `not a Redis URL: ${redisUrl.replace(/\/\/[^@]*@/, "//***@")}` })
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:")
    throw new JobsError({ message: `a Redis URL starts with redis:// or rediss://, not ${url.protocol}//` })
  const db = url.pathname.replace(/^\//, "")
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    // Workers block on the queue: a command must wait for a reconnect rather than fail.
    maxRetriesPerRequest: null,
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

const openQueue = (options: QueueOptions) =>
  Effect.try({
    try: () => new Queue(options.queue ?? DEFAULT_QUEUE, { connection: connectionOf(options.redisUrl) }),
    catch: (e) => (e instanceof JobsError ? e : new JobsError({ message: describe(e) })),
  })

export interface EnqueueOptions extends QueueOptions {
  readonly jobs: ReadonlyArray<PairJob>
  /** Tries per job before it is left failed. Default 5. */
  readonly attempts?: number | undefined
  /** First retry delay; doubles each time. Default 30 s. */
  readonly backoffMillis?: number | undefined
}

/**
 * Adds one job per pair. A pair whose job is still waiting is not added twice (BullMQ's
 * deduplication by migration id); once its job finished, enqueueing it again moves the delta.
 */
export const enqueue = (options: EnqueueOptions) =>
  Effect.acquireUseRelease(
    openQueue(options),
    (queue) =>
      Effect.tryPromise({
        try: async () => {
          const added: Array<{ migration: string; job: string }> = []
          for (const job of options.jobs) {
            const created = await queue.add(job.migration, job, {
              deduplication: { id: job.migration },
              attempts: options.attempts ?? 5,
              backoff: { type: "exponential", delay: options.backoffMillis ?? 30_000 },
              removeOnComplete: { count: 10_000 },
              removeOnFail: { count: 10_000 },
            })
            added.push({ migration: job.migration, job: String(created.id) })
          }
          return added
        },
        catch: (e) => new JobsError({ message: `could not enqueue: ${describe(e)}` }),
      }),
    (queue) => Effect.promise(() => queue.close()),
  )

export interface JobView {
  readonly id: string
  readonly migration: string
  readonly state: string
  readonly attempts: number
  readonly failedReason: string | undefined
  readonly result: unknown
}

/** The queue's jobs, newest first: what `crmkit migrate jobs` shows. */
export const list = (options: QueueOptions) =>
  Effect.acquireUseRelease(
    openQueue(options),
    (queue) =>
      Effect.tryPromise({
        try: async () => {
          const jobs = await queue.getJobs(["active", "waiting", "delayed", "prioritized", "completed", "failed"])
          return Promise.all(
            jobs.map(
              async (job): Promise<JobView> => ({
                id: String(job.id),
                migration: (job.data as PairJob).migration,
                state: await job.getState(),
                attempts: job.attemptsMade,
                failedReason: job.failedReason || undefined,
                result: job.returnvalue ?? undefined,
              }),
            ),
          )
        },
        catch: (e) => new JobsError({ message: `could not read the queue: ${describe(e)}` }),
      }),
    (queue) => Effect.promise(() => queue.close()),
  )

export interface WorkOptions<A, E> extends QueueOptions {
  /** Jobs this worker runs at once. Default 1. */
  readonly concurrency?: number | undefined
  /**
   * How long a job stays with a worker that stopped renewing its lock (killed, frozen) before
   * another worker takes it over. Default 30 s.
   */
  readonly lockMillis?: number | undefined
  /** Return once no job is waiting, delayed or running anywhere (batch runs and tests). */
  readonly untilEmpty?: boolean | undefined
  readonly handle: (job: PairJob, attempt: number) => Effect.Effect<A, E>
  readonly onEvent?: ((event: WorkerEvent) => void) | undefined
}

export type WorkerEvent =
  | { readonly _tag: "started"; readonly migration: string; readonly attempt: number }
  | { readonly _tag: "completed"; readonly migration: string }
  | { readonly _tag: "failed"; readonly migration: string; readonly attempt: number; readonly message: string }

const messageOf = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message)
  return String(error)
}

/**
 * Runs jobs until interrupted (or, with `untilEmpty`, until the queue has none left). A job's
 * failure is retried by the queue unless the handler failed with `Permanent`.
 */
export const work = <A, E>(options: WorkOptions<A, E>) =>
  Effect.gen(function* () {
    const connection = yield* Effect.try({
      try: () => connectionOf(options.redisUrl),
      catch: (e) => (e instanceof JobsError ? e : new JobsError({ message: describe(e) })),
    })
    const name = options.queue ?? DEFAULT_QUEUE
    const lockMillis = options.lockMillis ?? 30_000
    const decode = Schema.decodeUnknownSync(PairJob)
    const worker = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new Worker(
            name,
            async (job) => {
              const data = decode(job.data)
              const attempt = job.attemptsMade + 1
              options.onEvent?.({ _tag: "started", migration: data.migration, attempt })
              const exit = await Effect.runPromiseExit(options.handle(data, attempt))
              if (exit._tag === "Success") {
                options.onEvent?.({ _tag: "completed", migration: data.migration })
                return exit.value
              }
              const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
              const error = failure?._tag === "Fail" ? failure.error : undefined
              const message = error === undefined ? String(exit.cause) : messageOf(error)
              options.onEvent?.({ _tag: "failed", migration: data.migration, attempt, message })
              if (error instanceof Permanent) throw new UnrecoverableError(message)
              throw new Error(message)
            },
            {
              connection,
              concurrency: options.concurrency ?? 1,
              lockDuration: lockMillis,
              stalledInterval: lockMillis,
              // A job whose worker died is taken over, a few times, before it is left failed.
              maxStalledCount: 5,
              autorun: true,
            },
          ),
      ),
      (worker) => Effect.promise(() => worker.close()),
    )
    yield* Effect.tryPromise({
      try: () => worker.waitUntilReady(),
      catch: (e) => new JobsError({ message: `could not reach the queue's Redis: ${describe(e)}` }),
    })
    if (!options.untilEmpty) return yield* Effect.never
    const queue = yield* Effect.acquireRelease(
      Effect.sync(() => new Queue(name, { connection })),
      (queue) => Effect.promise(() => queue.close()),
    )
    // Done when nothing is left anywhere: a job held by a dead worker counts as active until
    // its lock lapses and it comes back to this one.
    while (true) {
      const counts = yield* Effect.promise(() =>
        queue.getJobCounts("active", "waiting", "delayed", "prioritized", "waiting-children"),
      )
      if (Object.values(counts).every((n) => n === 0)) return
      yield* Effect.sleep("250 millis")
    }
  }).pipe(Effect.scoped)

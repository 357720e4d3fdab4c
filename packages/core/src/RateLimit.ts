/**
 * Rate limits as a layer: wait before sending rather than collect 429s.
 *
 * A provider describes its published windows as a `RateLimitPolicy` (for example 25 per
 * second, 1,500 per minute and 150,000 per day) and how to read its rate-limit headers.
 * `RateLimits` then
 *  - paces requests through Effect's `RateLimiter` store, one counter per window, keyed
 *    per policy and credential: in memory by default, in Redis (`RateLimitRedis`) so that
 *    several processes using one account share one budget;
 *  - learns from the headers: when the provider says a window is spent, requests wait
 *    for its reset even if the local counters disagree (another app may share the quota);
 *  - after a 429, computes the wait from `Retry-After` or the learned reset.
 */
import { Clock, Context, Duration, Effect, Layer, Random } from "effect"
import type { Headers } from "effect/http"
import { RateLimiter } from "effect/persistence"

export interface RateLimitWindow {
  /** Matches the name a header reader reports for the same window, e.g. `minute`. */
  readonly name: string
  readonly limit: number
  readonly window: Duration.Input
}

/** One window as a response's headers describe it. */
export interface WindowObservation {
  readonly name: string
  readonly remaining: number
  readonly limit?: number | undefined
  readonly windowMillis?: number | undefined
  /** When the provider says when the window resets. */
  readonly resetAfterMillis?: number | undefined
}

export interface RateLimitPolicy {
  /** Names the budget, e.g. `keap-oauth`; counters are keyed `<name>:<credential>:<window>`. */
  readonly name: string
  readonly windows: ReadonlyArray<RateLimitWindow>
  readonly readHeaders?: ((headers: Headers.Headers) => ReadonlyArray<WindowObservation>) | undefined
  /** The wait a 429 asks for; defaults to the standard `Retry-After` header. */
  readonly retryAfter?: ((headers: Headers.Headers) => number | undefined) | undefined
  /** How many times a 429 is retried before `RateLimited` is returned. Default 5. */
  readonly maxRetries?: number | undefined
  /**
   * Added to each window, so that the local window never ends before the provider's
   * (whose clock starts when the first request arrives, a little after we sent it).
   * Default: 2% of the window, at least 20 ms.
   */
  readonly safetyMargin?: Duration.Input | undefined
}

export interface Ticket {
  readonly budget: string
  readonly sequence: number
}

export interface RateLimitsShape {
  /** Waits until every window of the policy has room, then counts the request. */
  readonly admit: (policy: RateLimitPolicy, credentialId: string) => Effect.Effect<Ticket, RateLimiter.RateLimiterError>
  /** Learns from a response's headers. */
  readonly observe: (policy: RateLimitPolicy, ticket: Ticket, headers: Headers.Headers) => Effect.Effect<void>
  /** How long to wait after the `attempt`-th 429 (1-based) before sending again. */
  readonly delayAfter429: (
    policy: RateLimitPolicy,
    ticket: Ticket,
    headers: Headers.Headers,
    attempt: number,
  ) => Effect.Effect<Duration.Duration>
  /** Total time requests spent waiting for a window, for progress displays and benchmarks. */
  readonly waited: Effect.Effect<Duration.Duration>
}

export class RateLimits extends Context.Service<RateLimits, RateLimitsShape>()("@crmkit/core/RateLimits") {}

/**
 * A sliding log several processes share (Redis): `reserve` books the first moment at which no
 * more than `limit` requests fall in any `windowMillis`, and answers the wait until then.
 * Shared counters of fixed windows cannot promise that: a provider whose window opened at
 * another moment than the counter's (GHL's opens at the first request) sees up to twice the
 * limit from several processes, each within its own budget.
 */
export class SharedLog extends Context.Service<
  SharedLog,
  {
    readonly reserve: (
      key: string,
      limit: number,
      windowMillis: number,
    ) => Effect.Effect<number, RateLimiter.RateLimiterError>
  }
>()("@crmkit/core/RateLimit/SharedLog") {}

interface LearnedWindow {
  remaining: number
  limit: number | undefined
  windowMillis: number | undefined
  /** Admission sequence of the request whose response set `remaining`. */
  observedSequence: number
  resetAt: number | undefined
}

interface Budget {
  sent: number
  readonly windows: Map<string, LearnedWindow>
  /** Admission times (past and reserved) per short window: the last `limit` of them. */
  readonly logs: Map<string, Array<number>>
}

/**
 * Windows up to this many requests are also paced by an exact sliding log in this
 * process. Effect's store counters reset when traffic pauses, which can let a burst
 * straddle the provider's window; the log guarantees no window of the given length
 * ever holds more than `limit` requests, so a provider counting in fixed windows
 * (whatever their alignment) never sees too many.
 */
const slidingLogMaxLimit = 10_000

/** Reserves the earliest admission time at or after `now` that keeps the log within `limit` per `windowMillis`. */
const reserve = (log: Array<number>, limit: number, windowMillis: number, now: number): number => {
  const at = log.length < limit ? now : Math.max(now, log[log.length - limit]! + windowMillis)
  log.push(at)
  if (log.length > limit * 2) log.splice(0, log.length - limit)
  return at
}

const marginFor = (policy: RateLimitPolicy, windowMillis: number): number =>
  policy.safetyMargin === undefined
    ? Math.max(20, Math.ceil(windowMillis * 0.02))
    : Duration.toMillis(Duration.fromInputUnsafe(policy.safetyMargin))

/** Parses `Retry-After` as seconds or as an HTTP date. */
export const retryAfterHeader = (headers: Headers.Headers, now: number): number | undefined => {
  const value = headers["retry-after"]
  if (value === undefined || value === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export const make = Effect.gen(function* () {
  const limiter = yield* RateLimiter.RateLimiter
  const shared = yield* Effect.serviceOption(SharedLog)
  const budgets = new Map<string, Budget>()
  let waitedMillis = 0

  const budgetFor = (name: string): Budget => {
    let budget = budgets.get(name)
    if (budget === undefined) {
      budget = { sent: 0, windows: new Map(), logs: new Map() }
      budgets.set(name, budget)
    }
    return budget
  }

  const sleep = (millis: number) =>
    millis <= 0
      ? Effect.void
      : Effect.sync(() => {
          waitedMillis += millis
        }).pipe(Effect.andThen(Effect.sleep(Duration.millis(millis))))

  // The wait the provider's own headers demand: a window reported spent, not yet reset.
  const learnedDelay = (budget: Budget, now: number): number => {
    let delay = 0
    for (const learned of budget.windows.values()) {
      if (learned.resetAt === undefined || learned.resetAt <= now) continue
      const inFlight = budget.sent - learned.observedSequence
      if (learned.remaining - inFlight < 1) delay = Math.max(delay, learned.resetAt - now)
    }
    return delay
  }

  const forgetExpired = (budget: Budget, now: number) => {
    for (const [name, learned] of budget.windows) {
      if (learned.resetAt !== undefined && learned.resetAt <= now) budget.windows.delete(name)
    }
  }

  // Durations parsed once per policy rather than on every request.
  const compiled = new WeakMap<
    RateLimitPolicy,
    ReadonlyArray<{
      readonly name: string
      readonly limit: number
      readonly millis: number
      readonly window: Duration.Duration
    }>
  >()
  const windowsOf = (policy: RateLimitPolicy) => {
    let windows = compiled.get(policy)
    if (windows === undefined) {
      windows = policy.windows.map((w) => {
        const millis = Duration.toMillis(Duration.fromInputUnsafe(w.window))
        const padded = millis + marginFor(policy, millis)
        return { name: w.name, limit: w.limit, millis: padded, window: Duration.millis(padded) }
      })
      compiled.set(policy, windows)
    }
    return windows
  }

  const admit = (policy: RateLimitPolicy, credentialId: string) =>
    Effect.gen(function* () {
      const name = `${policy.name}:${credentialId}`
      const budget = budgetFor(name)
      while (budget.windows.size > 0) {
        const now = yield* Clock.currentTimeMillis
        forgetExpired(budget, now)
        const delay = learnedDelay(budget, now)
        if (delay <= 0) break
        yield* sleep(delay)
      }
      let delay = 0
      const now = yield* Clock.currentTimeMillis
      for (const window of windowsOf(policy)) {
        const learned = budget.windows.get(window.name)
        // A provider that reports a smaller limit than published wins.
        const limit = Math.min(window.limit, learned?.limit ?? window.limit)
        if (limit <= slidingLogMaxLimit) {
          let log = budget.logs.get(window.name)
          if (log === undefined) {
            log = []
            budget.logs.set(window.name, log)
          }
          delay = Math.max(delay, reserve(log, limit, window.millis, now) - now)
        }
        // What several processes share (Redis): a sliding log where one is given, else the store's counters.
        if (shared._tag === "Some" && limit <= slidingLogMaxLimit) {
          delay = Math.max(delay, yield* shared.value.reserve(`${name}:${window.name}`, limit, window.millis))
        } else {
          const result = yield* limiter.consume({
            key: `${name}:${window.name}`,
            algorithm: "fixed-window",
            onExceeded: "delay",
            limit,
            window: window.window,
          })
          delay = Math.max(delay, Duration.toMillis(result.delay))
        }
      }
      yield* sleep(delay)
      budget.sent += 1
      return { budget: name, sequence: budget.sent } satisfies Ticket
    })

  const observe = (policy: RateLimitPolicy, ticket: Ticket, headers: Headers.Headers) =>
    Effect.gen(function* () {
      if (policy.readHeaders === undefined) return
      const observations = policy.readHeaders(headers)
      if (observations.length === 0) return
      const now = yield* Clock.currentTimeMillis
      const budget = budgetFor(ticket.budget)
      for (const seen of observations) {
        const learned = budget.windows.get(seen.name)
        // Responses to earlier requests carry older counts.
        if (learned !== undefined && ticket.sequence <= learned.observedSequence) continue
        const limit = seen.limit ?? learned?.limit
        const windowMillis = seen.windowMillis ?? learned?.windowMillis
        let resetAt: number | undefined
        if (seen.resetAfterMillis !== undefined) {
          resetAt = now + seen.resetAfterMillis
        } else if (windowMillis !== undefined) {
          // Without a reset header, a window that just opened (or rolled over: more room
          // than last time) started at the latest when this response arrived.
          const opened =
            learned === undefined ||
            learned.resetAt === undefined ||
            seen.remaining > learned.remaining ||
            (limit !== undefined && seen.remaining >= limit - 1)
          resetAt = opened ? now + windowMillis + marginFor(policy, windowMillis) : learned.resetAt
        }
        budget.windows.set(seen.name, {
          remaining: seen.remaining,
          limit,
          windowMillis,
          observedSequence: ticket.sequence,
          resetAt,
        })
      }
    })

  const delayAfter429 = (policy: RateLimitPolicy, ticket: Ticket, headers: Headers.Headers, attempt: number) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const asked = policy.retryAfter === undefined ? retryAfterHeader(headers, now) : policy.retryAfter(headers)
      if (asked !== undefined) return Duration.millis(asked)
      const budget = budgetFor(ticket.budget)
      const learned = learnedDelay(budget, now)
      if (learned > 0) return Duration.millis(learned)
      // Nothing says when: back off exponentially with jitter, within the shortest window.
      const shortest = Math.min(
        ...policy.windows.map((w) => Duration.toMillis(Duration.fromInputUnsafe(w.window))),
        60_000,
      )
      const base = Math.min(shortest, 500 * 2 ** (attempt - 1))
      const jitter = yield* Random.nextBetween(0.8, 1.2)
      return Duration.millis(Math.round(base * jitter))
    })

  return RateLimits.of({
    admit,
    observe,
    delayAfter429,
    waited: Effect.sync(() => Duration.millis(waitedMillis)),
  })
})

/** Needs Effect's `RateLimiter` (with a memory or Redis store). */
export const layer: Layer.Layer<RateLimits, never, RateLimiter.RateLimiter> = Layer.effect(RateLimits, make)

/** Effect's `RateLimiter` with counters kept in this process. */
export const limiterMemory: Layer.Layer<RateLimiter.RateLimiter> = RateLimiter.layer.pipe(
  Layer.provide(RateLimiter.layerStoreMemory),
)

/** Budgets kept in this process. */
export const layerMemory: Layer.Layer<RateLimits> = layer.pipe(Layer.provide(limiterMemory))

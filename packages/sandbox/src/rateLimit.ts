import type { SandboxClock } from "./clock.ts"

/** A fixed window: at most `limit` requests per `windowMs`, windows aligned to the Unix epoch. */
export interface RateWindow {
  readonly limit: number
  readonly windowMs: number
}

/** State of one window for one key, after the current request was counted (or refused). */
export interface WindowUsage {
  readonly window: RateWindow
  readonly used: number
  readonly remaining: number
  /** Epoch ms at which this window starts over. */
  readonly resetAt: number
}

export interface RateDecision {
  readonly allowed: boolean
  /** One entry per window, in the order the windows were given. */
  readonly usages: readonly WindowUsage[]
  /** The exhausted window that refused the request (the one resetting last, if several). */
  readonly blockedBy?: WindowUsage
}

interface Counter {
  windowStart: number
  count: number
}

/**
 * Generic fixed-window counters keyed by a string (an app, a key, an app+location pair...).
 * Windows are aligned to the epoch, so a one-day window resets at 00:00 UTC like Keap's daily quota.
 * A refused request does not consume any window (the caller gets nothing, so it costs nothing).
 */
export class FixedWindowCounter {
  readonly #clock: SandboxClock
  readonly #counters = new Map<string, Counter>()

  constructor(clock: SandboxClock) {
    this.#clock = clock
  }

  /**
   * Counts one request for `key` against every window. With `enforce` false the request is always
   * allowed (and counted), so headers still report usage when rate limiting is switched off.
   */
  hit(key: string, windows: readonly RateWindow[], enforce: boolean): RateDecision {
    const now = this.#clock.now()
    const counters = windows.map((window) => this.#counter(key, window, now))
    let blockedBy: WindowUsage | undefined
    if (enforce) {
      windows.forEach((window, i) => {
        const counter = counters[i] as Counter
        if (counter.count + 1 > window.limit) {
          const usage = toUsage(window, counter)
          if (blockedBy === undefined || usage.resetAt > blockedBy.resetAt) blockedBy = usage
        }
      })
    }
    if (blockedBy === undefined) for (const counter of counters) counter.count++
    const usages = windows.map((window, i) => toUsage(window, counters[i] as Counter))
    return blockedBy === undefined ? { allowed: true, usages } : { allowed: false, usages, blockedBy }
  }

  /** Current usage without counting a request. */
  peek(key: string, windows: readonly RateWindow[]): WindowUsage[] {
    const now = this.#clock.now()
    return windows.map((window) => toUsage(window, this.#counter(key, window, now)))
  }

  reset(): void {
    this.#counters.clear()
  }

  #counter(key: string, window: RateWindow, now: number): Counter {
    const id = `${key}#${window.windowMs}`
    const windowStart = Math.floor(now / window.windowMs) * window.windowMs
    let counter = this.#counters.get(id)
    if (counter === undefined) {
      counter = { windowStart, count: 0 }
      this.#counters.set(id, counter)
    } else if (counter.windowStart !== windowStart) {
      counter.windowStart = windowStart
      counter.count = 0
    }
    return counter
  }
}

function toUsage(window: RateWindow, counter: Counter): WindowUsage {
  return {
    window,
    used: counter.count,
    remaining: Math.max(0, window.limit - counter.count),
    resetAt: counter.windowStart + window.windowMs,
  }
}

const TIME_UNITS = [
  { unit: "day", ms: 86_400_000 },
  { unit: "hour", ms: 3_600_000 },
  { unit: "minute", ms: 60_000 },
  { unit: "second", ms: 1_000 },
] as const

/** Expresses a window length as (time unit, interval), e.g. 60000 ms -> ("minute", 1), 250 ms -> ("millisecond", 250). */
export function describeWindow(windowMs: number): { timeUnit: string; interval: number } {
  for (const { unit, ms } of TIME_UNITS) {
    if (windowMs >= ms && windowMs % ms === 0) return { timeUnit: unit, interval: windowMs / ms }
  }
  return { timeUnit: "millisecond", interval: windowMs }
}

/** Whole seconds until a window resets (at least 1), for a Retry-After header. */
export function secondsUntilReset(usage: WindowUsage, now: number): number {
  return Math.max(1, Math.ceil((usage.resetAt - now) / 1000))
}

export function validateWindow(window: RateWindow, name: string): RateWindow {
  if (!Number.isInteger(window.limit) || window.limit < 0) {
    throw new RangeError(`rate limit ${name}: limit must be a non-negative integer, got ${window.limit}`)
  }
  if (!Number.isInteger(window.windowMs) || window.windowMs <= 0) {
    throw new RangeError(`rate limit ${name}: windowMs must be a positive integer, got ${window.windowMs}`)
  }
  return { limit: window.limit, windowMs: window.windowMs }
}

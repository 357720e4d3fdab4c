import { type RateWindow, validateWindow, type WindowUsage } from "@crmkit/sandbox/rateLimit"

/** Overrides for tests (small limits). Anything not given keeps GHL's published value. */
export interface GhlRateLimitOptions {
  /** Burst window: 100 requests per 10 seconds. */
  readonly burst?: RateWindow | undefined
  /** Daily window: 200,000 requests per day. */
  readonly daily?: RateWindow | undefined
}

export const GHL_BURST_WINDOW: RateWindow = { limit: 100, windowMs: 10_000 }
export const GHL_DAILY_WINDOW: RateWindow = { limit: 200_000, windowMs: 86_400_000 }

export interface GhlRatePolicy {
  readonly enforce: boolean
  readonly retryAfter: boolean
  readonly burst: RateWindow
  readonly daily: RateWindow
}

export function resolveGhlRatePolicy(option: boolean | GhlRateLimitOptions, retryAfter: boolean): GhlRatePolicy {
  const overrides = typeof option === "object" ? option : {}
  return {
    enforce: option !== false,
    retryAfter,
    burst: validateWindow(overrides.burst ?? GHL_BURST_WINDOW, "ghl.burst"),
    daily: validateWindow(overrides.daily ?? GHL_DAILY_WINDOW, "ghl.daily"),
  }
}

/** GHL's published rate-limit headers, from the [burst, daily] usages. */
export function ghlRateHeaders([burst, daily]: readonly WindowUsage[]): Record<string, string> {
  if (burst === undefined || daily === undefined) return {}
  return {
    "X-RateLimit-Max": String(burst.window.limit),
    "X-RateLimit-Remaining": String(burst.remaining),
    "X-RateLimit-Interval-Milliseconds": String(burst.window.windowMs),
    "X-RateLimit-Limit-Daily": String(daily.window.limit),
    "X-RateLimit-Daily-Remaining": String(daily.remaining),
  }
}

/**
 * GHL's published limits: 100 requests per 10 seconds and 200,000 per day, per
 * marketplace app and per location or company. The `X-RateLimit-*` headers report the
 * burst window's size and what is left of both windows.
 */
import type { Credentials, RateLimit } from "@crmkit/core"
import type { Headers } from "effect/http"

export const windows: ReadonlyArray<RateLimit.RateLimitWindow> = [
  { name: "burst", limit: 100, window: "10 seconds" },
  { name: "day", limit: 200_000, window: "1 day" },
]

const numberOr = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

export const readHeaders = (headers: Headers.Headers): ReadonlyArray<RateLimit.WindowObservation> => {
  const out: Array<RateLimit.WindowObservation> = []
  const remaining = numberOr(headers["x-ratelimit-remaining"])
  if (remaining !== undefined) {
    out.push({
      name: "burst",
      remaining,
      limit: numberOr(headers["x-ratelimit-max"]),
      windowMillis: numberOr(headers["x-ratelimit-interval-milliseconds"]),
    })
  }
  const dailyRemaining = numberOr(headers["x-ratelimit-daily-remaining"])
  if (dailyRemaining !== undefined) {
    out.push({
      name: "day",
      remaining: dailyRemaining,
      limit: numberOr(headers["x-ratelimit-limit-daily"]),
      windowMillis: 86_400_000,
    })
  }
  return out
}

export const policyFor = (_credentials: Credentials.CredentialsShape): RateLimit.RateLimitPolicy => ({
  name: "ghl",
  windows,
  readHeaders,
})

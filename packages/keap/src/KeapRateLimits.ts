/**
 * Keap's published quotas ("API Token Quota and Usage Measurements"):
 * OAuth apps 1,500 per minute and 150,000 per day across all tenants, with an unreported
 * 25-per-second spike ceiling; Personal Access Tokens and Service Account Keys 10 per
 * second, 240 per minute and 30,000 per day. The `x-keap-*` headers report what is left.
 */
import type { Credentials, RateLimit } from "@crmkit/core"
import type { Headers } from "effect/http"

export const oauthWindows: ReadonlyArray<RateLimit.RateLimitWindow> = [
  { name: "second", limit: 25, window: "1 second" },
  { name: "minute", limit: 1_500, window: "1 minute" },
  { name: "day", limit: 150_000, window: "1 day" },
]

export const apiKeyWindows: ReadonlyArray<RateLimit.RateLimitWindow> = [
  { name: "second", limit: 10, window: "1 second" },
  { name: "minute", limit: 240, window: "1 minute" },
  { name: "day", limit: 30_000, window: "1 day" },
]

const unitMillis: Record<string, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
}

const unitOf = (value: string | undefined) => value?.trim().toLowerCase().replace(/s$/, "")

/** Keap's expiry time may be epoch milliseconds, epoch seconds or a date. */
const millisUntil = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const numeric = Number(value)
  const at = Number.isFinite(numeric) ? (numeric > 1e12 ? numeric : numeric * 1000) : Date.parse(value)
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined
}

const observe = (headers: Headers.Headers, prefix: string, now: number): Array<RateLimit.WindowObservation> => {
  const limits = headers[`${prefix}-limit`]?.split("|") ?? []
  const units = headers[`${prefix}-time-unit`]?.split("|") ?? []
  const intervals = headers[`${prefix}-interval`]?.split("|") ?? []
  const available = headers[`${prefix}-available`]?.split("|") ?? []
  const expiry = headers[`${prefix}-expiry-time`]
  const out: Array<RateLimit.WindowObservation> = []
  for (let i = 0; i < available.length; i++) {
    const remaining = Number(available[i])
    const unit = unitOf(units[i])
    if (!Number.isFinite(remaining) || unit === undefined || unitMillis[unit] === undefined) continue
    const interval = Number(intervals[i] ?? "1") || 1
    const limit = Number(limits[i])
    out.push({
      name: interval === 1 ? unit : `${interval}-${unit}`,
      remaining,
      limit: Number.isFinite(limit) && limit > 0 ? limit : undefined,
      windowMillis: unitMillis[unit]! * interval,
      resetAfterMillis: millisUntil(expiry, now),
    })
  }
  return out
}

/** Reads the product throttle, product quota and tenant throttle headers; the tightest report per window wins. */
export const readHeaders = (headers: Headers.Headers, now = Date.now()): ReadonlyArray<RateLimit.WindowObservation> => {
  const byWindow = new Map<string, RateLimit.WindowObservation>()
  for (const prefix of ["x-keap-product-throttle", "x-keap-product-quota", "x-keap-tenant-throttle"]) {
    for (const seen of observe(headers, prefix, now)) {
      const known = byWindow.get(seen.name)
      if (known === undefined || seen.remaining < known.remaining) byWindow.set(seen.name, seen)
    }
  }
  return [...byWindow.values()]
}

/** OAuth traffic is counted per app; keys per key. */
export const policyFor = (credentials: Credentials.CredentialsShape): RateLimit.RateLimitPolicy => ({
  name: credentials.kind === "oauth2" ? "keap-oauth" : "keap-key",
  windows: credentials.kind === "oauth2" ? oauthWindows : apiKeyWindows,
  readHeaders: (headers) => readHeaders(headers),
})

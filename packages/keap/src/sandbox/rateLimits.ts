import { describeWindow, type RateWindow, validateWindow, type WindowUsage } from "@crmkit/sandbox/rateLimit"

/** Keap's three windows per caller: an unreported per-second spike arrest, the throttle and the daily quota. */
export interface KeapWindows {
  readonly spike: RateWindow
  readonly throttle: RateWindow
  readonly quota: RateWindow
}

/** Overrides for tests (small limits). Anything not given keeps Keap's published value. */
export interface KeapRateLimitOptions {
  /** OAuth bearer tokens, counted per app (client_id) across tenants. */
  readonly oauth?: Partial<KeapWindows> | undefined
  /** Personal Access Tokens and Service Account Keys, counted per key. */
  readonly apiKey?: Partial<KeapWindows> | undefined
}

/** Per app: 25/s spike (unreported in headers), 1,500/min, 150,000/day (research §2.7). */
export const KEAP_OAUTH_WINDOWS: KeapWindows = {
  spike: { limit: 25, windowMs: 1_000 },
  throttle: { limit: 1_500, windowMs: 60_000 },
  quota: { limit: 150_000, windowMs: 86_400_000 },
}

/** Per PAT/SAK: 10/s, 240/min, 30,000/day (research §2.7). */
export const KEAP_API_KEY_WINDOWS: KeapWindows = {
  spike: { limit: 10, windowMs: 1_000 },
  throttle: { limit: 240, windowMs: 60_000 },
  quota: { limit: 30_000, windowMs: 86_400_000 },
}

export interface KeapRatePolicy {
  readonly enforce: boolean
  readonly retryAfter: boolean
  readonly oauth: KeapWindows
  readonly apiKey: KeapWindows
}

export function resolveKeapRatePolicy(option: boolean | KeapRateLimitOptions, retryAfter: boolean): KeapRatePolicy {
  const overrides = typeof option === "object" ? option : {}
  const merge = (defaults: KeapWindows, given: Partial<KeapWindows> | undefined, name: string): KeapWindows => ({
    spike: validateWindow(given?.spike ?? defaults.spike, `keap.${name}.spike`),
    throttle: validateWindow(given?.throttle ?? defaults.throttle, `keap.${name}.throttle`),
    quota: validateWindow(given?.quota ?? defaults.quota, `keap.${name}.quota`),
  })
  return {
    enforce: option !== false,
    retryAfter,
    oauth: merge(KEAP_OAUTH_WINDOWS, overrides.oauth, "oauth"),
    apiKey: merge(KEAP_API_KEY_WINDOWS, overrides.apiKey, "apiKey"),
  }
}

/** The windows in the order the limiter counts them: spike, throttle, quota. */
export function windowList(windows: KeapWindows): RateWindow[] {
  return [windows.spike, windows.throttle, windows.quota]
}

function windowHeaders(prefix: string, usage: WindowUsage): Record<string, string> {
  const { timeUnit, interval } = describeWindow(usage.window.windowMs)
  return {
    [`${prefix}-limit`]: String(usage.window.limit),
    [`${prefix}-time-unit`]: timeUnit,
    [`${prefix}-interval`]: String(interval),
    [`${prefix}-available`]: String(usage.remaining),
    [`${prefix}-used`]: String(usage.used),
  }
}

/**
 * Keap's lower-case rate-limit headers: `x-keap-product-throttle-*` (the per-minute throttle),
 * `x-keap-product-quota-*` (the daily quota, plus `-expiry-time` in epoch ms) and, for PAT/SAK
 * callers, `x-keap-tenant-throttle-*` with pipe-separated spike|throttle values (e.g. `10|240`).
 */
export function keapRateHeaders(
  caller: "oauth" | "apiKey",
  [spike, throttle, quota]: readonly WindowUsage[],
): Record<string, string> {
  if (spike === undefined || throttle === undefined || quota === undefined) return {}
  const headers: Record<string, string> = {
    ...windowHeaders("x-keap-product-throttle", throttle),
    ...windowHeaders("x-keap-product-quota", quota),
    "x-keap-product-quota-expiry-time": String(quota.resetAt),
  }
  if (caller === "apiKey") {
    const spikeUnit = describeWindow(spike.window.windowMs)
    const throttleUnit = describeWindow(throttle.window.windowMs)
    headers["x-keap-tenant-throttle-limit"] = `${spike.window.limit}|${throttle.window.limit}`
    headers["x-keap-tenant-throttle-time-unit"] = `${spikeUnit.timeUnit}|${throttleUnit.timeUnit}`
    headers["x-keap-tenant-throttle-interval"] = `${spikeUnit.interval}|${throttleUnit.interval}`
    headers["x-keap-tenant-throttle-available"] = `${spike.remaining}|${throttle.remaining}`
    headers["x-keap-tenant-throttle-used"] = `${spike.used}|${throttle.used}`
  }
  return headers
}

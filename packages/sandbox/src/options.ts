import type { FaultSpec } from "./faults.ts"
import { type GhlRateLimitOptions, type GhlRatePolicy, resolveGhlRatePolicy } from "./ghl/rateLimits.ts"
import { type KeapRateLimitOptions, type KeapRatePolicy, resolveKeapRatePolicy } from "./keap/rateLimits.ts"

export interface SandboxOptions {
  /** TCP port; 0 (the default) picks a free one. The server listens on 127.0.0.1. */
  readonly port?: number | undefined
  /** Seed of all generated data and credentials. Default 42. */
  readonly seed?: number | undefined
  /** Seeded (virtual) contacts per provider. Default 250 each. */
  readonly contacts?: { readonly keap?: number | undefined; readonly ghl?: number | undefined } | undefined
  /**
   * Rate limiting. `true` (default) enforces each provider's published windows; `false` never
   * refuses (headers still report usage); an object switches providers individually or overrides
   * windows, e.g. `{ ghl: { burst: { limit: 3, windowMs: 10_000 } } }`.
   */
  readonly rateLimits?:
    | boolean
    | {
        readonly keap?: boolean | KeapRateLimitOptions | undefined
        readonly ghl?: boolean | GhlRateLimitOptions | undefined
      }
    | undefined
  /** Lifetime of issued access tokens. Default 86400 (both providers issue one-day tokens). */
  readonly accessTokenTtlSeconds?: number | undefined
  /** Faults armed at start (see FaultInjector.inject). */
  readonly faults?: readonly FaultSpec[] | undefined
  /** Delay added to every provider request. Default 0. */
  readonly latencyMs?: number | undefined
  /**
   * Whether 429 responses carry `Retry-After`. Neither provider documents one (Keap reportedly
   * sends none), so the default is false for both.
   */
  readonly retryAfterHeader?:
    | boolean
    | { readonly keap?: boolean | undefined; readonly ghl?: boolean | undefined }
    | undefined
}

export interface ResolvedOptions {
  readonly port: number
  readonly seed: number
  readonly contacts: { readonly keap: number; readonly ghl: number }
  readonly keapRateLimits: KeapRatePolicy
  readonly ghlRateLimits: GhlRatePolicy
  readonly accessTokenTtlSeconds: number
  readonly faults: readonly FaultSpec[]
  readonly latencyMs: number
}

export const DEFAULT_SEED = 42
export const DEFAULT_CONTACTS = 250
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 86_400

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`)
  return value
}

export function resolveOptions(options: SandboxOptions = {}): ResolvedOptions {
  const rateLimits = options.rateLimits ?? true
  const perProvider = typeof rateLimits === "boolean" ? { keap: rateLimits, ghl: rateLimits } : rateLimits
  const retryAfter = options.retryAfterHeader ?? false
  const retryAfterPerProvider = typeof retryAfter === "boolean" ? { keap: retryAfter, ghl: retryAfter } : retryAfter
  const ttl = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS
  if (!(ttl > 0)) throw new RangeError(`accessTokenTtlSeconds must be positive, got ${ttl}`)
  return {
    port: nonNegativeInteger(options.port ?? 0, "port"),
    seed: nonNegativeInteger(options.seed ?? DEFAULT_SEED, "seed"),
    contacts: {
      keap: nonNegativeInteger(options.contacts?.keap ?? DEFAULT_CONTACTS, "contacts.keap"),
      ghl: nonNegativeInteger(options.contacts?.ghl ?? DEFAULT_CONTACTS, "contacts.ghl"),
    },
    keapRateLimits: resolveKeapRatePolicy(perProvider.keap ?? true, retryAfterPerProvider.keap ?? false),
    ghlRateLimits: resolveGhlRatePolicy(perProvider.ghl ?? true, retryAfterPerProvider.ghl ?? false),
    accessTokenTtlSeconds: ttl,
    faults: options.faults ?? [],
    latencyMs: nonNegativeInteger(options.latencyMs ?? 0, "latencyMs"),
  }
}

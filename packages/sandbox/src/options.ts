import type { FaultSpec } from "./faults.ts"
import type { CommonSimulatorOptions, SimulatorFactory } from "./provider.ts"

export interface SandboxOptions<Simulators extends Readonly<Record<string, SimulatorFactory<any, any>>>> {
  /** The simulated providers, by name: each one's factory (e.g. `@crmkit/keap/sandbox`'s `simulator()`). */
  readonly simulators: Simulators
  /** TCP port; 0 (the default) picks a free one. The server listens on 127.0.0.1. */
  readonly port?: number | undefined
  /** Seed of all generated data and credentials. Default 42. */
  readonly seed?: number | undefined
  /** Faults armed at start (see FaultInjector.inject). */
  readonly faults?: readonly FaultSpec[] | undefined
  /** Delay added to every provider request. Default 0. */
  readonly latencyMs?: number | undefined
}

export const DEFAULT_SEED = 42
export const DEFAULT_CONTACTS = 250
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 86_400

export function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`)
  return value
}

/** The common simulator options with their defaults, checked; `name` prefixes the errors. */
export function resolveCommonOptions(name: string, options: CommonSimulatorOptions = {}) {
  const ttl = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS
  if (!(ttl > 0)) throw new RangeError(`${name}.accessTokenTtlSeconds must be positive, got ${ttl}`)
  return {
    contacts: nonNegativeInteger(options.contacts ?? DEFAULT_CONTACTS, `${name}.contacts`),
    rateLimits: options.rateLimits ?? (true as boolean | object),
    retryAfterHeader: options.retryAfterHeader ?? false,
    accessTokenTtlSeconds: ttl,
  }
}

/** Names the server's own properties use: a simulator cannot take one. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "url",
  "port",
  "seed",
  "stats",
  "faults",
  "clock",
  "credentials",
  "connections",
  "simulators",
  "close",
])

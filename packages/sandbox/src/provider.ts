import type { SandboxClock } from "./clock.ts"
import type { RequestContext, SandboxResponse } from "./http.ts"
import type { FixedWindowCounter } from "./rateLimit.ts"
import type { SandboxStats } from "./stats.ts"

/**
 * The contract between the server and one simulated provider. Each provider owns a URL prefix
 * (`/keap`, `/ghl`); the server handles what is common (body parsing, stats, faults, latency) and
 * hands the rest to the provider.
 */
export interface ProviderSimulator {
  /** Short name used in stats ("keap"). */
  readonly name: string
  /** URL prefix without a trailing slash ("/keap"). */
  readonly prefix: string
  /** Resolves the route (for stats) and returns the deferred work of serving it. */
  prepare(ctx: RequestContext): PreparedRequest
  /** An injected failure in the provider's own error shape (`429` with its rate-limit headers, or a 5xx). */
  injectedFailure(kind: "429" | "5xx", status: number, ctx: RequestContext): SandboxResponse
}

export interface PreparedRequest {
  /** Stats key: method and route pattern with the prefix, e.g. "GET /keap/crm/rest/v2/contacts/:id". */
  readonly routeKey: string
  run(): SandboxResponse | Promise<SandboxResponse>
}

/** Shared services a provider is built with. */
export interface ProviderEnvironment {
  readonly clock: SandboxClock
  readonly stats: SandboxStats
  readonly limiter: FixedWindowCounter
  readonly seed: number
}

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

/** How a client talks to a simulator with the simulator's own credential (`crmkit --sandbox`). */
export interface SandboxConnection {
  readonly baseUrl: string
  /** A credential kind of the provider's connector (`pat`, `pit`) and its secret. */
  readonly credential: { readonly kind: string; readonly secret: string }
  /** Context values that credential works in (GHL's location). */
  readonly context: Readonly<Record<string, string>>
}

/** Options every simulator takes, so that a host can start any of them the same way. */
export interface CommonSimulatorOptions {
  /** Seeded (virtual) contacts. Default 250. */
  readonly contacts?: number | undefined
  /**
   * `false`: never refuse for rate limits (headers still report usage); an object overrides
   * the provider's windows (its simulator says how). Default: the provider's published windows.
   */
  readonly rateLimits?: boolean | object | undefined
  /** Whether 429 responses carry `Retry-After`. Default false. */
  readonly retryAfterHeader?: boolean | undefined
  /** Lifetime of issued access tokens. Default 86400. */
  readonly accessTokenTtlSeconds?: number | undefined
}

/** One simulated provider as the server holds it. */
export interface Simulator<Endpoints = unknown, Credentials = unknown> {
  readonly provider: ProviderSimulator
  /** Fake, sandbox-only credentials (served by `GET /__sandbox/credentials`). */
  readonly credentials: Credentials
  /** URLs and helpers for tests and tools, once the server listens at `origin`. */
  readonly endpoints: (origin: string) => Endpoints
  readonly connection: (origin: string) => SandboxConnection
  /** Lines a host prints when it starts the sandbox: label and value. */
  readonly summary: (origin: string) => ReadonlyArray<readonly [string, string]>
  /** The provider's name as people write it, for those lines. */
  readonly title: string
  /** Fires a webhook event to its receivers, for providers that send webhooks. */
  readonly trigger?: ((request: TriggerRequest) => TriggerOutcome) | undefined
}

/** A webhook event fired on request (`POST /__sandbox/trigger`, `crmkit sandbox trigger`). */
export interface TriggerRequest {
  readonly event: string
  /** Fields of the event's record to set (`id`, `email`, ...); the rest come from seeded data. */
  readonly overrides: Readonly<Record<string, string>>
  /** Receivers besides the subscribed ones (where the provider has no subscription API: GHL's app URL). */
  readonly to: ReadonlyArray<string>
}

/** Where the event goes (deliveries happen in the background, signed as the provider signs), or why not. */
export type TriggerOutcome = { readonly receivers: ReadonlyArray<string> } | { readonly error: string }

/** Builds a simulator with the server's shared services. */
export type SimulatorFactory<Endpoints = unknown, Credentials = unknown> = (
  env: ProviderEnvironment,
) => Simulator<Endpoints, Credentials>

/** What a provider's `sandbox` module exports. */
export interface SimulatorModule<Options extends CommonSimulatorOptions = CommonSimulatorOptions> {
  readonly simulator: (options?: Options) => SimulatorFactory
}

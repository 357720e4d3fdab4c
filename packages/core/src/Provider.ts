/**
 * What a provider package tells the core about its API. Everything provider-specific
 * (base URL, headers, rate-limit windows and headers, error shapes) comes through
 * here, so that the core never names a CRM.
 */
import type { Duration } from "effect"
import type { Headers } from "effect/http"
import type { CredentialsShape } from "./Credentials.ts"
import type { FieldIssue } from "./CrmError.ts"
import type { RateLimitPolicy } from "./RateLimit.ts"
import type { RetryPolicy } from "./Retry.ts"

/** What a provider's error body says, in the core's terms. */
export interface ProviderErrorInfo {
  readonly message: string
  readonly requestId?: string | undefined
  readonly fields?: ReadonlyArray<FieldIssue> | undefined
  readonly missingScope?: string | undefined
  /** Overrides the kind the status implies (e.g. a 401 that is really a missing scope). */
  readonly kind?: "Unauthorized" | "Forbidden" | "NotFound" | "Conflict" | "Validation" | "Server" | undefined
}

export interface ProviderResponse {
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: unknown
}

export interface ProviderProfile {
  /** Lower-case provider name used in errors and budgets, e.g. `keap`. */
  readonly name: string
  /** Everything before the operation paths; configurable for proxies and gateways. */
  readonly baseUrl: string
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined
  /** The rate-limit policy for a credential (providers limit API keys and OAuth apps differently). */
  readonly rateLimitPolicy: (credentials: CredentialsShape) => RateLimitPolicy
  /** Reads an error response. */
  readonly decodeError: (response: ProviderResponse) => ProviderErrorInfo
  /** The provider's request/trace id on a successful or failed response. */
  readonly requestId?: ((response: ProviderResponse) => string | undefined) | undefined
  readonly retry?: RetryPolicy | undefined
  /** Per-attempt time limit. Default 30 seconds. */
  readonly timeout?: Duration.Input | undefined
}

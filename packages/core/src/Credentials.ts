/**
 * How a request proves who it is. A provider client requires `Credentials`; the app
 * picks the layer: a static API-key header, a static bearer token, or OAuth 2.0
 * (`OAuth2.layerCredentials`), which refreshes itself.
 *
 * Provide it to the provider's client layer with `Layer.provide`, so that two
 * providers in one program each keep their own credential.
 */
import { Context, Effect, Layer, Redacted } from "effect"
import { HttpClientRequest } from "effect/http"
import type { CrmError } from "./CrmError.ts"
import * as Sensitive from "./Sensitive.ts"

export interface Authorized {
  readonly request: HttpClientRequest.HttpClientRequest
  /** Which token signed the request; handed back to `refresh` after a 401 so that only a stale token refreshes. */
  readonly generation: number
}

export interface CredentialsShape {
  /** A label for the kind of credential, e.g. `api-key`, `bearer`, `oauth2`. */
  readonly kind: string
  /** A stable, non-secret id of this credential (the token store key for OAuth). */
  readonly id: string
  /**
   * The rate-limit budget this credential draws from, when the provider counts wider
   * than one credential (Keap counts OAuth traffic per app). Defaults to `id`.
   */
  readonly budget?: string | undefined
  readonly authorize: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<Authorized, CrmError>
  /**
   * Called once after a 401. Returns true when a fresh token is ready and the request
   * may be sent again. Static credentials return false.
   */
  readonly refresh: (generation: number) => Effect.Effect<boolean, CrmError>
}

export class Credentials extends Context.Service<Credentials, CredentialsShape>()("@crmkit/core/Credentials") {}

const staticCredentials = (
  kind: string,
  id: string,
  budget: string | undefined,
  apply: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest,
): CredentialsShape => ({
  kind,
  id,
  budget,
  authorize: (request) => Effect.succeed({ request: apply(request), generation: 0 }),
  refresh: () => Effect.succeed(false),
})

/** A key sent in a header of its own, e.g. Keap's `X-Keap-API-Key`. */
export const layerApiKeyHeader = (options: {
  readonly header: string
  readonly key: Redacted.Redacted<string>
  /** Non-secret id of this key (defaults to a fingerprint of it). */
  readonly id?: string
  readonly kind?: string
  readonly budget?: string
}): Layer.Layer<Credentials> => {
  const key = Sensitive.register(options.key)
  return Layer.succeed(
    Credentials,
    staticCredentials(options.kind ?? "api-key", options.id ?? fingerprint(key), options.budget, (request) =>
      HttpClientRequest.setHeader(request, options.header, Redacted.value(key)),
    ),
  )
}

/** A static bearer token (a GHL Private Integration Token, a pre-issued access token). */
export const layerBearer = (options: {
  readonly token: Redacted.Redacted<string>
  readonly id?: string
  readonly kind?: string
  readonly budget?: string
}): Layer.Layer<Credentials> => {
  const token = Sensitive.register(options.token)
  return Layer.succeed(
    Credentials,
    staticCredentials(options.kind ?? "bearer", options.id ?? fingerprint(token), options.budget, (request) =>
      HttpClientRequest.bearerToken(request, Redacted.value(token)),
    ),
  )
}

/**
 * A short, non-reversible id for a secret (FNV-1a of its value), so that budgets and
 * stores can be keyed per credential without holding the secret itself.
 */
export const fingerprint = (secret: Redacted.Redacted<string>): string => {
  let hash = 0x811c9dc5
  for (const char of Redacted.value(secret)) {
    hash ^= char.codePointAt(0)!
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return `key-${hash.toString(16).padStart(8, "0")}`
}

/** The last few characters of a secret, for `auth status` style displays. */
export const lastCharacters = (secret: Redacted.Redacted<string>, count = 4): string => {
  const value = Redacted.value(secret)
  return value.length <= count * 3 ? "…" : `…${value.slice(-count)}`
}

/**
 * OAuth 2.0 authorization-code flow: the authorize URL (state, PKCE), the code exchange,
 * refresh, and `layerCredentials`, which keeps a token pair fresh.
 *
 * Refresh is single-flight per stored credential: both CRMs rotate refresh tokens and
 * accept each only once, so two concurrent refreshes would log the user out. A hundred
 * requests that find the token expired cause exactly one refresh call; the new pair is
 * saved through `TokenStore` before any request uses it.
 */
import { createHash, randomBytes } from "node:crypto"
import { Clock, Duration, Effect, Layer, Option, Redacted, Schema, Semaphore } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { Credentials } from "./Credentials.ts"
import { CrmError, Decode, Transport, Unauthorized } from "./CrmError.ts"
import * as Sensitive from "./Sensitive.ts"
import { type TokenSet, TokenStore } from "./TokenStore.ts"

export interface AuthorizationRequest {
  readonly authorizeUrl: string
  readonly clientId: string
  readonly redirectUri: string
  readonly scope?: string | undefined
  /** Adds `code_challenge` (S256); keep the returned `codeVerifier` for the exchange. */
  readonly pkce?: boolean | undefined
  readonly state?: string | undefined
  readonly extraParams?: Readonly<Record<string, string>> | undefined
}

export interface AuthorizationStart {
  readonly url: string
  /** Compare with the `state` the redirect brings back, to refuse forged callbacks. */
  readonly state: string
  readonly codeVerifier?: Redacted.Redacted<string> | undefined
}

const base64url = (bytes: Buffer): string => bytes.toString("base64url")

/** Builds the URL the user opens to grant access. */
export const authorizationUrl = (request: AuthorizationRequest): AuthorizationStart => {
  const state = request.state ?? base64url(randomBytes(16))
  const url = new URL(request.authorizeUrl)
  url.searchParams.set("response_type", "code")
  url.searchParams.set("client_id", request.clientId)
  url.searchParams.set("redirect_uri", request.redirectUri)
  if (request.scope !== undefined) url.searchParams.set("scope", request.scope)
  url.searchParams.set("state", state)
  for (const [name, value] of Object.entries(request.extraParams ?? {})) url.searchParams.set(name, value)
  if (!request.pkce) return { url: url.toString(), state }
  const verifier = base64url(randomBytes(32))
  url.searchParams.set("code_challenge", base64url(createHash("sha256").update(verifier).digest()))
  url.searchParams.set("code_challenge_method", "S256")
  return { url: url.toString(), state, codeVerifier: Sensitive.register(Redacted.make(verifier)) }
}

/** A provider's token endpoint and the app's client credentials. */
export interface TokenEndpoint {
  readonly provider: string
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** `basic`: HTTP Basic client auth (Keap's refresh); `body`: client_id and client_secret in the form (GHL). */
  readonly clientAuthentication: "basic" | "body"
}

const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  refresh_token: Schema.optional(Schema.String),
  expires_in: Schema.optional(Schema.Union([Schema.Number, Schema.NumberFromString])),
  scope: Schema.optional(Schema.String),
})
const decodeTokenResponse = Schema.decodeUnknownEffect(TokenResponse)

const secretFields = new Set(["access_token", "refresh_token", "expires_in", "scope", "token_type"])

/** Posts a grant to the token endpoint and reads the token pair out of the answer. */
export const requestTokens = Effect.fnUntraced(function* (
  endpoint: TokenEndpoint,
  grant: Readonly<Record<string, string>>,
): Effect.fn.Return<TokenSet, CrmError, HttpClient.HttpClient> {
  const client = yield* HttpClient.HttpClient
  const form: Record<string, string> = { ...grant }
  let request = HttpClientRequest.post(endpoint.tokenUrl).pipe(HttpClientRequest.acceptJson)
  if (endpoint.clientAuthentication === "basic") {
    request = HttpClientRequest.basicAuth(request, endpoint.clientId, Redacted.value(endpoint.clientSecret))
  } else {
    form.client_id = endpoint.clientId
    form.client_secret = Redacted.value(endpoint.clientSecret)
  }
  request = HttpClientRequest.bodyUrlParams(request, form)
  const where = `POST ${new URL(endpoint.tokenUrl).pathname}`
  const response = yield* client.execute(request).pipe(
    Effect.mapError(
      (error) =>
        new CrmError({
          reason: new Transport({
            provider: endpoint.provider,
            message: `Token endpoint unreachable: ${error.reason._tag}`,
            request: where,
            mayHaveReachedServer: error.reason._tag !== "InvalidUrlError",
          }),
        }),
    ),
  )
  const body: unknown = yield* response.json.pipe(Effect.orElseSucceed(() => undefined))
  if (response.status >= 400) {
    const scrubbed = Sensitive.scrubBody(body)
    return yield* new CrmError({
      reason: new Unauthorized({
        provider: endpoint.provider,
        status: response.status,
        request: where,
        message: `Token request (${grant.grant_type}) was refused: ${oauthErrorText(scrubbed)}`,
        body: scrubbed,
      }),
    })
  }
  const tokens = yield* decodeTokenResponse(body).pipe(
    Effect.mapError(
      () =>
        new CrmError({
          reason: new Decode({
            provider: endpoint.provider,
            status: response.status,
            request: where,
            message: "Token response has no access_token",
          }),
        }),
    ),
  )
  const now = yield* Clock.currentTimeMillis
  const meta: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (!secretFields.has(key)) meta[key] = value
  }
  return {
    accessToken: Sensitive.register(Redacted.make(tokens.access_token)),
    refreshToken:
      tokens.refresh_token === undefined ? undefined : Sensitive.register(Redacted.make(tokens.refresh_token)),
    expiresAt: tokens.expires_in === undefined ? undefined : now + tokens.expires_in * 1000,
    scope: tokens.scope,
    meta,
  }
})

const oauthErrorText = (body: unknown): string => {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>
    const text = [b.error, b.error_description, b.message].filter((v) => v !== undefined).map(String)
    if (text.length > 0) return text.join(": ")
  }
  return "no error description"
}

/** Trades the code from the redirect for a token pair. */
export const exchangeCode = (
  endpoint: TokenEndpoint,
  options: {
    readonly code: string
    readonly redirectUri: string
    readonly codeVerifier?: Redacted.Redacted<string> | undefined
    readonly extraParams?: Readonly<Record<string, string>> | undefined
  },
) =>
  requestTokens(endpoint, {
    grant_type: "authorization_code",
    code: options.code,
    redirect_uri: options.redirectUri,
    ...(options.codeVerifier === undefined ? {} : { code_verifier: Redacted.value(options.codeVerifier) }),
    ...options.extraParams,
  })

/** Uses a refresh token once; the answer carries the rotated refresh token. */
export const refreshTokens = (
  endpoint: TokenEndpoint,
  refreshToken: Redacted.Redacted<string>,
  extraParams?: Readonly<Record<string, string>>,
) =>
  requestTokens(endpoint, {
    grant_type: "refresh_token",
    refresh_token: Redacted.value(refreshToken),
    ...extraParams,
  })

export interface CredentialsOptions {
  readonly provider: string
  /** Key of this token pair in the TokenStore (e.g. `keap:app-id` or `ghl:location:abc`). */
  readonly storeKey: string
  /** How a stale pair is renewed; usually `(t) => refreshTokens(endpoint, t.refreshToken)`. */
  readonly renew: (current: TokenSet) => Effect.Effect<TokenSet, CrmError, HttpClient.HttpClient>
  /** Refresh this long before expiry. Default 5 minutes. */
  readonly refreshBefore?: Duration.Input | undefined
  readonly kind?: string | undefined
  /** Rate-limit budget key when wider than this token pair (see `CredentialsShape.budget`). */
  readonly budget?: string | undefined
}

/** Renewal with the refresh-token grant, keeping the old refresh token if the provider did not send a new one. */
export const renewWithRefreshToken =
  (endpoint: TokenEndpoint, extraParams?: (current: TokenSet) => Readonly<Record<string, string>>) =>
  (current: TokenSet): Effect.Effect<TokenSet, CrmError, HttpClient.HttpClient> =>
    current.refreshToken === undefined
      ? Effect.fail(
          new CrmError({
            reason: new Unauthorized({
              provider: endpoint.provider,
              message: "The access token expired and there is no refresh token: log in again",
            }),
          }),
        )
      : Effect.map(refreshTokens(endpoint, current.refreshToken, extraParams?.(current)), (fresh) => ({
          ...fresh,
          refreshToken: fresh.refreshToken ?? current.refreshToken,
          meta: { ...current.meta, ...fresh.meta },
        }))

// One lock per stored credential for the whole process, so that layers built per
// execution (n8n, Zapier) still share the single flight.
const locks = new Map<string, Semaphore.Semaphore>()
const lockFor = (key: string): Semaphore.Semaphore => {
  let lock = locks.get(key)
  if (lock === undefined) {
    lock = Semaphore.makeUnsafe(1)
    locks.set(key, lock)
  }
  return lock
}

/** Credentials backed by a stored OAuth token pair that refresh themselves, proactively and on 401. */
export const layerCredentials = (
  options: CredentialsOptions,
): Layer.Layer<Credentials, never, TokenStore | HttpClient.HttpClient> =>
  Layer.effect(
    Credentials,
    Effect.gen(function* () {
      const store = yield* TokenStore
      const http = yield* HttpClient.HttpClient
      const lock = lockFor(options.storeKey)
      const refreshBefore = Duration.toMillis(Duration.fromInputUnsafe(options.refreshBefore ?? "5 minutes"))
      let current: TokenSet | undefined
      let generation = 0

      const unauthorized = (message: string) =>
        new CrmError({ reason: new Unauthorized({ provider: options.provider, message }) })

      const storeFailure = (action: string) => (error: { readonly message: string }) =>
        unauthorized(`Could not ${action} the token pair: ${error.message}`)

      const load = Effect.gen(function* () {
        if (current !== undefined) return current
        const stored = yield* store.get(options.storeKey).pipe(Effect.mapError(storeFailure("read")))
        if (Option.isNone(stored)) {
          return yield* unauthorized(`No token stored under "${options.storeKey}": log in first`)
        }
        current = stored.value
        return current
      })

      const isStale = (tokens: TokenSet, now: number) =>
        tokens.expiresAt !== undefined && tokens.expiresAt - now <= refreshBefore

      // Renews unless another fiber already did since `seen` was handed out.
      const renew = (seen: number) =>
        lock.withPermit(
          Effect.gen(function* () {
            if (generation !== seen) return true
            const now = yield* Clock.currentTimeMillis
            // Another process sharing the store may have rotated the pair already.
            const stored = yield* store.get(options.storeKey).pipe(Effect.mapError(storeFailure("read")))
            if (
              Option.isSome(stored) &&
              current !== undefined &&
              Redacted.value(stored.value.accessToken) !== Redacted.value(current.accessToken) &&
              !isStale(stored.value, now)
            ) {
              current = stored.value
              generation++
              return true
            }
            const base = Option.isSome(stored) ? stored.value : yield* load
            const fresh = yield* options.renew(base).pipe(Effect.provideService(HttpClient.HttpClient, http))
            // Persist before use: a rotated refresh token that is not saved is lost.
            yield* store.set(options.storeKey, fresh).pipe(Effect.mapError(storeFailure("save")))
            current = fresh
            generation++
            return true
          }),
        )

      return Credentials.of({
        kind: options.kind ?? "oauth2",
        id: options.storeKey,
        budget: options.budget,
        authorize: (request) =>
          Effect.gen(function* () {
            let tokens = yield* load
            const now = yield* Clock.currentTimeMillis
            if (isStale(tokens, now)) {
              yield* renew(generation)
              tokens = yield* load
            }
            return {
              request: HttpClientRequest.bearerToken(request, Redacted.value(tokens.accessToken)),
              generation,
            }
          }),
        refresh: renew,
      })
    }),
  )

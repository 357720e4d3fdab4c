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
import { Clock, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { Credentials } from "./Credentials.ts"
import { CrmError, Decode, Transport, Unauthorized } from "./CrmError.ts"
import * as Sensitive from "./Sensitive.ts"
import { makeProcessLocks, type TokenSet, TokenStore } from "./TokenStore.ts"

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
  /**
   * How a first pair is obtained when the store holds none (a GHL location token minted
   * with the agency's). Without it, an empty store means the user must log in.
   */
  readonly issue?: Effect.Effect<TokenSet, CrmError, HttpClient.HttpClient> | undefined
  /** Refresh this long before expiry. Default 5 minutes. */
  readonly refreshBefore?: Duration.Input | undefined
  readonly kind?: string | undefined
  /** Rate-limit budget key when wider than this token pair (see `CredentialsShape.budget`). */
  readonly budget?: string | undefined
  /**
   * What a person must do when the saved pair is truly revoked, in the host's words
   * (the CLI: `Profile "x" must be signed in again: crmkit auth login ...`).
   */
  readonly signInHint?: string | undefined
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

// Fibers of this process queue here before they take the store's lock, so that layers
// built per execution (n8n, Zapier) share the single flight without polling the store.
const processLocks = makeProcessLocks()

const sameSecret = (a: Redacted.Redacted<string> | undefined, b: Redacted.Redacted<string> | undefined) =>
  (a === undefined ? undefined : Redacted.value(a)) === (b === undefined ? undefined : Redacted.value(b))

/**
 * Credentials backed by a stored OAuth token pair that refresh themselves, proactively
 * and on 401.
 *
 * A renewal holds the store's lock on the credential (as wide as the store is shared:
 * this process, the processes sharing a file, the machines sharing a Redis), re-reads
 * the pair under it and renews only if it is still the one this layer saw; otherwise it
 * uses the pair another holder saved. A refused renewal re-reads once more: if the
 * stored pair changed, a holder outside the lock rotated it, and that pair is used.
 * Only when the refused pair is still the stored one is the error final.
 */
export const layerCredentials = (
  options: CredentialsOptions,
): Layer.Layer<Credentials, never, TokenStore | HttpClient.HttpClient> =>
  Layer.effect(
    Credentials,
    Effect.gen(function* () {
      const store = yield* TokenStore
      const http = yield* HttpClient.HttpClient
      const refreshBefore = Duration.toMillis(Duration.fromInputUnsafe(options.refreshBefore ?? "5 minutes"))
      const signInAgain = options.signInHint ?? "log in again"
      const revoked =
        options.signInHint ?? `The saved credential "${options.storeKey}" is no longer valid: log in again`
      let current: TokenSet | undefined
      let generation = 0

      const unauthorized = (message: string) =>
        new CrmError({ reason: new Unauthorized({ provider: options.provider, message }) })

      const storeFailure = (action: string) => (error: { readonly message: string }) =>
        unauthorized(`Could not ${action} the token pair: ${error.message}`)

      const read = store
        .get(options.storeKey)
        .pipe(Effect.map(Option.getOrUndefined), Effect.mapError(storeFailure("read")))

      const isStale = (tokens: TokenSet, now: number) =>
        tokens.expiresAt !== undefined && tokens.expiresAt - now <= refreshBefore

      const use = (tokens: TokenSet) => {
        current = tokens
        generation++
        return true
      }

      const withHttp = <A>(effect: Effect.Effect<A, CrmError, HttpClient.HttpClient>) =>
        Effect.provideService(effect, HttpClient.HttpClient, http)

      // Renews `base`; a refusal re-reads the store to tell "rotated by another holder" from "revoked".
      const renewFrom = (base: TokenSet) =>
        withHttp(options.renew(base)).pipe(
          Effect.catchReason("CrmError", "Unauthorized", (refused) =>
            Effect.gen(function* () {
              const stored = yield* read
              const rotated =
                stored !== undefined &&
                (!sameSecret(stored.refreshToken, base.refreshToken) ||
                  !sameSecret(stored.accessToken, base.accessToken))
              if (!rotated) {
                return yield* new CrmError({
                  reason: new Unauthorized({
                    provider: refused.provider,
                    status: refused.status,
                    request: refused.request,
                    requestId: refused.requestId,
                    body: refused.body,
                    // A minted token's refusal may already carry the hint of the pair it was minted with.
                    message: refused.message.includes(revoked) ? refused.message : `${refused.message}. ${revoked}`,
                  }),
                })
              }
              const now = yield* Clock.currentTimeMillis
              return isStale(stored, now) ? yield* withHttp(options.renew(stored)) : stored
            }),
          ),
        )

      const renewHoldingLock = Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const stored = yield* read
        // Another holder renewed (or issued) it while this one waited for the lock.
        if (
          stored !== undefined &&
          !isStale(stored, now) &&
          (current === undefined || !sameSecret(stored.accessToken, current.accessToken))
        ) {
          return use(stored)
        }
        const base = stored ?? current
        let fresh: TokenSet
        if (base !== undefined) fresh = yield* renewFrom(base)
        else if (options.issue !== undefined) fresh = yield* withHttp(options.issue)
        else return yield* unauthorized(`No token stored under "${options.storeKey}": ${signInAgain}`)
        // Persist before use: a rotated refresh token that is not saved is lost.
        if (fresh !== stored) yield* store.set(options.storeKey, fresh).pipe(Effect.mapError(storeFailure("save")))
        return use(fresh)
      })

      // Renews unless another fiber already did since `seen` was handed out.
      const renew = (seen: number) =>
        processLocks(
          options.storeKey,
          Effect.suspend(() =>
            generation !== seen && current !== undefined
              ? Effect.succeed(true)
              : store
                  .withLock(options.storeKey, renewHoldingLock)
                  .pipe(
                    Effect.mapError((error) =>
                      error._tag === "TokenStoreError" ? storeFailure("lock")(error) : error,
                    ),
                  ),
          ),
        )

      return Credentials.of({
        kind: options.kind ?? "oauth2",
        id: options.storeKey,
        budget: options.budget,
        authorize: (request) =>
          Effect.gen(function* () {
            if (current === undefined) {
              const stored = yield* read
              if (stored !== undefined && current === undefined) use(stored)
            }
            const now = yield* Clock.currentTimeMillis
            if (current === undefined || isStale(current, now)) yield* renew(generation)
            const tokens = current as unknown as TokenSet
            return {
              request: HttpClientRequest.bearerToken(request, Redacted.value(tokens.accessToken)),
              generation,
            }
          }),
        refresh: renew,
      })
    }),
  )

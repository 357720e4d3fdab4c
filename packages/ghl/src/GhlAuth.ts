/**
 * GHL credentials as layers: Private Integration Tokens (static bearer, location or
 * agency), OAuth 2.0 marketplace apps with rotating refresh tokens (client credentials
 * in the form body, `user_type` on refresh), and Location tokens minted from an Agency
 * token (`POST /oauth/locationToken`), kept in the TokenStore next to the agency pair.
 *
 * Every layer also says which scopes the credential holds when that is known (the
 * token response's `scope`, the scopes configured for a PIT, or the `oauthMeta.scopes`
 * claim of an OAuth access token), so that `GhlOperations` can refuse a request that
 * would fail for a missing scope before sending it.
 */
import { Credentials, CrmError, CrmErrors, OAuth2, Sensitive, TokenStore } from "@crmkit/core"
import { Clock, Context, type Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { defaults } from "./GhlConfig.ts"

export type UserType = "Location" | "Company"

export interface OAuthApp {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly baseUrl?: string | undefined
  /** Use the white-label marketplace host for the consent page. */
  readonly whiteLabel?: boolean | undefined
  readonly authorizeUrl?: string | undefined
}

/**
 * The scopes the credential holds, when known (`undefined`: unknown, let GHL decide).
 * `GhlClient.layer` reads it from the credential layer it is given.
 */
export interface GrantedScopesShape {
  readonly get: Effect.Effect<ReadonlyArray<string> | undefined>
}

export const GrantedScopes = Context.Reference<GrantedScopesShape>("@crmkit/ghl/GrantedScopes", {
  defaultValue: () => ({ get: Effect.succeed(undefined) }),
})

const splitScopes = (scope: string | undefined): ReadonlyArray<string> | undefined =>
  scope === undefined ? undefined : scope.split(/[\s,]+/).filter((s) => s.length > 0)

/** Scopes read from the TokenStore entry (`scope` of the last token response). */
const scopesFromStore = (storeKey: string) =>
  Layer.effect(
    GrantedScopes,
    Effect.gen(function* () {
      const store = yield* TokenStore.TokenStore
      return {
        get: store.get(storeKey).pipe(
          Effect.map((stored) => (Option.isSome(stored) ? splitScopes(stored.value.scope) : undefined)),
          Effect.orElseSucceed(() => undefined),
        ),
      }
    }),
  )

const fixedScopes = (scopes: ReadonlyArray<string> | undefined) =>
  Layer.succeed(GrantedScopes, { get: Effect.succeed(scopes) })

export const tokenEndpoint = (app: OAuthApp): OAuth2.TokenEndpoint => ({
  provider: "ghl",
  tokenUrl: `${(app.baseUrl ?? defaults.baseUrl).replace(/\/+$/, "")}/oauth/token`,
  clientId: app.clientId,
  clientSecret: app.clientSecret,
  clientAuthentication: "body",
})

export const authorizationUrl = (app: OAuthApp, redirectUri: string, scopes: ReadonlyArray<string>, state?: string) =>
  OAuth2.authorizationUrl({
    authorizeUrl: app.authorizeUrl ?? (app.whiteLabel ? defaults.whiteLabelAuthorizeUrl : defaults.authorizeUrl),
    clientId: app.clientId,
    redirectUri,
    scope: scopes.join(" "),
    state,
  })

export const exchangeCode = (app: OAuthApp, code: string, redirectUri: string, userType: UserType = "Location") =>
  OAuth2.exchangeCode(tokenEndpoint(app), { code, redirectUri, extraParams: { user_type: userType } })

export const storeKey = (userType: UserType, resourceId: string) =>
  `ghl:${userType === "Location" ? "location" : "company"}:${resourceId}`

/** OAuth credentials for one location or company; the budget is per app and resource. */
export const layerOAuth = (
  app: OAuthApp,
  resource: { readonly userType: UserType; readonly id: string },
  options: { readonly signInHint?: string | undefined } = {},
): Layer.Layer<Credentials.Credentials, never, TokenStore.TokenStore | HttpClient.HttpClient> =>
  Layer.merge(
    OAuth2.layerCredentials({
      provider: "ghl",
      storeKey: storeKey(resource.userType, resource.id),
      renew: OAuth2.renewWithRefreshToken(tokenEndpoint(app), () => ({ user_type: resource.userType })),
      budget: `app:${app.clientId}:${resource.id}`,
      signInHint: options.signInHint,
    }),
    scopesFromStore(storeKey(resource.userType, resource.id)),
  )

// --- Legacy API v1 keys ----------------------------------------------------------------

const jwtPayload = (token: string): Record<string, unknown> | undefined => {
  const parts = token.split(".")
  if (parts.length !== 3 || parts[1] === undefined) return undefined
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"))
    return payload !== null && typeof payload === "object" ? (payload as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether a token is a legacy API v1 key: v1 location and agency keys are JWTs that carry
 * `location_id` or `company_id` (and `version: 1`), never the `authClass` of v2 tokens.
 */
export const isLegacyApiKey = (token: string): boolean => {
  const payload = jwtPayload(token)
  if (payload === undefined || "authClass" in payload || "oauthMeta" in payload) return false
  return payload.version === 1 || typeof payload.location_id === "string" || typeof payload.company_id === "string"
}

export const legacyApiKeyMessage =
  "This looks like a GoHighLevel API v1 key. API v1 has reached end of life and API v2 refuses its keys. " +
  "Create a Private Integration Token (Settings > Private Integrations) with the scopes your calls need " +
  "(for example contacts.readonly and contacts.write), or install an OAuth app, and use that token instead."

const refuseLegacy = (token: Redacted.Redacted<string>): Effect.Effect<void, CrmError> =>
  isLegacyApiKey(Redacted.value(token))
    ? Effect.fail(
        new CrmError({ reason: new CrmErrors.Unauthorized({ provider: "ghl", message: legacyApiKeyMessage }) }),
      )
    : Effect.void

/** The `oauthMeta.scopes` claim of a v2 OAuth access token, when the token is a readable JWT. */
export const scopesOfAccessToken = (token: string): ReadonlyArray<string> | undefined => {
  const meta = jwtPayload(token)?.oauthMeta as { scopes?: unknown } | undefined
  return Array.isArray(meta?.scopes) ? meta.scopes.filter((s): s is string => typeof s === "string") : undefined
}

/**
 * A Private Integration Token, for a location or an agency. Give its `scopes` (as chosen
 * in the UI) to have requests outside them refused before sending. Legacy v1 keys are
 * refused when the layer is built.
 */
export const layerPrivateIntegrationToken = (
  token: Redacted.Redacted<string>,
  options: { readonly scopes?: ReadonlyArray<string> | undefined } = {},
): Layer.Layer<Credentials.Credentials, CrmError> =>
  Layer.unwrap(
    Effect.as(
      refuseLegacy(token),
      Layer.merge(Credentials.layerBearer({ token, kind: "pit" }), fixedScopes(options.scopes)),
    ),
  )

/**
 * A pre-issued bearer: an OAuth access token or a PIT (what `GHL_ACCESS_TOKEN` holds).
 * Scopes come from `options.scopes`, else from the token's own claims when it is a JWT.
 */
export const layerAccessToken = (
  token: Redacted.Redacted<string>,
  options: { readonly scopes?: ReadonlyArray<string> | undefined } = {},
): Layer.Layer<Credentials.Credentials, CrmError> =>
  Layer.unwrap(
    Effect.as(
      refuseLegacy(token),
      Layer.merge(
        Credentials.layerBearer({ token, kind: jwtPayload(Redacted.value(token)) === undefined ? "pit" : "bearer" }),
        fixedScopes(options.scopes ?? scopesOfAccessToken(Redacted.value(token))),
      ),
    ),
  )

// --- Agency → Location tokens ----------------------------------------------------------

const LocationTokenResponse = Schema.Struct({
  access_token: Schema.String,
  expires_in: Schema.optional(Schema.Number),
  scope: Schema.optional(Schema.String),
})

const unauthorized = (message: string, status?: number) =>
  new CrmError({
    reason: new CrmErrors.Unauthorized({
      provider: "ghl",
      message,
      request: "POST /oauth/locationToken",
      ...(status === undefined ? {} : { status }),
    }),
  })

/**
 * Mints a Location access token with an Agency credential: `POST /oauth/locationToken`
 * (form `companyId` + `locationId`, `Version: 2021-07-28`). A 401 refreshes the agency
 * pair once (single flight, through the agency's credential) and mints again.
 */
export const mintLocationToken = (
  agency: Credentials.CredentialsShape,
  target: { readonly companyId: string; readonly locationId: string; readonly baseUrl?: string | undefined },
): Effect.Effect<TokenStore.TokenSet, CrmError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const url = `${(target.baseUrl ?? defaults.baseUrl).replace(/\/+$/, "")}/oauth/locationToken`
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeader("Version", "2021-07-28"),
      HttpClientRequest.acceptJson,
      HttpClientRequest.bodyUrlParams({ companyId: target.companyId, locationId: target.locationId }),
    )
    let refreshed = false
    for (;;) {
      const { request: signed, generation } = yield* agency.authorize(request)
      const response = yield* http
        .execute(signed)
        .pipe(
          Effect.mapError((error) =>
            unauthorized(`The token request for location ${target.locationId} failed: ${error.reason._tag}`),
          ),
        )
      const body: unknown = yield* response.json.pipe(Effect.orElseSucceed(() => undefined))
      if (response.status === 401 && !refreshed) {
        refreshed = true
        if (yield* agency.refresh(generation)) continue
      }
      if (response.status >= 400) {
        const message = (body as { message?: unknown } | undefined)?.message
        const said = Array.isArray(message) ? message.join("; ") : String(message ?? `HTTP ${response.status}`)
        // GHL answers a missing scope with a bare 401; say which scope the exchange needs.
        const hint = /scope/i.test(said) ? " (the app needs the oauth.write scope to get location tokens)" : ""
        return yield* unauthorized(
          `The agency token could not get a token for location ${target.locationId}: ${said}${hint}`,
          response.status,
        )
      }
      const tokens = yield* Schema.decodeUnknownEffect(LocationTokenResponse)(body).pipe(
        Effect.mapError(() =>
          unauthorized(`The token response for location ${target.locationId} has no access_token`, response.status),
        ),
      )
      const now = yield* Clock.currentTimeMillis
      return {
        accessToken: Sensitive.register(Redacted.make(tokens.access_token)),
        expiresAt: tokens.expires_in === undefined ? undefined : now + tokens.expires_in * 1000,
        scope: tokens.scope,
        meta: { userType: "Location", companyId: target.companyId, locationId: target.locationId, mintedBy: "agency" },
      }
    }
  })

/**
 * Credentials for one location, minted from the agency's OAuth pair. The token tree lives
 * in the TokenStore: the agency pair under `ghl:company:<companyId>` (refreshed through the
 * core's single-flight refresh) and the minted location token under
 * `ghl:location:<locationId>`. A stale or refused location token is replaced by one mint,
 * however many requests find it stale at once.
 */
export const layerLocationFromAgency = (
  app: OAuthApp,
  target: { readonly companyId: string; readonly locationId: string },
  options: {
    readonly refreshBefore?: Duration.Input | undefined
    /** Said when the agency pair is revoked (the CLI: the command that signs the profile in again). */
    readonly signInHint?: string | undefined
  } = {},
): Layer.Layer<Credentials.Credentials, never, TokenStore.TokenStore | HttpClient.HttpClient> =>
  layerLocationFromAgencyCredentials(
    layerOAuth(app, { userType: "Company", id: target.companyId }, { signInHint: options.signInHint }),
    { ...target, baseUrl: app.baseUrl },
    { ...options, budget: `app:${app.clientId}:${target.locationId}` },
  )

/**
 * Credentials for one location, minted with any agency credential: the OAuth pair kept in
 * the TokenStore (`layerLocationFromAgency`), or a token a host holds and refreshes itself
 * (n8n: its transport adds the agency bearer, so the agency layer adds nothing). The minted
 * token is kept in the TokenStore under `ghl:location:<locationId>`; one mint serves every
 * request until it goes stale or is refused.
 */
export const layerLocationFromAgencyCredentials = <E, R>(
  agencyLayer: Layer.Layer<Credentials.Credentials, E, R>,
  target: { readonly companyId: string; readonly locationId: string; readonly baseUrl?: string | undefined },
  options: {
    readonly refreshBefore?: Duration.Input | undefined
    /** Rate-limit budget of the location's requests (default: the agency's, per location). */
    readonly budget?: string | undefined
    readonly signInHint?: string | undefined
  } = {},
): Layer.Layer<Credentials.Credentials, E, R | TokenStore.TokenStore | HttpClient.HttpClient> => {
  const key = storeKey("Location", target.locationId)
  // The location token is one more stored pair: renewed (by minting) under the store's
  // lock, one mint per credential however many processes find it stale.
  const credentials = Layer.unwrap(
    Effect.map(Credentials.Credentials, (agency) => {
      const mint = mintLocationToken(agency, target)
      return OAuth2.layerCredentials({
        provider: "ghl",
        storeKey: key,
        kind: "oauth2-location-token",
        renew: () => mint,
        issue: mint,
        refreshBefore: options.refreshBefore,
        budget: options.budget ?? `${agency.budget}:location:${target.locationId}`,
        signInHint: options.signInHint,
      })
    }),
  ).pipe(Layer.provide(agencyLayer))
  return Layer.merge(credentials, scopesFromStore(key))
}

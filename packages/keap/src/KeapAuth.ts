/**
 * Keap credentials as layers: a Personal Access Token or Service Account Key (sent as
 * `X-Keap-API-Key`), a pre-issued access token, or OAuth 2.0 with rotating refresh
 * tokens (refresh uses HTTP Basic client authentication).
 */
import { Credentials, OAuth2, type TokenStore } from "@crmkit/core"
import type { Layer, Redacted } from "effect"
import type { HttpClient } from "effect/http"
import { defaults } from "./KeapConfig.ts"

export interface OAuthApp {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly tokenUrl?: string | undefined
  readonly authorizeUrl?: string | undefined
}

export const tokenEndpoint = (app: OAuthApp): OAuth2.TokenEndpoint => ({
  provider: "keap",
  tokenUrl: app.tokenUrl ?? defaults.tokenUrl,
  clientId: app.clientId,
  clientSecret: app.clientSecret,
  clientAuthentication: "basic",
})

/** The URL to send the user to. Keap's only scope is `full`. */
export const authorizationUrl = (app: OAuthApp, redirectUri: string, state?: string) =>
  OAuth2.authorizationUrl({
    authorizeUrl: app.authorizeUrl ?? defaults.authorizeUrl,
    clientId: app.clientId,
    redirectUri,
    scope: "full",
    state,
  })

export const exchangeCode = (app: OAuthApp, code: string, redirectUri: string) =>
  OAuth2.exchangeCode({ ...tokenEndpoint(app), clientAuthentication: "body" }, { code, redirectUri })

/** Store key of an app's token pair for one Keap tenant. */
export const storeKey = (clientId: string, tenant = "default") => `keap:${clientId}:${tenant}`

/** OAuth 2.0 credentials kept fresh through the TokenStore. Keap counts OAuth traffic per app. */
export const layerOAuth = (
  app: OAuthApp,
  options: { readonly tenant?: string | undefined } = {},
): Layer.Layer<Credentials.Credentials, never, TokenStore.TokenStore | HttpClient.HttpClient> =>
  OAuth2.layerCredentials({
    provider: "keap",
    storeKey: storeKey(app.clientId, options.tenant),
    renew: OAuth2.renewWithRefreshToken(tokenEndpoint(app)),
    budget: `app:${app.clientId}`,
  })

/** A Personal Access Token or Service Account Key. */
export const layerApiKey = (key: Redacted.Redacted<string>, kind: "pat" | "sak" = "pat") =>
  Credentials.layerApiKeyHeader({ header: defaults.apiKeyHeader, key, kind })

/** An access token obtained elsewhere; it will not be refreshed. */
export const layerAccessToken = (token: Redacted.Redacted<string>) => Credentials.layerBearer({ token, kind: "oauth2" })

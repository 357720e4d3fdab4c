/**
 * GHL credentials as layers: Private Integration Tokens (static bearer, location or
 * agency) and OAuth 2.0 marketplace apps with rotating refresh tokens (client
 * credentials in the form body, `user_type` on refresh).
 */
import { Credentials, OAuth2, type TokenStore } from "@crmkit/core"
import type { Layer, Redacted } from "effect"
import type { HttpClient } from "effect/http"
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
): Layer.Layer<Credentials.Credentials, never, TokenStore.TokenStore | HttpClient.HttpClient> =>
  OAuth2.layerCredentials({
    provider: "ghl",
    storeKey: storeKey(resource.userType, resource.id),
    renew: OAuth2.renewWithRefreshToken(tokenEndpoint(app), () => ({ user_type: resource.userType })),
    budget: `app:${app.clientId}:${resource.id}`,
  })

/** A Private Integration Token, for a location or an agency. */
export const layerPrivateIntegrationToken = (token: Redacted.Redacted<string>) =>
  Credentials.layerBearer({ token, kind: "pit" })

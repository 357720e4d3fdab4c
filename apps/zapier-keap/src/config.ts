/**
 * Where the app sends requests. Zapier passes the integration's environment variables
 * (`zapier-platform env:set`) as `process.env`, read on every call: production needs none
 * but `CLIENT_ID` / `CLIENT_SECRET` (OAuth); tests and staging point the base URLs at the
 * sandbox or a gateway. Auth data never carries a URL, so a connection cannot redirect
 * requests elsewhere.
 */
import { KeapConfig } from "@crmkit/keap"
import { Definitions } from "@crmkit/zapier-shared"
import { Redacted } from "effect"

const { env } = Definitions

export const baseUrl = (): string => env("KEAP_BASE_URL") ?? KeapConfig.defaults.baseUrl
export const tokenUrl = (): string => env("KEAP_TOKEN_URL") ?? KeapConfig.defaults.tokenUrl
export const authorizeUrl = (): string => env("KEAP_AUTHORIZE_URL") ?? KeapConfig.defaults.authorizeUrl

/** The OAuth app's client credentials, from Zapier's environment. */
export const oauthApp = () => ({
  clientId: env("CLIENT_ID") ?? "",
  clientSecret: Redacted.make(env("CLIENT_SECRET") ?? ""),
  tokenUrl: tokenUrl(),
  authorizeUrl: authorizeUrl(),
})

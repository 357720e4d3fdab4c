/**
 * How the CLI's sources of credentials (the environment, saved profiles) become a
 * connector's credentials. Everything about a CRM comes from its connector; this file
 * only reads the CLI's sources.
 */
import { type Connector, type Credentials, type CrmError, OAuth2, type TokenStore } from "@crmkit/core"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** The credential the environment holds, by the connector's own variables, in its order. */
export const fromEnv = (
  runtime: Connector.Runtime,
  env: NodeJS.ProcessEnv,
): Layer.Layer<Credentials.Credentials, CrmError> | undefined => {
  for (const kind of runtime.connector.credentials) {
    for (const name of kind.env ?? []) {
      const value = env[name]
      if (value === undefined || value === "") continue
      const secret = Redacted.make(value)
      return kind.type === "oauth2" ? runtime.accessTokenCredentials(secret) : runtime.keyCredentials(kind.kind, secret)
    }
  }
  return undefined
}

/** What to set, in the connector's words: `KEAP_ACCESS_TOKEN (OAuth 2.0 access token) or ...`. */
export const envHelp = (connector: Connector.Connector): string => {
  const credentials = connector.credentials.flatMap((kind) =>
    (kind.env ?? []).map((name) => `${name} (${kind.type === "oauth2" ? `${kind.title} access token` : kind.title})`),
  )
  const context = connector.context.flatMap((parameter) => (parameter.env === undefined ? [] : [parameter.env]))
  return [credentials.join(" or "), ...context].filter((part) => part.length > 0).join(", and ")
}

/** Context values from the environment (`GHL_LOCATION_ID`). */
export const contextFromEnv = (connector: Connector.Connector, env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(
    connector.context.flatMap((parameter) => {
      const value = parameter.env === undefined ? undefined : env[parameter.env]
      return value === undefined || value === "" ? [] : [[parameter.name, value]]
    }),
  )

export const keyKinds = (connector: Connector.Connector) => connector.credentials.filter((k) => k.type === "key")

export const oauthKind = (connector: Connector.Connector) => connector.credentials.find((k) => k.type === "oauth2")

/** OAuth credentials of a saved login, refreshed through the secrets store. */
export const savedLogin = (
  runtime: Connector.Runtime,
  oauth: Connector.OAuthRules,
  app: Connector.OAuthApp,
  saved: {
    readonly storeKey: string
    readonly tokens: TokenStore.TokenSet
    readonly context: Readonly<Record<string, string>>
    readonly signInHint: string
  },
): Connector.ConnectedLayer => {
  const login = OAuth2.layerCredentials({
    provider: runtime.connector.name,
    storeKey: saved.storeKey,
    renew: OAuth2.renewWithRefreshToken(oauth.tokenEndpoint(app), () => oauth.grantParams(app)),
    budget: oauth.budget(app, saved.tokens),
    signInHint: saved.signInHint,
  })
  return oauth.inContext?.(login, { app, ...saved }) ?? login
}

/** What a revoked saved login tells the user to run. */
export const signInAgainHint = (provider: string, profile: string, clientId: string | undefined) =>
  `Profile "${profile}" must be signed in again: crmkit auth login ${provider} --profile ${profile}${clientId ? ` --client-id ${clientId}` : ""}`

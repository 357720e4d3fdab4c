/**
 * Keap connections: OAuth 2.0 (the app's client id and secret in Zapier's environment) or a
 * Personal Access Token / Service Account Key. Both test with the current user and label the
 * connection with the user's email and tenant.
 */
import { OAuth2 } from "@crmkit/core"
import { KeapAuth, Users } from "@crmkit/keap"
import { Definitions, Invocation } from "@crmkit/zapier-shared"
import { Effect, Layer, Redacted } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import * as Config from "./config.ts"
import { run } from "./connection.ts"

const test = (z: ZObject, bundle: Bundle) => run(z, bundle, Users.current())

const connectionLabel = (z: ZObject, bundle: Bundle) =>
  run(
    z,
    bundle,
    Effect.map(Users.current(), (user) =>
      [user.email ?? user.given_name ?? `user ${user.id}`, user.tenant_id ? `(${user.tenant_id})` : ""]
        .filter((part) => part !== "")
        .join(" "),
    ),
  )

/** The token pair as Zapier stores it; Keap rotates the refresh token on every refresh. */
const tokenPair = (tokens: {
  accessToken: Redacted.Redacted<string>
  refreshToken?: Redacted.Redacted<string> | undefined
  expiresAt?: number | undefined
}) => ({
  access_token: Redacted.value(tokens.accessToken),
  ...(tokens.refreshToken === undefined ? {} : { refresh_token: Redacted.value(tokens.refreshToken) }),
  ...(tokens.expiresAt === undefined ? {} : { expires_in: Math.round((tokens.expiresAt - Date.now()) / 1000) }),
})

const requireInput = Definitions.authValue

export const oauth2 = {
  type: "oauth2" as const,
  test,
  connectionLabel,
  oauth2Config: {
    authorizeUrl: (_z: ZObject, bundle: Bundle) =>
      KeapAuth.authorizationUrl(
        Config.oauthApp(),
        String(bundle.inputData.redirect_uri),
        String(bundle.inputData.state),
      ).url,
    getAccessToken: (z: ZObject, bundle: Bundle) =>
      Invocation.run(
        z,
        Effect.map(
          KeapAuth.exchangeCode(
            Config.oauthApp(),
            requireInput(z, bundle.inputData.code, "code"),
            requireInput(z, bundle.inputData.redirect_uri, "redirect_uri"),
          ),
          tokenPair,
        ),
        Layer.empty,
        "key",
      ),
    refreshAccessToken: (z: ZObject, bundle: Bundle) =>
      Invocation.run(
        z,
        Effect.map(
          OAuth2.refreshTokens(
            KeapAuth.tokenEndpoint(Config.oauthApp()),
            Redacted.make(requireInput(z, bundle.authData.refresh_token, "refresh token")),
          ),
          tokenPair,
        ),
        Layer.empty,
        // A refused refresh token cannot be refreshed again: the user must reconnect.
        "key",
      ),
    scope: "full",
    autoRefresh: false,
  },
  fields: [],
}

export const apiKey = {
  type: "custom" as const,
  test,
  connectionLabel,
  fields: [
    {
      key: "api_key",
      label: "API Key",
      type: "password" as const,
      required: true,
      helpText:
        "A Personal Access Token or Service Account Key, created in Keap under [Settings → API](https://developer.infusionsoft.com/pat-and-sak/).",
    },
    {
      key: "key_kind",
      label: "Key Type",
      required: true,
      default: "pat",
      choices: [
        { value: "pat", label: "Personal Access Token", sample: "pat" },
        { value: "sak", label: "Service Account Key", sample: "sak" },
      ],
      helpText: "Keap limits each kind separately; both are sent the same way.",
    },
  ],
}

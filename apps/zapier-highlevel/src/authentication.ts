/**
 * HighLevel connections: OAuth 2.0 for one location (GHL's standard or white-label marketplace
 * for the consent page) or a location Private Integration Token. Both test by reading the
 * location and label the connection with its name.
 */
import { OAuth2, type TokenStore } from "@crmkit/core"
import { GhlAuth, Locations } from "@crmkit/ghl"
import { Definitions, Invocation } from "@crmkit/zapier-shared"
import { Effect, Layer, Redacted } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import * as Config from "./config.ts"
import { run } from "./connection.ts"

const location = (z: ZObject, bundle: Bundle) =>
  run(
    z,
    bundle,
    Effect.map(Locations.get(), (answer) => (answer as { location?: Record<string, unknown> }).location ?? {}),
  )

const test = location

const connectionLabel = async (z: ZObject, bundle: Bundle) => {
  const found = await location(z, bundle)
  return String(found.name ?? bundle.authData.location_id ?? "HighLevel location")
}

const requireInput = Definitions.authValue

/** The token pair and the location it is for, as Zapier stores them in `authData`. */
const stored = (tokens: TokenStore.TokenSet, previous: Bundle["authData"] = {}) => ({
  access_token: Redacted.value(tokens.accessToken),
  ...(tokens.refreshToken === undefined ? {} : { refresh_token: Redacted.value(tokens.refreshToken) }),
  location_id: String(tokens.meta?.locationId ?? previous.location_id ?? ""),
})

const whiteLabel = (bundle: Bundle) => bundle.inputData.marketplace === "white_label"

export const oauth2 = {
  type: "oauth2" as const,
  test,
  connectionLabel,
  fields: [
    {
      key: "marketplace",
      label: "Marketplace",
      required: false,
      default: "standard",
      choices: [
        { value: "standard", label: "HighLevel (marketplace.gohighlevel.com)", sample: "standard" },
        { value: "white_label", label: "White-Label (marketplace.leadconnectorhq.com)", sample: "white_label" },
      ],
      helpText: "Agencies that rebrand HighLevel sign in on the white-label marketplace.",
    },
    { key: "location_id", type: "string", required: false, computed: true },
  ],
  oauth2Config: {
    authorizeUrl: (_z: ZObject, bundle: Bundle) =>
      GhlAuth.authorizationUrl(
        Config.oauthApp(whiteLabel(bundle)),
        String(bundle.inputData.redirect_uri),
        Config.scopes,
        String(bundle.inputData.state),
      ).url,
    getAccessToken: (z: ZObject, bundle: Bundle) =>
      Invocation.run(
        z,
        Effect.map(
          GhlAuth.exchangeCode(
            Config.oauthApp(false),
            requireInput(z, bundle.inputData.code, "code"),
            requireInput(z, bundle.inputData.redirect_uri, "redirect_uri"),
            "Location",
          ),
          (tokens) => stored(tokens),
        ),
        Layer.empty,
        "key",
      ),
    refreshAccessToken: (z: ZObject, bundle: Bundle) =>
      Invocation.run(
        z,
        Effect.map(
          OAuth2.refreshTokens(
            GhlAuth.tokenEndpoint(Config.oauthApp(false)),
            Redacted.make(requireInput(z, bundle.authData.refresh_token, "refresh token")),
            { user_type: "Location" },
          ),
          (tokens) => stored(tokens, bundle.authData),
        ),
        Layer.empty,
        // A refused refresh token cannot be refreshed again: the user must reconnect.
        "key",
      ),
    autoRefresh: false,
  },
}

export const privateIntegrationToken = {
  type: "custom" as const,
  test,
  connectionLabel,
  fields: [
    {
      key: "private_integration_token",
      label: "Private Integration Token",
      type: "password" as const,
      required: true,
      helpText:
        "Create one in the sub-account under Settings → Private Integrations ([guide](https://help.gohighlevel.com/support/solutions/articles/155000003054)).",
    },
    {
      key: "location_id",
      label: "Location ID",
      type: "string" as const,
      required: true,
      helpText: "The sub-account's id, shown under [Settings → Business Profile](https://app.gohighlevel.com/).",
    },
  ],
}

/**
 * HighLevel as a connector: what every app shows and asks of GHL, as plain data. Cheap to
 * import (an app's `--help` reads it); `load()` brings the clients and the operations.
 */
import type * as Connector from "@crmkit/core/Connector"
import { defaults } from "./GhlConfig.ts"

export const connector: Connector.Connector = {
  name: "ghl",
  title: "HighLevel",
  aliases: ["highlevel", "gohighlevel", "leadconnector"],
  credentials: [
    {
      kind: "oauth2",
      title: "OAuth 2.0",
      description:
        "A Marketplace app's login for a location, or for an agency (which gets each location's token from it)",
      type: "oauth2",
      fields: [
        { name: "clientId", title: "Client ID", secret: false, required: true },
        { name: "clientSecret", title: "Client Secret", secret: true, required: true },
      ],
      // An OAuth access token or a Private Integration Token issued elsewhere; not refreshed.
      env: ["GHL_ACCESS_TOKEN"],
      oauth: {
        authorizeUrl: defaults.authorizeUrl,
        consentPages: {
          title: "Marketplace",
          description: "Agencies that rebrand HighLevel sign in on the white-label (LeadConnector) marketplace",
          pages: [
            { name: "standard", title: "HighLevel", authorizeUrl: defaults.authorizeUrl },
            { name: "white_label", title: "White-Label", authorizeUrl: defaults.whiteLabelAuthorizeUrl },
          ],
        },
        tokenUrl: `${defaults.baseUrl}/oauth/token`,
        clientAuthentication: "body",
        defaultScopes: [
          "contacts.readonly",
          "contacts.write",
          "opportunities.readonly",
          "opportunities.write",
          "locations.readonly",
        ],
        options: [
          {
            name: "userType",
            title: "Account level",
            description: "Location: one sub-account; Company: the agency, which mints each location's token",
            secret: false,
            required: true,
            choices: ["Location", "Company"],
            default: "Location",
          },
        ],
        accessTokenSeconds: 86_399,
        refreshTokenDays: 365,
      },
      documentationUrl: "https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0",
    },
    {
      kind: "pit",
      title: "Private Integration Token",
      description: "A location's (or agency's) token made in Settings → Private Integrations; rotate it from there",
      type: "key",
      fields: [{ name: "key", title: "Private Integration Token", secret: true, required: true }],
      unusedDeletedAfterDays: 90,
      sent: { header: "Authorization", prefix: "Bearer " },
      documentationUrl: "https://help.gohighlevel.com/support/solutions/articles/155000003054-private-integrations",
    },
  ],
  context: [
    {
      name: "locationId",
      title: "Location ID",
      description: "The location (sub-account) the connection works in",
      env: "GHL_LOCATION_ID",
      help: "The sub-account's id, shown under [Settings → Business Profile](https://app.gohighlevel.com/).",
      fromToken: "locationId",
    },
    {
      name: "companyId",
      title: "Company ID",
      description: "The agency of an agency login",
      fromToken: "companyId",
    },
  ],
  pageSize: { default: 100, max: 100 },
  baseUrl: defaults.baseUrl,
  // A location read that GHL allows to location, agency and private integration tokens.
  credentialTest: { method: "GET", path: "/locations/{locationId}", headers: { Version: defaults.version } },
  load: async () => (await import("./internal/connectorRuntime.ts")).runtime,
  sandbox: () => import("./sandbox/index.ts"),
}

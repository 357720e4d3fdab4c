/** HighLevel as n8n sees it: the connector and the words n8n needs that it does not carry. */
import { connector } from "@crmkit/ghl/connector"
import * as App from "@crmkit/n8n-shared/App"

const marketplace = (host: string) => `https://marketplace.${host}/v2/oauth/chooselocation`

// Plain data: what the credentials need, without loading the runtime.
export const info = App.info(connector, {
  icon: "highlevel",
  baseUrl: "https://services.leadconnectorhq.com",
  promote: ["email", "firstName", "lastName"],
  credentials: {
    keyHeaders: { Authorization: "=Bearer {{$credentials.apiKey}}" },
    // A location read that GHL allows to location, agency and private integration tokens.
    test: {
      url: "=/locations/{{$credentials.locationId || $credentials.oauthTokenData.locationId}}",
      headers: { Version: "2021-07-28" },
    },
    documentationUrl: {
      key: "https://help.gohighlevel.com/support/solutions/articles/155000003054-private-integrations",
      oauth2: "https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0",
    },
    scopes: [
      ...["contacts", "opportunities", "calendars/events", "conversations", "conversations/message"].flatMap((s) => [
        `${s}.readonly`,
        `${s}.write`,
      ]),
      ...["calendars", "locations", "locations/tags", "locations/customFields", "users", "workflows"].map(
        (s) => `${s}.readonly`,
      ),
      "objects/record.readonly",
      "objects/record.write",
    ],
    fields: {
      authUrl: {
        displayName: "Marketplace Host",
        type: "options",
        options: [
          { name: "Standard (gohighlevel.com)", value: marketplace("gohighlevel.com") },
          { name: "White-Label (leadconnectorhq.com)", value: marketplace("leadconnectorhq.com") },
        ],
        description: "Where users consent: white-label agencies use the LeadConnector host",
      },
    },
  },
})

/** Keap as n8n sees it: the connector and the words n8n needs that it does not carry. */
import { connector } from "@crmkit/keap/connector"
import * as App from "@crmkit/n8n-shared/App"

// Plain data: what the credentials need, without loading the runtime.
export const info = App.info(connector, {
  baseUrl: "https://api.infusionsoft.com/crm/rest",
  promote: ["email", "given_name", "family_name"],
  credentials: {
    keyHeaders: { "X-Keap-API-Key": "={{$credentials.apiKey}}" },
    test: { url: "/v2/tags", qs: { page_size: 1 } },
    documentationUrl: {
      key: "https://developer.keap.com/pat-and-sak/",
      oauth2: "https://developer.keap.com/getting-started/",
    },
  },
})

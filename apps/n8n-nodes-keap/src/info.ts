/** Keap as n8n sees it: the connector and the words n8n needs that it does not carry. */
import { connector } from "@crmkit/keap/connector"
import * as App from "@crmkit/n8n-shared/App"

// Plain data: what the credentials need, without loading the runtime.
export const info = App.info(connector, { promote: ["email", "given_name", "family_name"] })

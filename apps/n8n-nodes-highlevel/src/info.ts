/** HighLevel as n8n sees it: the connector and the words n8n needs that it does not carry. */
import { catalog } from "@crmkit/ghl/catalog"
import { connector } from "@crmkit/ghl/connector"
import { runtime } from "@crmkit/ghl/runtime"
import * as App from "@crmkit/n8n-shared/App"

// The OAuth credential asks for the scopes of every action and of the credential test.
export const info = App.info(
  connector,
  { icon: "highlevel", promote: ["email", "firstName", "lastName"] },
  { actions: runtime.actions, catalog },
)

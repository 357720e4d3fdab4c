/** HighLevel as an n8n package: the connector's runtime with the words of `info.ts`. */
import { App } from "@crmkit/n8n-shared"
// n8n reads a node's description as it loads the file: the runtime is needed synchronously.
import { runtime } from "../../../packages/ghl/dist/internal/connectorRuntime.js"
import { info } from "./info.ts"

export const highLevel = App.make(info.connector, runtime, {
  ...info.words,
  trigger: {
    notice:
      "Paste this node's webhook URL into your HighLevel Marketplace app (Advanced Settings → Webhooks) and choose the events there",
  },
})

/** HighLevel as an n8n package: the connector's runtime with the words of `info.ts`. */
import { runtime } from "@crmkit/ghl/runtime"
import { App } from "@crmkit/n8n-shared"
import { info } from "./info.ts"

export const highLevel = App.make(info.connector, runtime, info.words)

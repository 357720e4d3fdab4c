/** Keap as an n8n package: the connector's runtime with the words of `info.ts`. */
import { Hooks } from "@crmkit/keap"
import { App } from "@crmkit/n8n-shared"
import { Effect } from "effect"
// n8n reads a node's description as it loads the file: the runtime is needed synchronously.
import { runtime } from "../../../packages/keap/dist/internal/connectorRuntime.js"
import { info } from "./info.ts"

export const keap = App.make(info.connector, runtime, {
  ...info.words,
  trigger: {
    // Keap handshakes at once; if n8n was not answering yet, ask for it again.
    subscribe: (url, event) =>
      Effect.map(
        Effect.flatMap(Hooks.create(event, url), (hook) =>
          hook.status === "Verified" ? Effect.succeed(hook) : Hooks.verify(String(hook.key)),
        ),
        (hook) => ({ id: String(hook.key) }),
      ),
    subscriptions: (event, url) =>
      Effect.map(Hooks.forTarget(event, url), (hooks) =>
        hooks.map((hook) => ({ id: String(hook.key), active: hook.status === "Verified" })),
      ),
  },
})

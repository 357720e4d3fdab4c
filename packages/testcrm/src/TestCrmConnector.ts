/**
 * TestCRM as a connector: a small fictional CRM (deals, one kind of key, a cursor-paged
 * list, signed webhooks) that exists to show what a new CRM needs: this package, and one
 * line in each app. Plain data; `load()` brings the client.
 */
import type * as Connector from "@crmkit/core/Connector"

export const connector: Connector.Connector = {
  name: "testcrm",
  title: "TestCRM",
  aliases: ["tcrm"],
  credentials: [
    {
      kind: "key",
      title: "API Key",
      description: "A TestCRM API key, sent as X-Api-Key",
      type: "key",
      fields: [{ name: "key", title: "API Key", secret: true, required: true }],
      env: ["TESTCRM_API_KEY"],
      sent: { header: "X-Api-Key" },
    },
  ],
  context: [],
  pageSize: { default: 20, max: 100 },
  baseUrl: "https://api.testcrm.example/v1",
  credentialTest: { method: "GET", path: "/deals", query: { limit: 1 } },
  load: async () => (await import("./internal/connectorRuntime.ts")).runtime,
  sandbox: () => import("./sandbox/index.ts"),
}

/**
 * Keap as a connector: what every app shows and asks of Keap, as plain data. Cheap to
 * import (an app's `--help` reads it); `load()` brings the clients and the operations.
 */
import type * as Connector from "@crmkit/core/Connector"
import { defaults } from "./KeapConfig.ts"

const apiKey = (kind: "pat" | "sak", title: string, description: string): Connector.CredentialKind => ({
  kind,
  title,
  description,
  type: "key",
  fields: [{ name: "key", title, secret: true, required: true }],
  ...(kind === "pat" ? { env: ["KEAP_API_KEY"] } : {}),
  sent: { header: defaults.apiKeyHeader },
  documentationUrl: "https://developer.keap.com/pat-and-sak/",
})

export const connector: Connector.Connector = {
  name: "keap",
  title: "Keap",
  aliases: ["infusionsoft"],
  credentials: [
    {
      kind: "oauth2",
      title: "OAuth 2.0",
      description: "A Keap developer app's login (authorization code); tokens rotate on refresh",
      type: "oauth2",
      fields: [
        { name: "clientId", title: "Client ID", secret: false, required: true },
        { name: "clientSecret", title: "Client Secret", secret: true, required: true },
      ],
      // An access token issued elsewhere; it is not refreshed.
      env: ["KEAP_ACCESS_TOKEN"],
      oauth: {
        authorizeUrl: defaults.authorizeUrl,
        tokenUrl: defaults.tokenUrl,
        clientAuthentication: "basic",
        defaultScopes: ["full"],
        accessTokenSeconds: 86_400,
        // A community answer says 45 days; unverified, so apps warn early.
        refreshTokenDays: 45,
      },
      documentationUrl: "https://developer.keap.com/getting-started/",
    },
    apiKey("pat", "Personal Access Token", "A key of one Keap user, made in the Keap app's settings"),
    apiKey("sak", "Service Account Key", "A key of the Keap account itself, made by an admin"),
  ],
  context: [],
  pageSize: { default: 1000, max: 1000 },
  baseUrl: defaults.baseUrl,
  // One tag: any key or login may read tags.
  credentialTest: { method: "GET", path: "/v2/tags", query: { page_size: 1 } },
  load: async () => (await import("./internal/connectorRuntime.ts")).runtime,
  sandbox: () => import("./sandbox/index.ts"),
}

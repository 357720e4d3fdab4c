/** The loaded half of Keap's connector (see `KeapConnector.ts`). */
import type { Connector } from "@crmkit/core"
import { Context } from "effect"
import { actions } from "../KeapActions.ts"
import * as KeapAuth from "../KeapAuth.ts"
import * as KeapClient from "../KeapClient.ts"
import { connector } from "../KeapConnector.ts"
import { records } from "../KeapRecords.ts"
import { receiver } from "../KeapWebhooks.ts"

const keyKinds = new Set(["pat", "sak"])

export const runtime: Connector.Runtime<KeapClient.KeapClient> = {
  connector,
  client: (options) => KeapClient.layer({ baseUrl: options.baseUrl }),
  crmClient: (services) => Context.getUnsafe(services, KeapClient.KeapClient),
  keyCredentials: (kind, secret) => KeapAuth.layerApiKey(secret, keyKinds.has(kind) ? (kind as "pat" | "sak") : "pat"),
  accessTokenCredentials: (token) => KeapAuth.layerAccessToken(token),
  oauth: {
    tokenEndpoint: (app) => KeapAuth.tokenEndpoint(app),
    grantParams: () => ({}),
    storeKey: (app, _tokens, profile) => KeapAuth.storeKey(app.clientId, profile),
    // Keap counts OAuth traffic per app.
    budget: (app) => `app:${app.clientId}`,
    contextOf: () => ({}),
  },
  actions,
  // What agents may do only when a person's policy names it.
  risks: {
    money: ["orders", "subscriptions", "payment-methods", "merchants", "sales", "affiliate"],
    sends: ["sendEmail", "sendEmailTemplate"],
  },
  webhooks: receiver,
  records,
  catalog: async () => (await import("../generated/catalog.ts")).catalog,
  operations: async () => (await import("../KeapOperations.ts")).registry,
}

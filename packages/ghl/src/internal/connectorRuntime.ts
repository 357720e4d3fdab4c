/** The loaded half of HighLevel's connector (see `GhlConnector.ts`). */
import type { Connector } from "@crmkit/core"
import { Context } from "effect"
import { actions } from "../GhlActions.ts"
import * as GhlAuth from "../GhlAuth.ts"
import * as GhlClient from "../GhlClient.ts"
import { connector } from "../GhlConnector.ts"
import { feeds } from "../GhlFeeds.ts"
import { records } from "../GhlRecords.ts"
import { receiver } from "../GhlWebhooks.ts"

const userTypeOf = (app: Connector.OAuthApp): GhlAuth.UserType =>
  app.options?.userType === "Company" ? "Company" : "Location"

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined)

export const runtime: Connector.Runtime<GhlClient.GhlClient> = {
  connector,
  client: (options) =>
    GhlClient.layer({
      baseUrl: options.baseUrl,
      locationId: options.context?.locationId,
      companyId: options.context?.companyId,
    }),
  crmClient: (services) => Context.getUnsafe(services, GhlClient.GhlClient),
  keyCredentials: (_kind, secret) => GhlAuth.layerPrivateIntegrationToken(secret),
  accessTokenCredentials: (token) => GhlAuth.layerAccessToken(token),
  oauth: {
    tokenEndpoint: (app) => GhlAuth.tokenEndpoint(app),
    grantParams: (app) => ({ user_type: userTypeOf(app) }),
    storeKey: (app, tokens) =>
      GhlAuth.storeKey(userTypeOf(app), text(tokens.meta?.locationId) ?? text(tokens.meta?.companyId) ?? app.clientId),
    budget: (app, tokens) =>
      `app:${app.clientId}:${text(tokens.meta?.locationId) ?? text(tokens.meta?.companyId) ?? ""}`,
    contextOf: (tokens) => {
      const locationId = text(tokens.meta?.locationId)
      const companyId = text(tokens.meta?.companyId)
      return { ...(locationId === undefined ? {} : { locationId }), ...(companyId === undefined ? {} : { companyId }) }
    },
    // An agency login works in a location by minting that location's token with its own.
    inContext: (login, { app, tokens, context, signInHint }) => {
      const companyId = text(tokens.meta?.companyId)
      const locationId = context.locationId
      if (tokens.meta?.userType !== "Company" || companyId === undefined || locationId === undefined) return login
      return GhlAuth.layerLocationFromAgencyCredentials(
        login,
        { companyId, locationId, baseUrl: app.baseUrl },
        { signInHint, budget: `app:${app.clientId}:${locationId}` },
      )
    },
  },
  actions,
  // What agents may do only when a person's policy names it.
  risks: {
    money: ["invoices", "payments", "store", "saas-api"],
    sends: [
      "send-a-new-message",
      "send-documents-contracts",
      "send-documents-contracts-template",
      "send-estimate",
      "send-invoice",
      "send-review-reply",
    ],
  },
  webhooks: receiver,
  records,
  feeds,
  catalog: async () => (await import("../generated/catalog.ts")).catalog,
  operations: async () => (await import("../GhlOperations.ts")).registry,
}

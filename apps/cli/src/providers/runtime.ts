/**
 * What the CLI needs of each provider at run time, loaded only by commands that talk to
 * one. Everything API-specific comes from the provider packages; this file only wires
 * them to the CLI's sources of credentials (environment, profiles, sandbox).
 */
import {
  type Action,
  Credentials,
  type CrmClient,
  type CrmError,
  OAuth2,
  Operation,
  type Provider,
  type RateLimit,
  type TokenStore,
} from "@crmkit/core"
import { GhlActions, GhlAuth, GhlClient, GhlConfig, GhlOperations } from "@crmkit/ghl"
import { KeapActions, KeapAuth, KeapClient, KeapConfig } from "@crmkit/keap"
import type { SandboxServer } from "@crmkit/sandbox"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { HttpClient } from "effect/http"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** An OAuth app as the CLI knows it (from flags and the secrets file). */
export interface LoginApp {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly authorizeUrl?: string | undefined
  readonly tokenUrl?: string | undefined
  readonly baseUrl?: string | undefined
  readonly userType?: "Location" | "Company" | undefined
}

export interface CliAuth {
  /** Kinds of static keys this provider issues. */
  readonly keyKinds: ReadonlyArray<string>
  readonly keyCredentials: (
    kind: string,
    key: Redacted.Redacted<string>,
  ) => Layer.Layer<Credentials.Credentials, CrmError>
  readonly defaultScopes: ReadonlyArray<string>
  readonly tokenEndpoint: (app: LoginApp) => OAuth2.TokenEndpoint
  readonly authorizeUrl: (app: LoginApp) => string
  /** Extra form fields of the code exchange and refresh (GHL's `user_type`). */
  readonly grantParams: (app: LoginApp) => Readonly<Record<string, string>>
  /** Store key of a logged-in pair: per app and tenant (Keap) or per location (GHL). */
  readonly storeKey: (app: LoginApp, tokens: TokenStore.TokenSet, profile: string) => string
  /** The API budget a pair draws from. */
  readonly budget: (app: LoginApp, tokens: TokenStore.TokenSet) => string
  /** Days after which an unused static key is deleted by the provider, if it does that. */
  readonly unusedKeyDeletedAfterDays?: number | undefined
  /** Days a refresh token lives when not used, if known. */
  readonly refreshTokenDays?: number | undefined
  /**
   * The credentials a saved login gives in a session's context, when they differ from the
   * login's own (GHL: an agency login mints a token for the context's location).
   */
  readonly inContext?: (
    login: Layer.Layer<Credentials.Credentials, never, TokenStore.TokenStore | HttpClient.HttpClient>,
    saved: {
      readonly app: LoginApp
      readonly tokens: TokenStore.TokenSet
      readonly context: Readonly<Record<string, string>>
      readonly signInHint: string
    },
  ) => Layer.Layer<Credentials.Credentials, never, TokenStore.TokenStore | HttpClient.HttpClient>
}

/** OAuth credentials of a saved login, refreshed through the secrets file. */
export const oauthCredentials = (
  provider: CliProvider,
  app: LoginApp,
  storeKey: string,
  budget: string,
  signInHint: string,
): Layer.Layer<Credentials.Credentials, never, TokenStore.TokenStore | HttpClient.HttpClient> =>
  OAuth2.layerCredentials({
    provider: provider.name,
    storeKey,
    renew: OAuth2.renewWithRefreshToken(provider.auth.tokenEndpoint(app), () => provider.auth.grantParams(app)),
    budget,
    signInHint,
  })

/** What a revoked saved login tells the user to run. */
export const signInAgainHint = (provider: string, profile: string, clientId: string | undefined) =>
  `Profile "${profile}" must be signed in again: crmkit auth login ${provider} --profile ${profile}${clientId ? ` --client-id ${clientId}` : ""}`

export interface CliProvider {
  readonly name: string
  readonly title: string
  /** Loaded on demand, like the operations: a short command such as `--help` should not parse them. */
  readonly catalog: () => Promise<ReadonlyArray<Operation.CatalogEntry>>
  /** Loaded on demand: the generated operations are large. */
  readonly operations: () => Promise<Readonly<Record<string, Operation.Operation>>>
  readonly pageSize: number
  readonly profile: (baseUrl: string | undefined) => Provider.ProviderProfile
  /** The provider's client service (what its actions run on), built from the session's layers. */
  readonly client: (
    baseUrl: string | undefined,
    context: Readonly<Record<string, string>>,
  ) => Layer.Layer<any, CrmError, Credentials.Credentials | RateLimit.RateLimits | HttpClient.HttpClient>
  /** The core client inside the provider's client service. */
  readonly crmClient: (services: Context.Context<any>) => CrmClient.CrmClient
  /** Calls one operation the provider's way (GHL: scopes checked before sending). */
  readonly call: (
    services: Context.Context<any>,
    operation: Operation.Operation,
    input: unknown,
  ) => Effect.Effect<unknown, CrmError>
  readonly actions: ReadonlyArray<Action.Action>
  /** Parameters filled from the environment when an operation takes them and the user did not. */
  readonly contextParameters: (env: NodeJS.ProcessEnv) => Readonly<Record<string, string>>
  readonly contextKeys: ReadonlyArray<string>
  readonly credentialsFromEnv: (env: NodeJS.ProcessEnv) => Layer.Layer<Credentials.Credentials, CrmError> | undefined
  readonly envHelp: string
  readonly auth: CliAuth
  readonly sandbox: (server: SandboxServer) => {
    readonly baseUrl: string
    readonly credentials: Layer.Layer<Credentials.Credentials, CrmError>
    readonly context: Readonly<Record<string, string>>
  }
}

const secret = (value: string | undefined) => (value === undefined || value === "" ? undefined : Redacted.make(value))

export const keap: CliProvider = {
  name: "keap",
  title: "Keap",
  catalog: async () => (await import("@crmkit/keap/catalog")).catalog,
  operations: async () => (await import("@crmkit/keap/generated/operations")).operations,
  pageSize: 1000,
  profile: (baseUrl) => KeapClient.profile({ baseUrl }),
  client: (baseUrl) => KeapClient.layer({ baseUrl }),
  crmClient: (services) => Context.getUnsafe(services, KeapClient.KeapClient),
  call: (services, operation, input) =>
    Operation.callUnknown(Context.getUnsafe(services, KeapClient.KeapClient), operation, input),
  actions: KeapActions.actions,
  contextParameters: () => ({}),
  contextKeys: [],
  credentialsFromEnv: (env) => {
    const token = secret(env.KEAP_ACCESS_TOKEN)
    if (token !== undefined) return KeapAuth.layerAccessToken(token)
    const key = secret(env.KEAP_API_KEY)
    return key === undefined ? undefined : KeapAuth.layerApiKey(key)
  },
  envHelp: "KEAP_ACCESS_TOKEN (OAuth access token) or KEAP_API_KEY (Personal Access Token / Service Account Key)",
  auth: {
    keyKinds: ["pat", "sak"],
    keyCredentials: (kind, key) => KeapAuth.layerApiKey(key, kind === "sak" ? "sak" : "pat"),
    defaultScopes: ["full"],
    tokenEndpoint: (app) => KeapAuth.tokenEndpoint(app),
    authorizeUrl: (app) => app.authorizeUrl ?? KeapConfig.defaults.authorizeUrl,
    grantParams: () => ({}),
    storeKey: (app, _tokens, profile) => KeapAuth.storeKey(app.clientId, profile),
    budget: (app) => `app:${app.clientId}`,
    // A community answer says 45 days; unverified, so warn early.
    refreshTokenDays: 45,
  },
  sandbox: (server) => ({
    baseUrl: server.keap.baseUrl,
    credentials: Credentials.layerApiKeyHeader({
      header: KeapConfig.defaults.apiKeyHeader,
      key: Redacted.make(server.credentials.keap.personalAccessToken),
      kind: "pat",
    }),
    context: {},
  }),
}

export const ghl: CliProvider = {
  name: "ghl",
  title: "HighLevel",
  catalog: async () => (await import("@crmkit/ghl/catalog")).catalog,
  operations: async () => (await import("@crmkit/ghl/generated/operations")).operations,
  pageSize: 100,
  profile: (baseUrl) => GhlClient.profile({ baseUrl }),
  client: (baseUrl, context) => GhlClient.layer({ baseUrl, locationId: context.locationId }),
  crmClient: (services) => Context.getUnsafe(services, GhlClient.GhlClient),
  call: (services, operation, input) =>
    GhlOperations.callWith(Context.getUnsafe(services, GhlClient.GhlClient), operation, input),
  actions: GhlActions.actions,
  contextParameters: (env) => (env.GHL_LOCATION_ID ? { locationId: env.GHL_LOCATION_ID } : {}),
  contextKeys: ["locationId"],
  credentialsFromEnv: (env) => {
    const token = secret(env.GHL_ACCESS_TOKEN)
    return token === undefined ? undefined : GhlAuth.layerAccessToken(token)
  },
  envHelp: "GHL_ACCESS_TOKEN (OAuth access token or Private Integration Token) and GHL_LOCATION_ID",
  auth: {
    keyKinds: ["pit"],
    keyCredentials: (_kind, key) => GhlAuth.layerPrivateIntegrationToken(key),
    defaultScopes: [
      "contacts.readonly",
      "contacts.write",
      "opportunities.readonly",
      "opportunities.write",
      "locations.readonly",
    ],
    tokenEndpoint: (app) => GhlAuth.tokenEndpoint(app),
    authorizeUrl: (app) => app.authorizeUrl ?? GhlConfig.defaults.authorizeUrl,
    grantParams: (app) => ({ user_type: app.userType ?? "Location" }),
    storeKey: (app, tokens) =>
      GhlAuth.storeKey(
        app.userType ?? "Location",
        String(tokens.meta?.locationId ?? tokens.meta?.companyId ?? app.clientId),
      ),
    budget: (app, tokens) => `app:${app.clientId}:${String(tokens.meta?.locationId ?? tokens.meta?.companyId ?? "")}`,
    unusedKeyDeletedAfterDays: 90,
    refreshTokenDays: 365,
    inContext: (login, { app, tokens, context, signInHint }) => {
      const companyId = tokens.meta?.companyId
      const locationId = context.locationId
      if (tokens.meta?.userType !== "Company" || typeof companyId !== "string" || locationId === undefined) return login
      return GhlAuth.layerLocationFromAgencyCredentials(
        login,
        { companyId, locationId, baseUrl: app.baseUrl },
        { signInHint, budget: `app:${app.clientId}:${locationId}` },
      )
    },
  },
  sandbox: (server) => ({
    baseUrl: server.ghl.baseUrl,
    credentials: GhlAuth.layerPrivateIntegrationToken(Redacted.make(server.credentials.ghl.privateIntegrationToken)),
    context: { locationId: server.credentials.ghl.locationId },
  }),
}

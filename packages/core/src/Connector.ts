/**
 * A connector: everything an app needs to know of one CRM, described once by its
 * provider package, so that the CLI, the n8n nodes, the Zapier apps and the MCP server
 * derive their words from it instead of restating them. Like `LanguageModel` in
 * `effect/ai`, the core names the contract and each provider implements it; an app
 * iterates over the connectors it registers and names none.
 *
 * Two halves: the `Connector` itself is plain data and loads nothing heavy (an app's
 * `--help` reads it); `load()` brings the runtime (clients, credential layers, the
 * operation registry, the actions), which in turn loads the generated operations only
 * when asked.
 */
import type { Context, Layer, Redacted } from "effect"
import type { HttpClient } from "effect/http"
import type { Risks } from "./Access.ts"
import type * as Action from "./Action.ts"
import type { Credentials } from "./Credentials.ts"
import type { CrmClient } from "./CrmClient.ts"
import type { CrmError } from "./CrmError.ts"
import type { Feed } from "./Feeds.ts"
import type { TokenEndpoint } from "./OAuth2.ts"
import type { CatalogEntry } from "./Operation.ts"
import type { Registry } from "./OperationRegistry.ts"
import type { RateLimits } from "./RateLimit.ts"
import type { RecordMapper } from "./Records.ts"
import type { TokenSet, TokenStore } from "./TokenStore.ts"
import type { WebhookReceiver } from "./Webhooks.ts"

/** One value a person gives for a credential (a key, a client id, a choice). */
export interface CredentialField {
  readonly name: string
  readonly title: string
  readonly description?: string | undefined
  /** Stored and shown as a secret (never echoed, never logged). */
  readonly secret: boolean
  readonly required: boolean
  readonly choices?: ReadonlyArray<string> | undefined
  readonly default?: string | undefined
}

/** Where a person may consent instead of the default page (GHL's white-label marketplace). */
export interface ConsentPage {
  /** Stable id of the choice (`white_label`). */
  readonly name: string
  readonly title: string
  readonly authorizeUrl: string
}

/** How a static key travels: `header: prefix + key` on every request. */
export interface KeyHeader {
  readonly header: string
  /** Text before the key (`Bearer `); none by default. */
  readonly prefix?: string | undefined
}

/**
 * A cheap request that tells whether a credential works, for hosts that test credentials
 * themselves (n8n). `{name}` in the path is a context value (`/locations/{locationId}`).
 */
export interface CredentialTest {
  readonly method: "GET" | "POST"
  /** Relative to the API base URL. */
  readonly path: string
  readonly query?: Readonly<Record<string, string | number>> | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** How a person signs in with OAuth 2.0 (authorization code). */
export interface OAuthFlow {
  readonly authorizeUrl: string
  /**
   * Other pages where a person may consent, the default (`authorizeUrl`) first, and what
   * the choice is called: hosts offer it when there is more than one.
   */
  readonly consentPages?:
    | {
        readonly title: string
        readonly description: string
        readonly pages: ReadonlyArray<ConsentPage>
      }
    | undefined
  readonly tokenUrl: string
  /** How the refresh grant sends the client credentials; the code exchange sends them in the form. */
  readonly clientAuthentication: "basic" | "body"
  /** What a login asks for when the person does not say. */
  readonly defaultScopes: ReadonlyArray<string>
  /** Choices the consent takes besides scopes (GHL: a location or an agency login). */
  readonly options?: ReadonlyArray<CredentialField> | undefined
  /** Lifetime of an access token, when documented. */
  readonly accessTokenSeconds?: number | undefined
  /** Days a refresh token lives unused, when known (warn before it lapses). */
  readonly refreshTokenDays?: number | undefined
}

/** A kind of credential the provider issues, and what a person fills in for it. */
export interface CredentialKind {
  /** Stable id: picks rate-limit windows and the layer (`pat`, `sak`, `pit`, `oauth2`). */
  readonly kind: string
  readonly title: string
  readonly description: string
  /** A static secret, or an OAuth login the provider refreshes. */
  readonly type: "key" | "oauth2"
  /** For a key: the secret (first field) and any context it comes with. */
  readonly fields: ReadonlyArray<CredentialField>
  /** Environment variables that may hold the secret, in order of preference. */
  readonly env?: ReadonlyArray<string> | undefined
  /** Days after which the provider deletes a key nobody used. */
  readonly unusedDeletedAfterDays?: number | undefined
  readonly oauth?: OAuthFlow | undefined
  /** For a key: how requests carry it, for hosts that send it themselves (n8n). */
  readonly sent?: KeyHeader | undefined
  /** Where the provider explains how to get this credential. */
  readonly documentationUrl?: string | undefined
}

/** A value the connection knows and many operations take (GHL's location). */
export interface ContextParameter {
  /** As operations name it (`locationId`); see `CatalogEntry.context` for where each takes it. */
  readonly name: string
  readonly title: string
  readonly description: string
  /** Environment variable that may hold it. */
  readonly env?: string | undefined
  /** Where a person finds it (Markdown), for hosts that ask for it. */
  readonly help?: string | undefined
  /** The token response field that carries it, when a login tells it (`TokenSet.meta`). */
  readonly fromToken?: string | undefined
}

export interface Connector {
  /** Lower-case, as commands and budgets name it (`keap`). */
  readonly name: string
  readonly title: string
  /** Other names people use (`infusionsoft`, `highlevel`). */
  readonly aliases: ReadonlyArray<string>
  readonly credentials: ReadonlyArray<CredentialKind>
  readonly context: ReadonlyArray<ContextParameter>
  /** Records per request: what a list asks for by default, and the most the API gives. */
  readonly pageSize: { readonly default: number; readonly max: number }
  /** The API root requests go to unless a host overrides it. */
  readonly baseUrl?: string | undefined
  /** A cheap read any working credential may make (see `CredentialTest`). */
  readonly credentialTest?: CredentialTest | undefined
  readonly load: () => Promise<Runtime>
  /**
   * The provider's simulator for the sandbox kit (a `SimulatorModule` of `@crmkit/sandbox`),
   * loaded only by hosts that serve a sandbox. The core does not know the kit: hosts do.
   */
  readonly sandbox?: (() => Promise<unknown>) | undefined
}

/** An OAuth app, as the host holds it. */
export interface OAuthApp {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly tokenUrl?: string | undefined
  readonly baseUrl?: string | undefined
  /** The login's choices (`OAuthFlow.options`), e.g. `{ userType: "Company" }`. */
  readonly options?: Readonly<Record<string, string>> | undefined
}

export type ConnectedLayer = Layer.Layer<Credentials, never, TokenStore | HttpClient.HttpClient>

/** What a saved OAuth login needs from the provider to be renewed and keyed. */
export interface OAuthRules {
  readonly tokenEndpoint: (app: OAuthApp) => TokenEndpoint
  /** Extra form fields of the code exchange and the refresh (GHL's `user_type`). */
  readonly grantParams: (app: OAuthApp) => Readonly<Record<string, string>>
  /** Store key of a logged-in pair (per app and tenant, per location...). */
  readonly storeKey: (app: OAuthApp, tokens: TokenSet, profile: string) => string
  /** The API budget a pair draws from. */
  readonly budget: (app: OAuthApp, tokens: TokenSet) => string
  /** Context values the login itself tells (GHL: the location of a location token). */
  readonly contextOf: (tokens: TokenSet) => Readonly<Record<string, string>>
  /**
   * The credentials a login gives in a context, when they differ from its own (GHL: an
   * agency login mints a token for the context's location).
   */
  readonly inContext?:
    | ((
        login: ConnectedLayer,
        saved: {
          readonly app: OAuthApp
          readonly tokens: TokenSet
          readonly context: Readonly<Record<string, string>>
          readonly signInHint: string
        },
      ) => ConnectedLayer)
    | undefined
}

export interface ClientOptions {
  readonly baseUrl?: string | undefined
  readonly context?: Readonly<Record<string, string | undefined>> | undefined
}

/** The loaded half of a connector. `R` is the provider's client service. */
export interface Runtime<R = any> {
  readonly connector: Connector
  /** The provider's client service; the app supplies transport, credentials and rate limits. */
  readonly client: (
    options: ClientOptions,
  ) => Layer.Layer<R, CrmError, Credentials | RateLimits | HttpClient.HttpClient>
  /** The core client inside the provider's client service. */
  readonly crmClient: (services: Context.Context<R>) => CrmClient
  /** Credentials of a static key of one of the `key` kinds; a malformed or legacy key fails here. */
  readonly keyCredentials: (kind: string, secret: Redacted.Redacted<string>) => Layer.Layer<Credentials, CrmError>
  /** Credentials of an access token a host holds and refreshes itself. */
  readonly accessTokenCredentials: (token: Redacted.Redacted<string>) => Layer.Layer<Credentials, CrmError>
  /** How saved OAuth logins are renewed and keyed, when the provider has an OAuth login. */
  readonly oauth?: OAuthRules | undefined
  /** The hand-written services, as the one vocabulary of every app. */
  readonly actions: ReadonlyArray<Action.Action<any, unknown, R>>
  /** Loaded on demand: the generated operations are large. */
  readonly catalog: () => Promise<ReadonlyArray<CatalogEntry>>
  readonly operations: () => Promise<Registry<R>>
  /** How the provider's webhooks are received, when it sends them. */
  readonly webhooks?: WebhookReceiver<R> | undefined
  /** What hosts that poll can watch. */
  readonly feeds?: ReadonlyArray<Feed<R>> | undefined
  /** Which operations move money or send messages (see `Access`): what policies deny by default. */
  readonly risks?: Risks | undefined
  /** Its records in the common model (`Records`), for migrations between CRMs. */
  readonly records?: RecordMapper<R> | undefined
}

/** The connector a name or alias means, ignoring case. */
export const find = (connectors: ReadonlyArray<Connector>, name: string): Connector | undefined => {
  const wanted = name.toLowerCase()
  return connectors.find((c) => c.name === wanted || c.aliases.includes(wanted))
}

/** The credential kind with this id, if the connector has it. */
export const credentialKind = (connector: Connector, kind: string): CredentialKind | undefined =>
  connector.credentials.find((k) => k.kind === kind)

/**
 * Zapier authentication as a function of the connector: an OAuth 2.0 app (the connector's
 * OAuth flow and its runtime's token rules: endpoint, grant parameters, the context a login
 * tells) and a key app (the connector's key kinds and the context a key needs). Both test
 * the connection with one read and label it with the record's properties.
 *
 * Zapier's environment holds the OAuth app (`CLIENT_ID`, `CLIENT_SECRET`); tests and staging
 * point `<NAME>_BASE_URL`, `<NAME>_TOKEN_URL` and `<NAME>_AUTHORIZE_URL` at the sandbox.
 */
import { Action, type Connector, type CrmError, OAuth2, type TokenStore } from "@crmkit/core"
import { Effect, Layer, Redacted } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import { type Connection, envUrl, snake } from "./Connection.ts"
import { authValue, env } from "./Definitions.ts"
import * as Invocation from "./Invocation.ts"

export interface Spec<R> {
  /** The read that tests a connection; its answer's `label` properties name it. */
  readonly test: Effect.Effect<unknown, CrmError, R>
  readonly label: ReadonlyArray<string>
  /** The scopes the OAuth app asks for (default: the flow's). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** A consent-page choice: Zapier field, its choices and their pages (default: the flow's `consentPages`). */
  readonly consentPage?:
    | {
        readonly key: string
        readonly label: string
        readonly helpText: string
        readonly choices: ReadonlyArray<{ readonly value: string; readonly label: string; readonly url: string }>
      }
    | undefined
  /** Help of the key field (default: the key kinds' descriptions and documentation). */
  readonly keyHelp?: string | undefined
  readonly contextHelp?: Readonly<Record<string, string>> | undefined
}

/** The flow's consent pages as a Zapier choice, when it has more than one. */
const consentPage = (flow: Connector.OAuthFlow): Spec<never>["consentPage"] => {
  const pages = flow.consentPages
  if (pages === undefined || pages.pages.length < 2) return undefined
  return {
    key: snake(pages.title),
    label: pages.title,
    helpText: `${pages.description}.`,
    choices: pages.pages.map((page) => ({
      value: page.name,
      label: `${page.title} (${new URL(page.authorizeUrl).host})`,
      url: page.authorizeUrl,
    })),
  }
}

export const make = <R>(connection: Connection<R>, spec: Spec<R>) => {
  const { runtime } = connection
  const connector = runtime.connector
  const oauthKind = connector.credentials.find((kind) => kind.type === "oauth2")
  const keyKinds = connector.credentials.filter((kind) => kind.type === "key")

  // The first record of the answer (a list of one, from `Derive`'s `read`).
  const test = (z: ZObject, bundle: Bundle) =>
    connection.run(
      z,
      bundle,
      Effect.map(spec.test, (found) => (Array.isArray(found) ? found[0] : found)),
    )
  const connectionLabel = async (z: ZObject, bundle: Bundle) => {
    const found = (await test(z, bundle)) as Record<string, unknown>
    const parts = spec.label.map((p) => found?.[p]).filter((v) => v !== undefined && v !== null && v !== "")
    return parts.length > 0 ? parts.map(String).join(" ") : connector.title
  }

  const app = (): Connector.OAuthApp => ({
    clientId: env("CLIENT_ID") ?? "",
    clientSecret: Redacted.make(env("CLIENT_SECRET") ?? ""),
    baseUrl: envUrl(connector, "BASE_URL"),
    tokenUrl: envUrl(connector, "TOKEN_URL"),
  })

  const endpoint = (oauth: Connector.OAuthRules, app: Connector.OAuthApp) => {
    const found = oauth.tokenEndpoint(app)
    return { ...found, tokenUrl: app.tokenUrl ?? found.tokenUrl }
  }

  /** The token pair and the context the login tells, as Zapier stores them in `authData`. */
  const stored = (oauth: Connector.OAuthRules, tokens: TokenStore.TokenSet, previous: Bundle["authData"] = {}) => ({
    access_token: Redacted.value(tokens.accessToken),
    ...(tokens.refreshToken === undefined ? {} : { refresh_token: Redacted.value(tokens.refreshToken) }),
    ...(tokens.expiresAt === undefined ? {} : { expires_in: Math.round((tokens.expiresAt - Date.now()) / 1000) }),
    ...Object.fromEntries(
      connector.context
        .filter((parameter) => parameter.fromToken !== undefined)
        .map((parameter) => [
          snake(parameter.name),
          oauth.contextOf(tokens)[parameter.name] ?? previous[snake(parameter.name)] ?? "",
        ]),
    ),
  })

  const oauth2 = () => {
    const flow = oauthKind?.oauth
    const rules = runtime.oauth
    if (flow === undefined || rules === undefined) throw new Error(`${connector.title} has no OAuth login`)
    const page = spec.consentPage ?? consentPage(flow)
    return {
      type: "oauth2" as const,
      test,
      connectionLabel,
      fields: [
        ...(page === undefined
          ? []
          : [
              {
                key: page.key,
                label: page.label,
                required: false,
                default: page.choices[0]?.value,
                choices: page.choices.map((c) => ({ value: c.value, label: c.label, sample: c.value })),
                helpText: page.helpText,
              },
            ]),
        ...connector.context
          .filter((parameter) => parameter.fromToken !== undefined)
          .map((parameter) => ({ key: snake(parameter.name), type: "string", required: false, computed: true })),
      ],
      oauth2Config: {
        authorizeUrl: (_z: ZObject, bundle: Bundle) =>
          OAuth2.authorizationUrl({
            authorizeUrl:
              envUrl(connector, "AUTHORIZE_URL") ??
              page?.choices.find((c) => c.value === bundle.inputData[page.key])?.url ??
              flow.authorizeUrl,
            clientId: app().clientId,
            redirectUri: String(bundle.inputData.redirect_uri),
            scope: (spec.scopes ?? flow.defaultScopes).join(" "),
            state: String(bundle.inputData.state),
          }).url,
        getAccessToken: (z: ZObject, bundle: Bundle) =>
          Invocation.run(
            z,
            Effect.map(
              // The code exchange sends the client credentials in the form, for every provider.
              OAuth2.exchangeCode(
                { ...endpoint(rules, app()), clientAuthentication: "body" },
                {
                  code: authValue(z, bundle.inputData.code, "code"),
                  redirectUri: authValue(z, bundle.inputData.redirect_uri, "redirect_uri"),
                  extraParams: rules.grantParams(app()),
                },
              ),
              (tokens) => stored(rules, tokens),
            ),
            Layer.empty,
            "key",
          ),
        refreshAccessToken: (z: ZObject, bundle: Bundle) =>
          Invocation.run(
            z,
            Effect.map(
              OAuth2.refreshTokens(
                endpoint(rules, app()),
                Redacted.make(authValue(z, bundle.authData.refresh_token, "refresh token")),
                rules.grantParams(app()),
              ),
              (tokens) => stored(rules, tokens, bundle.authData),
            ),
            Layer.empty,
            // A refused refresh token cannot be refreshed again: the user must reconnect.
            "key",
          ),
        ...(spec.scopes === undefined && flow.defaultScopes.length === 0
          ? {}
          : { scope: (spec.scopes ?? flow.defaultScopes).join(" ") }),
        autoRefresh: false,
      },
    }
  }

  const key = () => {
    const [first] = keyKinds
    if (first === undefined) throw new Error(`${connector.title} has no keys`)
    return {
      type: "custom" as const,
      test,
      connectionLabel,
      fields: [
        {
          key: connection.keyField,
          label: keyKinds.length === 1 ? first.title : "API Key",
          type: "password" as const,
          required: true,
          helpText:
            spec.keyHelp ??
            keyKinds
              .map(
                (kind) =>
                  `${kind.title}: ${kind.description}${kind.documentationUrl === undefined ? "" : ` ([guide](${kind.documentationUrl}))`}.`,
              )
              .join(" "),
        },
        ...(keyKinds.length < 2
          ? []
          : [
              {
                key: "key_kind",
                label: "Key Type",
                required: true,
                default: first.kind,
                choices: keyKinds.map((kind) => ({ value: kind.kind, label: kind.title, sample: kind.kind })),
                helpText: `${connector.title} limits each kind separately; both are sent the same way.`,
              },
            ]),
        // What a key does not tell by itself (GHL's location).
        ...connector.context
          .filter((parameter) => parameter.env !== undefined)
          .map((parameter) => ({
            key: snake(parameter.name),
            label: parameter.title,
            type: "string" as const,
            required: true,
            helpText: spec.contextHelp?.[parameter.name] ?? parameter.help ?? `${parameter.description}.`,
          })),
      ],
    }
  }

  return { oauth2, key }
}

/** The scopes an app needs: the flow's defaults, and those of every operation its actions call. */
export const scopes = (
  connection: { readonly runtime: Connector.Runtime<any> },
  actions: ReadonlyArray<string>,
  catalog: ReadonlyArray<{ readonly id: string; readonly scopes?: ReadonlyArray<string> | undefined }>,
  operations: ReadonlyArray<string> = [],
): ReadonlyArray<string> => {
  const flow = connection.runtime.connector.credentials.find((kind) => kind.type === "oauth2")?.oauth
  const used = connection.runtime.actions.filter((a) => actions.includes(`${a.resource}.${a.name}`))
  return [
    ...new Set([
      ...(flow?.defaultScopes ?? []),
      ...Action.scopesOf([...used.map(Action.describe), { operations }], catalog),
    ]),
  ].sort()
}

/**
 * The n8n credentials of a connector, derived from its credential kinds: one key
 * credential for its static keys (a Key Type choice when it has several kinds) and one
 * OAuth2 credential for its login (n8n runs the consent and refreshes the single-use
 * refresh tokens), each with the context a person gives (GHL's location), the base URL,
 * and the node's "Authentication" choice between them. The header n8n adds, the test
 * request, the documentation links and the consent pages are the connector's.
 */
import type {
  IAuthenticateGeneric,
  ICredentialTestRequest,
  ICredentialType,
  INodeCredentialDescription,
  INodeProperties,
} from "n8n-workflow"
import type { Info as App } from "./App.ts"

const keyKinds = (app: App) => app.connector.credentials.filter((kind) => kind.type === "key")

/** `{{$credentials.locationId || $credentials.oauthTokenData.locationId}}` for `{locationId}`. */
const contextExpression = (app: App, name: string) => {
  const parameter = app.connector.context.find((p) => p.name === name)
  const sources = [
    `$credentials.${name}`,
    ...(parameter?.fromToken === undefined ? [] : [`$credentials.oauthTokenData.${parameter.fromToken}`]),
  ]
  return `{{${sources.join(" || ")}}}`
}

const keyHeaders = (app: App): Readonly<Record<string, string>> | undefined => {
  const sent = keyKinds(app).find((kind) => kind.sent !== undefined)?.sent
  return (
    app.words.credentials?.keyHeaders ??
    (sent === undefined ? undefined : { [sent.header]: `=${sent.prefix ?? ""}{{$credentials.apiKey}}` })
  )
}

const givenContext = (app: App) => app.connector.context.filter((parameter) => parameter.env !== undefined)

const baseUrl = (app: App): INodeProperties => ({
  displayName: "Base URL",
  name: "baseUrl",
  type: "string",
  default: app.words.baseUrl ?? app.connector.baseUrl ?? "",
  description: `${app.connector.title}'s API root; change it only for a gateway or a test server`,
})

const withWords = (app: App, properties: Array<INodeProperties>): Array<INodeProperties> =>
  properties.map((p) => ({ ...p, ...(app.words.credentials?.fields?.[p.name] ?? {}) }) as INodeProperties)

const connectorTest = (app: App): NonNullable<NonNullable<App["words"]["credentials"]>["test"]> | undefined => {
  const test = app.connector.credentialTest
  if (test === undefined) return undefined
  const url = test.path.replace(/\{(\w+)\}/g, (_, name: string) => contextExpression(app, name))
  return {
    method: test.method,
    url: url.includes("{{") ? `=${url}` : url,
    ...(test.query === undefined ? {} : { qs: { ...test.query } }),
    ...(test.headers === undefined ? {} : { headers: { ...test.headers } }),
  }
}

const test = (app: App): ICredentialTestRequest | undefined => {
  const request = app.words.credentials?.test ?? connectorTest(app)
  return request === undefined ? undefined : { request: { baseURL: "={{$credentials.baseUrl}}", ...request } }
}

const icon = (app: App) => {
  const name = app.words.icon ?? app.connector.name
  return { light: `file:../icons/${name}.svg`, dark: `file:../icons/${name}.dark.svg` } as const
}

/** The key credential class of an app (undefined when the connector has no key kind). */
export const key = (app: App) => {
  const kinds = keyKinds(app)
  const secret = kinds.length === 1 ? (kinds[0]?.title ?? "API Key") : "API Key"
  const headers = keyHeaders(app)
  const documentationUrl =
    app.words.credentials?.documentationUrl?.key ?? kinds.find((kind) => kind.documentationUrl)?.documentationUrl
  const credentialTest = test(app)
  return class implements ICredentialType {
    name = app.names.keyCredential ?? ""
    displayName = `${app.connector.title} ${secret} (crmkit) API`
    icon = icon(app)
    documentationUrl: string | undefined = documentationUrl
    properties: INodeProperties[] = withWords(app, [
      ...(kinds.length > 1
        ? [
            {
              displayName: "Key Type",
              name: "keyType",
              type: "options",
              options: kinds.map((kind) => ({ name: kind.title, value: kind.kind, description: kind.description })),
              default: kinds[0]?.kind ?? "",
              description: `Which kind of ${app.connector.title} key this is; they have different rate limits`,
            } satisfies INodeProperties,
          ]
        : []),
      {
        displayName: secret,
        name: "apiKey",
        type: "string",
        typeOptions: { password: true },
        default: "",
        required: true,
      },
      ...givenContext(app).map(
        (parameter): INodeProperties => ({
          displayName: parameter.title,
          name: parameter.name,
          type: "string",
          default: "",
          required: true,
          description: parameter.description,
        }),
      ),
      baseUrl(app),
    ])
    authenticate: IAuthenticateGeneric | undefined =
      headers === undefined ? undefined : { type: "generic", properties: { headers: { ...headers } } }
    test: ICredentialTestRequest | undefined = credentialTest
  }
}

/** The OAuth2 credential class of an app (undefined when the connector has no login). */
export const oauth2 = (app: App) => {
  const kind = app.connector.credentials.find((k) => k.type === "oauth2")
  const flow = kind?.oauth
  const scopes = app.words.credentials?.scopes ?? app.scopes ?? flow?.defaultScopes ?? []
  const documentationUrl = app.words.credentials?.documentationUrl?.oauth2 ?? kind?.documentationUrl
  const consent = flow?.consentPages
  const authUrl: INodeProperties =
    consent === undefined || consent.pages.length < 2
      ? {
          displayName: "Authorization URL",
          name: "authUrl",
          type: "string",
          default: flow?.authorizeUrl ?? "",
          required: true,
        }
      : {
          // The page is the saved value, so a credential keeps its page when the list changes.
          displayName: consent.title,
          name: "authUrl",
          type: "options",
          options: consent.pages.map((page) => ({
            name: `${page.title} (${new URL(page.authorizeUrl).host})`,
            value: page.authorizeUrl,
          })),
          default: flow?.authorizeUrl ?? consent.pages[0]?.authorizeUrl ?? "",
          required: true,
          description: consent.description,
        }
  const credentialTest = test(app)
  return class implements ICredentialType {
    name = app.names.oauthCredential ?? ""
    extends = ["oAuth2Api"]
    displayName = `${app.connector.title} OAuth2 (crmkit) API`
    icon = icon(app)
    documentationUrl: string | undefined = documentationUrl
    properties: INodeProperties[] = withWords(app, [
      { displayName: "Grant Type", name: "grantType", type: "hidden", default: "authorizationCode" },
      authUrl,
      {
        displayName: "Access Token URL",
        name: "accessTokenUrl",
        type: "string",
        default: flow?.tokenUrl ?? "",
        required: true,
      },
      scopes.length <= 1
        ? { displayName: "Scope", name: "scope", type: "hidden", default: scopes.join(" ") }
        : {
            displayName: "Scope",
            name: "scope",
            type: "string",
            default: scopes.join(" "),
            description: "Space-separated scopes; they must match the app's scopes",
          },
      ...(flow?.options ?? []).map(
        (option): INodeProperties =>
          option.choices === undefined
            ? { displayName: option.title, name: option.name, type: "string", default: option.default ?? "" }
            : {
                displayName: option.title,
                name: option.name,
                type: "options",
                options: option.choices.map((choice) => ({ name: choice, value: choice })),
                default: option.default ?? option.choices[0] ?? "",
                ...(option.description === undefined ? {} : { description: option.description }),
              },
      ),
      ...givenContext(app).map(
        (parameter): INodeProperties => ({
          displayName: parameter.title,
          name: parameter.name,
          type: "string",
          default: "",
          description: `${parameter.description}, when the login itself does not tell it`,
        }),
      ),
      { displayName: "Auth URI Query Parameters", name: "authQueryParameters", type: "hidden", default: "" },
      {
        displayName: "Authentication",
        name: "authentication",
        type: "hidden",
        default: flow?.clientAuthentication === "basic" ? "header" : "body",
      },
      baseUrl(app),
    ])
    test: ICredentialTestRequest | undefined = credentialTest
  }
}

/** The node's "Authentication" parameter and the credentials each choice shows. */
export const choice = (
  app: App,
): { readonly property: INodeProperties; readonly credentials: Array<INodeCredentialDescription> } => {
  const kinds = app.connector.credentials.filter((k) => k.type === "key")
  const choices = [
    ...(app.names.keyCredential === undefined
      ? []
      : [{ name: kinds.length === 1 ? (kinds[0]?.title ?? "API Key") : "API Key", value: app.names.keyCredential }]),
    ...(app.names.oauthCredential === undefined ? [] : [{ name: "OAuth2", value: app.names.oauthCredential }]),
  ].sort((a, b) => a.name.localeCompare(b.name))
  return {
    property: {
      displayName: "Authentication",
      name: "authentication",
      type: "options",
      options: choices,
      default: app.names.defaultCredential,
    },
    credentials: choices.map((c) => ({
      name: c.value,
      required: true,
      displayOptions: { show: { authentication: [c.value] } },
    })),
  }
}

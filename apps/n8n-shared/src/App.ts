/**
 * An n8n community package as a function of a connector: the connector (plain data: the
 * credentials, how a key is sent, the test request, the documentation links), its loaded
 * runtime (actions, operations, webhooks, feeds) and a few host words that the connector
 * does not carry (icons, promoted fields). Every node, credential and dropdown of the
 * package is derived from these; a CRM is added by one line, `App.make(connector, runtime, words)`;
 * credentials need only `App.info(connector, words)`.
 */
import { Action, type Connector } from "@crmkit/core"
import type { IHttpRequestOptions, INodeProperties } from "n8n-workflow"

export interface Words {
  /** Base name of `src/icons/<icon>.svg` and `<icon>.dark.svg` (default: the connector's name). */
  readonly icon?: string | undefined
  /** The API root credentials default to (default: the connector's `baseUrl`). */
  readonly baseUrl?: string | undefined
  /** n8n resource values where singular camelCase is wrong (`{ people: "person" }`). */
  readonly resources?: Readonly<Record<string, string>> | undefined
  /** Optional fields shown at the top level instead of inside Additional Fields. */
  readonly promote?: ReadonlyArray<string> | undefined
  readonly credentials?:
    | {
        /**
         * What n8n adds to each request of a key credential, e.g. `{ "X-Api-Key": "={{$credentials.apiKey}}" }`
         * (default: from the key kind's `sent`).
         */
        readonly keyHeaders?: Readonly<Record<string, string>> | undefined
        /** The request of n8n's credential test (default: the connector's `credentialTest`). */
        readonly test?: Omit<IHttpRequestOptions, "url"> & { readonly url: string }
        /** Default: the credential kinds' `documentationUrl`. */
        readonly documentationUrl?: { readonly key?: string; readonly oauth2?: string } | undefined
        /** Changes to derived credential fields by name. */
        readonly fields?: Readonly<Record<string, Partial<INodeProperties>>> | undefined
        /** The scopes asked for at consent (default: `Info.scopes`). */
        readonly scopes?: ReadonlyArray<string> | undefined
      }
    | undefined
  readonly trigger?:
    | {
        /** Shown at the top of the webhook trigger (default: the receiver's `setup`, where to paste its URL). */
        readonly notice?: string | undefined
      }
    | undefined
}

/** What credentials need: the connector (plain data) and the app's words, without the runtime. */
export interface Info {
  readonly connector: Connector.Connector
  readonly words: Words
  /** n8n names: `keap` → node `keap`, credentials `crmkitKeapApi` / `crmkitKeapOAuth2Api`. */
  readonly names: {
    readonly node: string
    readonly keyCredential: string | undefined
    readonly oauthCredential: string | undefined
    /** The credential used when the node's Authentication parameter is not set. */
    readonly defaultCredential: string
  }
  /**
   * The scopes the OAuth credential asks for: the flow's defaults, and, when `info` was given
   * the actions and the catalog, those of every action and of the credential test.
   */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/** The actions and the operation catalog, when the credentials should ask for the scopes they need. */
export interface Surface {
  readonly actions: ReadonlyArray<Action.Action<any, any, any>>
  readonly catalog: ReadonlyArray<{
    readonly id: string
    readonly method?: string
    readonly path?: string
    readonly scopes?: ReadonlyArray<string> | undefined
  }>
}

/** The flow's default scopes, those of the actions, and those of the credential test's operation. */
export const scopes = (connector: Connector.Connector, surface: Surface): ReadonlyArray<string> => {
  const flow = connector.credentials.find((kind) => kind.type === "oauth2")?.oauth
  const test = connector.credentialTest
  const tested = surface.catalog
    .filter((entry) => test !== undefined && entry.method === test.method && entry.path === test.path)
    .map((entry) => entry.id)
  return [
    ...new Set([
      ...(flow?.defaultScopes ?? []),
      ...Action.scopesOf([...surface.actions.map(Action.describe), { operations: tested }], surface.catalog),
    ]),
  ].sort()
}

export interface App<R = any> extends Info {
  readonly runtime: Connector.Runtime<R>
  readonly actions: ReadonlyArray<Action.Action>
}

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("")

export const camel = (text: string) => {
  const p = pascal(text)
  return p.charAt(0).toLowerCase() + p.slice(1)
}

const acronyms = new Set(["id", "sms", "url", "api", "utm"])

/** `given_name` → `Given Name`, `contactId` → `Contact ID`. */
export const title = (text: string) =>
  text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) =>
      acronyms.has(part.toLowerCase())
        ? part.toUpperCase()
        : part.toLowerCase() === "ids"
          ? "IDs"
          : part.charAt(0).toUpperCase() + part.slice(1),
    )
    .join(" ")

export const singular = (word: string) =>
  word.endsWith("ies") ? `${word.slice(0, -3)}y` : word.endsWith("sses") ? word.slice(0, -2) : word.replace(/s$/, "")

/** `custom-objects` → `customObject`. */
export const resourceValue = (app: Pick<App, "words">, resource: string) =>
  app.words.resources?.[resource] ?? camel(resource.split("-").map(singular).join("-"))

/** `list` → `getAll`, `add-tags` → `addTags`. */
export const operationValue = (verb: string) => (verb === "list" ? "getAll" : camel(verb))

/**
 * The connector and the words, for credentials (which need no runtime); with the actions
 * and the catalog, the OAuth credential asks for the scopes they need.
 */
export const info = (connector: Connector.Connector, words: Words = {}, surface?: Surface): Info => {
  const name = pascal(connector.title)
  const hasKey = connector.credentials.some((kind) => kind.type === "key")
  const hasOAuth = connector.credentials.some((kind) => kind.type === "oauth2")
  const keyCredential = hasKey ? `crmkit${name}Api` : undefined
  const oauthCredential = hasOAuth ? `crmkit${name}OAuth2Api` : undefined
  return {
    connector,
    words,
    names: {
      node: camel(connector.title),
      keyCredential,
      oauthCredential,
      defaultCredential: (keyCredential ?? oauthCredential) as string,
    },
    ...(surface === undefined ? {} : { scopes: scopes(connector, surface) }),
  }
}

export const make = <R>(connector: Connector.Connector, runtime: Connector.Runtime<R>, words: Words = {}): App<R> => ({
  ...info(connector, words),
  runtime,
  actions: runtime.actions,
})

/**
 * A whole Zapier app from a connector, with no words of its own: every single write action
 * as a create, every read action as a search (first page, limited), every list as a polling
 * trigger (every page up to a poll), every polling feed and webhook event as a trigger, and the
 * dropdowns their hints name. A new CRM is one line (`await App.fromConnector(connector)`);
 * the Keap and HighLevel apps use the same builders with their own keys and words.
 */
import { Access, Action, type Connector } from "@crmkit/core"
import * as Auth from "./Auth.ts"
import * as Connection from "./Connection.ts"
import * as Definitions from "./Definitions.ts"
import * as Derive from "./Derive.ts"
import { titleCase } from "./Forms.ts"

const singular = (resource: string) => resource.replace(/ies$/, "y").replace(/s$/, "")
const key = (...parts: ReadonlyArray<string>) => Connection.snake(parts.join("_"))

export const fromConnector = async (
  connector: Connector.Connector,
  options: { readonly version?: string | undefined; readonly platformVersion?: string | undefined } = {},
) => {
  const runtime = await connector.load()
  const connection = Connection.make(runtime)
  const derive = Derive.make(connection, { registry: await runtime.operations() })
  const described = runtime.actions.map(Action.describe)
  const ref = (d: Action.Description) => `${d.resource}.${d.name}`
  const noun = (d: { readonly resource: string }) => titleCase(singular(d.resource))

  // Zapier forbids moving money: actions that charge, refund or bill are not shown.
  const catalog = await runtime.catalog()
  const moves = (d: Action.Description) => Access.ofOperations(d.operations ?? [], catalog, runtime.risks) === "money"
  const creates = described
    .filter((d) => d.access === "write" && !d.streams && !moves(d))
    .map((d) => derive.create({ key: key(d.name, singular(d.resource)), action: ref(d), noun: noun(d) }))
  const searches = described
    .filter((d) => d.access === "read")
    .map((d) => derive.search({ key: key(d.name, d.resource), action: ref(d), noun: noun(d) }))
  const lists = described
    .filter((d) => d.access === "read" && d.streams && d.name === "list")
    .map((d) => derive.listTrigger({ key: key("new", singular(d.resource)), action: ref(d), noun: noun(d) }))
  const feeds = (runtime.feeds ?? []).map((feed) =>
    derive.feedTrigger({ key: key(feed.name.replace(/\./g, "_")), feed: feed.name, noun: noun(feed) }),
  )
  // Events that name a resource with a list action get samples from it.
  const receiver = runtime.webhooks
  const hooks = (receiver?.events ?? []).flatMap((event) => {
    const list = described.find((d) => d.name === "list" && singular(d.resource) === event.name.split(".")[0])
    if (list === undefined) return []
    return [
      derive.hookTrigger({
        key: key(event.name.replace(/\W+/g, "_")),
        event: event.name,
        noun: noun(list),
        label: event.title,
        recent: { action: ref(list) },
      }),
    ]
  })
  const test = described.find((d) => d.access === "read" && d.fields.every((f) => !f.required))
  const auth = Auth.make(connection, {
    test: test === undefined ? derive.read({ action: ref(described[0]!) }) : derive.read({ action: ref(test) }),
    label: ["name", "email"],
  })
  const app = (authentication: object) =>
    Definitions.app({
      version: options.version ?? "0.0.0",
      platformVersion: options.platformVersion ?? "0.0.0",
      authentication,
      triggers: [...feeds, ...hooks, ...lists, ...derive.dropdowns()],
      creates,
      searches,
      searchOrCreates: [],
    })
  const hasOAuth = runtime.oauth !== undefined && connector.credentials.some((k) => k.type === "oauth2")
  const hasKey = connector.credentials.some((k) => k.type === "key")
  return {
    ...(hasKey ? { key: app(auth.key()) } : {}),
    ...(hasOAuth ? { oauth2: app(auth.oauth2()) } : {}),
  }
}

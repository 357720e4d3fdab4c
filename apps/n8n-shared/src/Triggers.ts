/**
 * The triggers of a connector, derived from its webhook receiver and its feeds.
 *
 * Webhook trigger: n8n hands over the raw request, the receiver does the provider's
 * handshake, signature check and refusals, and answers; each delivered event becomes an
 * item. Where the provider's API registers URLs (Keap REST hooks), the hook is created
 * when the workflow is activated and deleted when it is deactivated, for one event picked
 * from the account's list; otherwise (GHL) the URL is pasted into the provider's settings
 * and the trigger filters the events. The receiver's settings (verification keys) are
 * node parameters; events that carry only an id can be fetched whole.
 *
 * Polling trigger: one of the connector's feeds, its cursor kept in the node's static
 * data; the first check (at activation) starts watching from there.
 */
import type { CrmError, Feeds, Webhooks } from "@crmkit/core"
import { Effect } from "effect"
import {
  type IDataObject,
  type IHookFunctions,
  type ILoadOptionsFunctions,
  type INodeExecutionData,
  type INodeProperties,
  type INodePropertyOptions,
  type INodeType,
  type INodeTypeDescription,
  type IPollFunctions,
  type IWebhookFunctions,
  type IWebhookResponseData,
  NodeConnectionTypes,
} from "n8n-workflow"
import { icon } from "./ActionNode.ts"
import type { App } from "./App.ts"
import * as Credentials from "./Credentials.ts"
import { toNodeError } from "./NodeErrors.ts"
import * as Session from "./Session.ts"
import * as WebhookRequest from "./WebhookRequest.ts"

type Receiver = Webhooks.WebhookReceiver<any>

const receiverOf = (app: App): Receiver => {
  const receiver = app.runtime.webhooks
  if (receiver === undefined) throw new Error(`${app.connector.title} sends no webhooks`)
  return receiver
}

const settingProperty = (setting: Receiver["settings"][number], top: boolean): INodeProperties => {
  const base = {
    displayName: setting.title,
    name: setting.name,
    ...(setting.description === undefined ? {} : { description: setting.description }),
    ...(top && setting.required ? { required: true } : {}),
  }
  if (setting.choices?.length === 2 && setting.choices.includes("true") && setting.choices.includes("false")) {
    return {
      ...base,
      type: "boolean",
      default: setting.default !== "false",
      description: `Whether ${setting.title.toLowerCase()}`,
    }
  }
  if (setting.choices !== undefined) {
    return {
      ...base,
      type: "options",
      options: setting.choices.map((c) => ({ name: c, value: c })),
      default: setting.default ?? setting.choices[0] ?? "",
    }
  }
  if (setting.default !== undefined && /^\d+$/.test(setting.default)) {
    return { ...base, type: "number", default: Number(setting.default) }
  }
  return {
    ...base,
    type: "string",
    default: setting.default ?? "",
    typeOptions: setting.secret ? { password: true } : { rows: 4 },
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : undefined

/** The webhook trigger of an app: `export class KeapTrigger extends Triggers.webhook(keap) {}`. */
export const webhook = (app: App) => {
  const receiver = receiverOf(app)
  const subscribe = receiver.subscribe
  const subscribes = subscribe !== undefined
  const needsCredentials = subscribes || receiver.hydrate !== undefined || receiver.listEvents !== undefined
  const choice = Credentials.choice(app)
  const optional = receiver.settings.filter((s) => !s.required)
  const notice = app.words.trigger?.notice ?? (subscribes ? undefined : receiver.setup)
  const description: INodeTypeDescription = {
    displayName: `${app.connector.title} (crmkit) Trigger`,
    name: `${app.names.node}Trigger`,
    icon: icon(app, "../../"),
    group: ["trigger"],
    version: 1,
    subtitle: subscribes ? '={{$parameter["event"]}}' : '={{$parameter["events"].join(", ") || "All events"}}',
    description: `Starts the workflow when ${app.connector.title} sends a webhook, one item per event`,
    defaults: { name: `${app.connector.title} Trigger` },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    ...(needsCredentials ? { credentials: choice.credentials } : {}),
    webhooks: [{ name: "default", httpMethod: "POST", responseMode: "onReceived", path: "webhook" }],
    properties: [
      ...(needsCredentials ? [choice.property] : []),
      ...(notice === undefined ? [] : [{ displayName: notice, name: "notice", type: "notice", default: "" } as const]),
      subscribes
        ? {
            displayName: "Event Name or ID",
            name: "event",
            type: "options",
            typeOptions: { loadOptionsMethod: "getEvents" },
            default: "",
            required: true,
            description:
              'The event to subscribe to. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
          }
        : {
            displayName: "Events",
            name: "events",
            type: "multiOptions",
            options: receiver.events.map((event) => ({ name: event.title, value: event.name })),
            default: [],
            description: "Only these event types start the workflow; none selected means every event",
          },
      ...(receiver.hydrate === undefined
        ? []
        : [
            {
              displayName: "Fetch Full Objects",
              name: "hydrate",
              type: "boolean",
              default: false,
              description: `Whether to fetch each changed object (${app.connector.title} may send only IDs); deleted objects are skipped`,
            } as const,
          ]),
      ...receiver.settings.filter((s) => s.required).map((s) => settingProperty(s, true)),
      ...(optional.length === 0
        ? []
        : [
            {
              displayName: "Options",
              name: "options",
              type: "collection",
              placeholder: "Add Option",
              default: {},
              options: optional.map((s) => settingProperty(s, false)),
            } as const,
          ]),
    ],
  }
  const hooks = (context: IHookFunctions) => ({
    url: context.getNodeWebhookUrl("default") ?? "",
    event: context.getNodeParameter("event") as string,
    data: context.getWorkflowStaticData("node"),
    run: <A>(effect: Effect.Effect<A, CrmError, any>) =>
      Session.withSession(context, app, (s) => s.run(effect)).catch((error: unknown) => {
        throw toNodeError(context.getNode(), error)
      }),
  })
  const found = (event: string, url: string) => receiver.subscriptions?.(url, event)
  return class implements INodeType {
    description = description

    methods = {
      loadOptions: {
        async getEvents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
          const events =
            receiver.listEvents === undefined
              ? receiver.events
              : await Session.withSession(this, app, (s) => s.run(receiver.listEvents!)).catch((error: unknown) => {
                  throw toNodeError(this.getNode(), error)
                })
          return [...events]
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((event) => ({ name: event.title, value: event.name, description: event.name }))
        },
      },
    }

    webhookMethods = {
      default: {
        async checkExists(this: IHookFunctions): Promise<boolean> {
          if (!subscribes) return true
          const { url, event, data, run } = hooks(this)
          const find = found(event, url)
          if (find === undefined) return data.subscriptionId !== undefined
          const active = (await run(find)).find((s) => s.active)
          if (active === undefined) return false
          data.subscriptionId = active.id
          return true
        },
        async create(this: IHookFunctions): Promise<boolean> {
          if (!subscribes) return true
          const { url, event, data, run } = hooks(this)
          data.subscriptionId = (await run(subscribe!(url, event))).id
          return true
        },
        async delete(this: IHookFunctions): Promise<boolean> {
          if (receiver.unsubscribe === undefined) return true
          const { url, event, data, run } = hooks(this)
          const find = found(event, url)
          // The id saved at creation, or (if n8n did not keep it) the subscriptions on this URL.
          const ids =
            typeof data.subscriptionId === "string"
              ? [data.subscriptionId]
              : find === undefined
                ? []
                : (await run(find)).map((s) => s.id)
          await run(
            Effect.forEach(ids, (id) =>
              receiver.unsubscribe!(id).pipe(
                // Already gone on the provider's side: nothing left to delete.
                Effect.catchIf(
                  (error: CrmError) => error.reason._tag === "NotFound",
                  () => Effect.void,
                ),
              ),
            ),
          )
          delete data.subscriptionId
          return true
        },
      },
    }

    async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
      const options = this.getNodeParameter("options", {}) as IDataObject
      const settings = Object.fromEntries(
        receiver.settings.map((s) => [s.name, text(s.required ? this.getNodeParameter(s.name, "") : options[s.name])]),
      )
      const request = WebhookRequest.read(this)
      const received = await Effect.runPromise(
        receiver.make(settings)({
          method: request.method,
          headers: Object.fromEntries(
            Object.entries(request.headers).map(([name, value]) => [
              name.toLowerCase(),
              Array.isArray(value) ? value[0] : (value as string | undefined),
            ]),
          ),
          body: typeof request.body === "string" ? new TextEncoder().encode(request.body) : request.body,
        }),
      )
      if (received._tag !== "Delivered") return WebhookRequest.answer(this, received.response)
      const selected = subscribes ? [] : (this.getNodeParameter("events", []) as Array<string>)
      const wanted = received.events.filter((event) => selected.length === 0 || selected.includes(event.type))
      if (wanted.length === 0) {
        return WebhookRequest.answer(this, {
          ...received.response,
          body: JSON.stringify({ ignored: received.events[0]?.type }),
        })
      }
      const itemOf = (event: Webhooks.WebhookEvent, object?: unknown): IDataObject => {
        const data = (
          typeof event.data === "object" && event.data !== null ? event.data : { data: event.data }
        ) as IDataObject
        return {
          ...data,
          ...(event.id === undefined || event.id === text(data.id) ? {} : { eventId: event.id }),
          ...(object === undefined ? {} : { object: object as IDataObject }),
        }
      }
      let items: Array<IDataObject>
      if (receiver.hydrate !== undefined && (this.getNodeParameter("hydrate", false) as boolean)) {
        const hydrate = receiver.hydrate
        const found = await Session.withSession(this, app, (s) =>
          s.run(
            Effect.forEach(
              wanted,
              (event) =>
                hydrate(event).pipe(
                  Effect.map((object) => [itemOf(event, object)]),
                  Effect.catchIf(
                    (error: CrmError) => error.reason._tag === "NotFound",
                    () => Effect.succeed([]),
                  ),
                ),
              { concurrency: 4 },
            ),
          ),
        ).catch((error: unknown) => {
          throw toNodeError(this.getNode(), error)
        })
        items = found.flat()
      } else {
        items = wanted.map((event) => itemOf(event))
      }
      return WebhookRequest.answer(this, received.response, [this.helpers.returnJsonArray(items)])
    }
  }
}

/** The polling trigger of an app, over its feeds: `export class XPollingTrigger extends Triggers.polling(x) {}`. */
export const polling = (app: App) => {
  const feeds: ReadonlyArray<Feeds.Feed<any>> = app.runtime.feeds ?? []
  const choice = Credentials.choice(app)
  const description: INodeTypeDescription = {
    displayName: `${app.connector.title} (crmkit) Polling Trigger`,
    name: `${app.names.node}PollingTrigger`,
    icon: icon(app, "../../"),
    group: ["trigger"],
    version: 1,
    subtitle: '={{$parameter["feed"]}}',
    description: `Starts the workflow when ${app.connector.title} records are created or updated (checked on a schedule)`,
    defaults: { name: `${app.connector.title} Polling Trigger` },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: choice.credentials,
    properties: [
      choice.property,
      {
        displayName: "Watch",
        name: "feed",
        type: "options",
        options: [...feeds]
          .sort((a, b) => a.title.localeCompare(b.title))
          .map((feed) => ({ name: feed.title, value: feed.name, description: feed.description })),
        default: feeds[0]?.name ?? "",
      },
    ],
  }
  return class implements INodeType {
    description = description

    async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
      const state = this.getWorkflowStaticData("node")
      const manual = this.getMode() === "manual"
      const name = this.getNodeParameter("feed") as string
      const feed = feeds.find((f) => f.name === name)
      try {
        if (feed === undefined) throw new Error(`${app.connector.title} has no feed "${name}"`)
        const cursor = manual || typeof state.cursor !== "string" ? undefined : state.cursor
        const page = await Session.withSession(this, app, (session) =>
          session.run(feed.poll(cursor, { limit: manual ? 5 : undefined })),
        )
        const items = [this.helpers.returnJsonArray(page.records as Array<IDataObject>)]
        if (manual) return page.records.length === 0 ? null : items
        state.cursor = page.cursor
        // The first check (n8n runs one at activation) starts watching from there.
        return cursor === undefined || page.records.length === 0 ? null : items
      } catch (error) {
        throw toNodeError(this.getNode(), error)
      }
    }
  }
}

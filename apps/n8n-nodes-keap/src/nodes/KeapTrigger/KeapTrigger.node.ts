import type { CrmError } from "@crmkit/core"
import { Hooks } from "@crmkit/keap"
import { NodeErrors, Session, WebhookRequest } from "@crmkit/n8n-shared"
import { Effect, Stream } from "effect"
import {
  type IDataObject,
  type IHookFunctions,
  type ILoadOptionsFunctions,
  type INodePropertyOptions,
  type INodeType,
  type INodeTypeDescription,
  type IWebhookFunctions,
  type IWebhookResponseData,
  NodeConnectionTypes,
} from "n8n-workflow"
import { authenticationProperty, credentials } from "../../shared/authentication.ts"
import { API_KEY_CREDENTIAL, keap } from "../../shared/KeapProvider.ts"

const capitalise = (key: string) =>
  key
    .split(/[._]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(" ")

/**
 * Keap REST hooks: the hook is created when the workflow is activated (and verified through
 * the `X-Hook-Secret` handshake), deleted when it is deactivated. Each delivery batches up
 * to 1,000 object ids; every id becomes one item, optionally with the full object.
 */
export class KeapTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: "Keap (crmkit) Trigger",
    name: "keapTrigger",
    icon: { light: "file:../../icons/keap.svg", dark: "file:../../icons/keap.dark.svg" },
    group: ["trigger"],
    version: 1,
    subtitle: '={{$parameter["event"]}}',
    description: "Starts the workflow when Keap reports an event (REST hook), one item per changed object",
    defaults: { name: "Keap Trigger" },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials,
    webhooks: [{ name: "default", httpMethod: "POST", responseMode: "onReceived", path: "webhook" }],
    properties: [
      authenticationProperty,
      {
        displayName: "Event Name or ID",
        name: "event",
        type: "options",
        typeOptions: { loadOptionsMethod: "getEvents" },
        default: "",
        required: true,
        description:
          'The Keap event, e.g. contact.add. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      {
        displayName: "Fetch Full Objects",
        name: "hydrate",
        type: "boolean",
        default: false,
        description: "Whether to fetch each changed object (Keap only sends IDs); deleted objects are skipped",
      },
    ],
  }

  methods = {
    loadOptions: {
      async getEvents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        try {
          const keys = await Session.withSession(this, keap, API_KEY_CREDENTIAL, (session) =>
            session.run(Hooks.eventKeys()),
          )
          return [...keys].sort().map((key) => ({ name: capitalise(key), value: key, description: key }))
        } catch (error) {
          throw NodeErrors.toNodeError(this.getNode(), error)
        }
      },
    },
  }

  webhookMethods = {
    default: {
      async checkExists(this: IHookFunctions): Promise<boolean> {
        const url = this.getNodeWebhookUrl("default")
        const event = this.getNodeParameter("event") as string
        const data = this.getWorkflowStaticData("node")
        try {
          const hooks = await Session.withSession(this, keap, API_KEY_CREDENTIAL, (s) =>
            s.run(Hooks.forTarget(event, url ?? "")),
          )
          const found = hooks.find((h) => h.status === "Verified")
          if (found === undefined) return false
          data.hookKey = found.key
          return true
        } catch (error) {
          throw NodeErrors.toNodeError(this.getNode(), error)
        }
      },
      async create(this: IHookFunctions): Promise<boolean> {
        const url = this.getNodeWebhookUrl("default") as string
        const event = this.getNodeParameter("event") as string
        const data = this.getWorkflowStaticData("node")
        try {
          const hook = await Session.withSession(this, keap, API_KEY_CREDENTIAL, (s) =>
            s.run(
              Effect.flatMap(Hooks.create(event, url), (created) =>
                // Keap handshakes at once; if n8n was not answering yet, ask for it again.
                created.status === "Verified" ? Effect.succeed(created) : Hooks.verify(String(created.key)),
              ),
            ),
          )
          data.hookKey = hook.key
          return true
        } catch (error) {
          throw NodeErrors.toNodeError(this.getNode(), error)
        }
      },
      async delete(this: IHookFunctions): Promise<boolean> {
        const url = this.getNodeWebhookUrl("default")
        const event = this.getNodeParameter("event") as string
        const data = this.getWorkflowStaticData("node")
        try {
          await Session.withSession(this, keap, API_KEY_CREDENTIAL, (s) =>
            s.run(
              // The key saved at creation, or (if n8n did not keep it) the hooks on this URL.
              Effect.flatMap(
                data.hookKey === undefined
                  ? Effect.map(Hooks.forTarget(event, url ?? ""), (hooks) => hooks.map((h) => String(h.key)))
                  : Effect.succeed([String(data.hookKey)]),
                (keys) =>
                  Effect.forEach(keys, (key) =>
                    Hooks.remove(key).pipe(
                      // Already gone on Keap's side: nothing left to delete.
                      Effect.catchIf(
                        (error: CrmError) => error.reason._tag === "NotFound",
                        () => Effect.void,
                      ),
                    ),
                  ),
              ),
            ),
          )
        } catch (error) {
          throw NodeErrors.toNodeError(this.getNode(), error)
        }
        delete data.hookKey
        return true
      },
    },
  }

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const received = Hooks.handle(WebhookRequest.read(this))
    if (received._tag !== "Delivery") return WebhookRequest.answer(this, received.response)
    const delivery = received.delivery
    const base = (key: Hooks.ObjectKey): IDataObject => ({
      eventKey: delivery.event_key,
      objectType: delivery.object_type ?? delivery.event_key.split(".")[0] ?? null,
      id: key.id,
      timestamp: key.timestamp ?? null,
      apiUrl: key.apiUrl ?? null,
    })
    let items: Array<IDataObject>
    if (this.getNodeParameter("hydrate", false) as boolean) {
      const found = await Session.withSession(this, keap, API_KEY_CREDENTIAL, (s) =>
        s.run(Stream.runCollect(Hooks.hydrate(delivery))),
      ).catch((error: unknown) => {
        throw NodeErrors.toNodeError(this.getNode(), error)
      })
      items = found.map(({ key, object }) => ({ ...base(key), object: object as IDataObject }))
    } else {
      items = delivery.object_keys.map(base)
    }
    return WebhookRequest.answer(this, received.response, [this.helpers.returnJsonArray(items)])
  }
}

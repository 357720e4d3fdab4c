import { GhlWebhooks } from "@crmkit/ghl"
import { WebhookRequest } from "@crmkit/n8n-shared"
import { Effect } from "effect"
import {
  type IDataObject,
  type IHookFunctions,
  type INodeType,
  type INodeTypeDescription,
  type IWebhookFunctions,
  type IWebhookResponseData,
  NodeConnectionTypes,
} from "n8n-workflow"

// The event list, the verification and the refusal statuses are the connector's receiver's.
const receiver = GhlWebhooks.receiver

const text = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : undefined

/**
 * HighLevel webhooks (set the URL in your Marketplace app's webhook settings): verifies
 * `x-ghl-signature` (Ed25519) or the legacy `x-wh-signature` (RSA) over the raw body with
 * HighLevel's published keys, refuses deliveries older than the tolerance and repeated
 * webhook ids, and starts the workflow with the event.
 */
export class HighLevelTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: "HighLevel (crmkit) Trigger",
    name: "highLevelTrigger",
    icon: { light: "file:../../icons/highlevel.svg", dark: "file:../../icons/highlevel.dark.svg" },
    group: ["trigger"],
    version: 1,
    subtitle: '={{$parameter["events"].join(", ") || "All events"}}',
    description: "Starts the workflow when HighLevel sends a signed webhook (contacts, opportunities, appointments...)",
    defaults: { name: "HighLevel Trigger" },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    webhooks: [{ name: "default", httpMethod: "POST", responseMode: "onReceived", path: "webhook" }],
    properties: [
      {
        displayName:
          "Paste this node's webhook URL into your HighLevel Marketplace app (Advanced Settings → Webhooks) and choose the events there",
        name: "notice",
        type: "notice",
        default: "",
      },
      {
        displayName: "Events",
        name: "events",
        type: "multiOptions",
        options: receiver.events.map((event) => ({ name: event.name, value: event.name })),
        default: [],
        description: "Only these event types start the workflow; none selected means every event",
      },
      {
        displayName: "Options",
        name: "options",
        type: "collection",
        placeholder: "Add Option",
        default: {},
        options: [
          {
            displayName: "Accept Legacy Signatures",
            name: "acceptLegacy",
            type: "boolean",
            default: true,
            description: "Whether deliveries signed only with the legacy x-wh-signature (RSA) are accepted",
          },
          {
            displayName: "Ed25519 Public Key (PEM)",
            name: "ed25519Key",
            type: "string",
            typeOptions: { rows: 4 },
            default: "",
            description: "Overrides HighLevel's published key for x-ghl-signature, e.g. after a key rotation",
          },
          {
            displayName: "RSA Public Key (PEM)",
            name: "rsaKey",
            type: "string",
            typeOptions: { rows: 4 },
            default: "",
            description: "Overrides HighLevel's published key for the legacy x-wh-signature",
          },
          {
            displayName: "Tolerance (Seconds)",
            name: "toleranceSeconds",
            type: "number",
            default: 300,
            description: "Deliveries whose timestamp is further than this from now are refused as stale",
          },
        ],
      },
    ],
  }

  // HighLevel has no API to subscribe a URL: the Marketplace app's settings hold it. So
  // activation registers nothing remotely, and deactivation has nothing to remove.
  webhookMethods = {
    default: {
      async checkExists(this: IHookFunctions): Promise<boolean> {
        return true
      },
      async create(this: IHookFunctions): Promise<boolean> {
        return true
      },
      async delete(this: IHookFunctions): Promise<boolean> {
        return true
      },
    },
  }

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const options = this.getNodeParameter("options", {}) as IDataObject
    const events = this.getNodeParameter("events", []) as Array<string>
    const receive = receiver.make({
      ed25519Key: text(options.ed25519Key),
      rsaKey: text(options.rsaKey),
      acceptLegacy: text(options.acceptLegacy),
      toleranceSeconds: text(options.toleranceSeconds),
    })
    const request = WebhookRequest.read(this)
    const received = await Effect.runPromise(
      receive({
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
    const wanted = received.events.filter((event) => events.length === 0 || events.includes(event.type))
    if (wanted.length === 0) {
      return WebhookRequest.answer(this, {
        ...received.response,
        body: JSON.stringify({ ignored: received.events[0]?.type }),
      })
    }
    const items = wanted.map((event) => ({ ...(event.data as IDataObject), webhookId: event.id ?? null }))
    return WebhookRequest.answer(this, received.response, [this.helpers.returnJsonArray(items)])
  }
}

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

const EVENTS = [
  "AppointmentCreate",
  "AppointmentDelete",
  "AppointmentUpdate",
  "ContactCreate",
  "ContactDelete",
  "ContactDndUpdate",
  "ContactTagUpdate",
  "ContactUpdate",
  "InboundMessage",
  "NoteCreate",
  "NoteDelete",
  "NoteUpdate",
  "OpportunityCreate",
  "OpportunityDelete",
  "OpportunityStageUpdate",
  "OpportunityStatusUpdate",
  "OpportunityUpdate",
  "OutboundMessage",
  "TaskComplete",
  "TaskCreate",
  "TaskDelete",
]

/** HTTP answers per refusal: GHL retries 5xx and 429 only, so refusals are 4xx (a replay is acknowledged). */
const refusalStatus: Record<GhlWebhooks.WebhookError["reason"], number> = {
  MissingSignature: 401,
  BadSignature: 401,
  Stale: 400,
  Malformed: 400,
  Replayed: 200,
}

// One replay window per n8n process, shared by every workflow using this trigger.
const replayGuard = GhlWebhooks.memoryReplayGuard()

const reply = (status: number, body: unknown) => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
})

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value : undefined

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
        options: EVENTS.map((event) => ({ name: event, value: event })),
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
    const verify = GhlWebhooks.verifier({
      keys: {
        ed25519: nonEmpty(options.ed25519Key),
        rsa: options.acceptLegacy === false ? null : nonEmpty(options.rsaKey),
      },
      toleranceMillis: (typeof options.toleranceSeconds === "number" ? options.toleranceSeconds : 300) * 1000,
      replay: replayGuard,
    })
    const request = WebhookRequest.read(this)
    const result = await Effect.runPromise(Effect.result(verify(request.body, request.headers)))
    if (result._tag === "Failure") {
      const refusal = result.failure
      return WebhookRequest.answer(
        this,
        reply(refusalStatus[refusal.reason], { error: refusal.reason, message: refusal.message }),
      )
    }
    const { event, webhookId, scheme } = result.success
    if (events.length > 0 && !events.includes(event.payload.type)) {
      return WebhookRequest.answer(this, reply(200, { ignored: event.payload.type }))
    }
    const item: IDataObject = {
      ...(event.payload as IDataObject),
      kind: event.kind,
      webhookId: webhookId ?? null,
      verifiedWith: scheme,
    }
    return WebhookRequest.answer(this, reply(200, { received: true }), [this.helpers.returnJsonArray([item])])
  }
}

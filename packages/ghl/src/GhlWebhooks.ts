/**
 * GHL webhooks: signature verification, replay protection and typed events.
 *
 * - `x-ghl-signature`: Ed25519 over the raw request body, base64 (the current scheme).
 * - `x-wh-signature`: RSA-SHA256 over the raw body, base64 (legacy, being retired).
 *
 * A delivery is refused when neither signature verifies, when its `timestamp` is further
 * than the tolerance (5 minutes) from now, or when its `webhookId` was already accepted.
 * Documented event types decode into typed payloads; other types pass through as
 * `{ kind: "Unknown" }` events carrying the raw payload.
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto"
import type { Webhooks } from "@crmkit/core"
import { Clock, Effect, Schema } from "effect"

/**
 * GHL's published verification keys. The RSA key is the one in GHL's Webhook
 * Authentication guide (docs/oauth/WebhookAuthentication.md); the Ed25519 key is the
 * one the Webhook Integration Guide publishes (as quoted by many integrations).
 * Override both through `VerifyOptions.keys` when GHL rotates them.
 */
export const publishedKeys = {
  ed25519:
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=\n-----END PUBLIC KEY-----\n",
  rsa:
    "-----BEGIN PUBLIC KEY-----\n" +
    "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC\n" +
    "Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6\n" +
    "dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB\n" +
    "csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv\n" +
    "uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF\n" +
    "3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU\n" +
    "J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp\n" +
    "IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN\n" +
    "h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC\n" +
    "HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ\n" +
    "PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk\n" +
    "T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==\n" +
    "-----END PUBLIC KEY-----\n",
} as const

export interface WebhookKeys {
  /** PEM (SPKI) of the Ed25519 key for `x-ghl-signature`. */
  readonly ed25519?: string | undefined
  /** PEM (SPKI) of the RSA key for `x-wh-signature`; `null` refuses legacy signatures. */
  readonly rsa?: string | null | undefined
}

export class WebhookError extends Schema.TaggedError<WebhookError>()("GhlWebhookError", {
  reason: Schema.Literals(["MissingSignature", "BadSignature", "Stale", "Replayed", "Malformed"]),
  message: Schema.String,
}) {}

/** Remembers accepted webhook ids for a while, to refuse redeliveries of the same message. */
export interface ReplayGuard {
  /** True when the id is new (and records it); false when it was seen within the window. */
  readonly claim: (webhookId: string, now: number) => boolean
}

export const memoryReplayGuard = (windowMillis = 10 * 60_000): ReplayGuard => {
  const seen = new Map<string, number>()
  return {
    claim: (webhookId, now) => {
      for (const [id, at] of seen) {
        if (now - at <= windowMillis) break
        seen.delete(id)
      }
      if (seen.has(webhookId)) return false
      seen.set(webhookId, now)
      return true
    },
  }
}

export interface VerifyOptions {
  readonly keys?: WebhookKeys | undefined
  /** How far `timestamp` may be from now. Default 5 minutes. */
  readonly toleranceMillis?: number | undefined
  /** Default: one in-memory guard per `verifier`. */
  readonly replay?: ReplayGuard | undefined
}

// --- Events ---------------------------------------------------------------------------------

const Rest = [Schema.Record(Schema.String, Schema.Unknown)] as const
const Str = Schema.optionalKey(Schema.NullOr(Schema.String))
const documentedTypes: Array<string> = []
const family = <T extends ReadonlyArray<string>, F extends Schema.Struct.Fields>(types: T, fields: F) => {
  documentedTypes.push(...types)
  return Schema.StructWithRest(Schema.Struct({ type: Schema.Literals(types), ...fields }), Rest)
}

export const ContactEvent = family(
  ["ContactCreate", "ContactUpdate", "ContactDelete", "ContactDndUpdate", "ContactTagUpdate"],
  {
    id: Schema.String,
    locationId: Schema.String,
    email: Str,
    phone: Str,
    firstName: Str,
    lastName: Str,
    tags: Schema.optionalKey(Schema.Array(Schema.String)),
  },
)
export const OpportunityEvent = family(
  [
    "OpportunityCreate",
    "OpportunityUpdate",
    "OpportunityDelete",
    "OpportunityAssignedToUpdate",
    "OpportunityMonetaryValueUpdate",
    "OpportunityStageUpdate",
    "OpportunityStatusUpdate",
  ],
  {
    id: Schema.String,
    locationId: Schema.String,
    pipelineId: Str,
    pipelineStageId: Str,
    status: Str,
    contactId: Str,
    monetaryValue: Schema.optionalKey(Schema.NullOr(Schema.Number)),
  },
)
export const AppointmentEvent = family(["AppointmentCreate", "AppointmentUpdate", "AppointmentDelete"], {
  locationId: Schema.String,
  appointment: Schema.StructWithRest(
    Schema.Struct({ id: Schema.String, calendarId: Str, contactId: Str, startTime: Str, endTime: Str }),
    Rest,
  ),
})
export const TaskEvent = family(["TaskCreate", "TaskComplete", "TaskDelete"], {
  id: Schema.String,
  locationId: Schema.String,
  contactId: Str,
  title: Str,
  completed: Schema.optionalKey(Schema.Boolean),
})
export const NoteEvent = family(["NoteCreate", "NoteUpdate", "NoteDelete"], {
  id: Schema.String,
  locationId: Schema.String,
  contactId: Str,
  body: Str,
})
export const MessageEvent = family(["InboundMessage", "OutboundMessage"], {
  locationId: Schema.String,
  messageId: Str,
  conversationId: Str,
  contactId: Str,
  messageType: Str,
  direction: Str,
  body: Str,
})
export const AppEvent = family(["INSTALL", "UNINSTALL"], {
  appId: Schema.String,
  installType: Str,
  locationId: Str,
  companyId: Str,
})

const families = [
  ["Contact", ContactEvent],
  ["Opportunity", OpportunityEvent],
  ["Appointment", AppointmentEvent],
  ["Task", TaskEvent],
  ["Note", NoteEvent],
  ["Message", MessageEvent],
  ["App", AppEvent],
] as const

export type GhlWebhookEvent =
  | { readonly kind: "Contact"; readonly payload: typeof ContactEvent.Type }
  | { readonly kind: "Opportunity"; readonly payload: typeof OpportunityEvent.Type }
  | { readonly kind: "Appointment"; readonly payload: typeof AppointmentEvent.Type }
  | { readonly kind: "Task"; readonly payload: typeof TaskEvent.Type }
  | { readonly kind: "Note"; readonly payload: typeof NoteEvent.Type }
  | { readonly kind: "Message"; readonly payload: typeof MessageEvent.Type }
  | { readonly kind: "App"; readonly payload: typeof AppEvent.Type }
  | { readonly kind: "Unknown"; readonly payload: { readonly type: string } & Readonly<Record<string, unknown>> }

/** Decodes a (verified) payload into a typed event; unknown types pass through. */
export const decodeEvent = (payload: unknown): Effect.Effect<GhlWebhookEvent, WebhookError> => {
  const type = (payload as { type?: unknown } | null)?.type
  if (typeof type !== "string")
    return Effect.fail(new WebhookError({ reason: "Malformed", message: "the payload has no `type`" }))
  for (const [kind, schema] of families) {
    if (!(schema.schema.fields.type.literals as ReadonlyArray<string>).includes(type)) continue
    return Schema.decodeUnknownEffect(schema as Schema.Codec<unknown, unknown>)(payload).pipe(
      Effect.map((decoded) => ({ kind, payload: decoded }) as GhlWebhookEvent),
      Effect.mapError(
        (error) =>
          new WebhookError({ reason: "Malformed", message: `${type}: ${String(error.message).slice(0, 300)}` }),
      ),
    )
  }
  return Effect.succeed({ kind: "Unknown", payload: payload as { type: string } })
}

// --- Verification ---------------------------------------------------------------------------

const header = (headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>, name: string) => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : (value as string | undefined)
  }
  return undefined
}

const keyCache = new Map<string, KeyObject>()
const publicKey = (pem: string): KeyObject => {
  let key = keyCache.get(pem)
  if (key === undefined) {
    key = createPublicKey(pem)
    keyCache.set(pem, key)
  }
  return key
}

/** Checks the signature headers against the raw body; true when one verifies. */
export const verifySignature = (
  rawBody: Uint8Array | string,
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  keys: WebhookKeys = {},
): { readonly ok: boolean; readonly scheme?: "ed25519" | "rsa"; readonly message: string } => {
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody)
  const modern = header(headers, "x-ghl-signature")
  const legacy = header(headers, "x-wh-signature")
  if (modern === undefined && legacy === undefined)
    return { ok: false, message: "no x-ghl-signature or x-wh-signature header" }
  try {
    if (modern !== undefined) {
      const ok = cryptoVerify(null, body, publicKey(keys.ed25519 ?? publicKeys.ed25519), Buffer.from(modern, "base64"))
      if (ok) return { ok, scheme: "ed25519", message: "x-ghl-signature verified" }
    }
    const rsa = keys.rsa === undefined ? publicKeys.rsa : keys.rsa
    if (legacy !== undefined && rsa !== null) {
      const ok = cryptoVerify("sha256", body, publicKey(rsa), Buffer.from(legacy, "base64"))
      if (ok) return { ok, scheme: "rsa", message: "x-wh-signature verified" }
    }
  } catch (error) {
    return { ok: false, message: `signature could not be checked: ${(error as Error).message}` }
  }
  return { ok: false, message: "the signature does not match the body" }
}

const publicKeys = publishedKeys

export interface VerifiedWebhook {
  readonly event: GhlWebhookEvent
  readonly webhookId: string | undefined
  readonly scheme: "ed25519" | "rsa"
}

/**
 * A verifier that keeps its replay window between deliveries: verify the signature over
 * the raw body, refuse stale timestamps and repeated webhook ids, decode the event.
 */
export const verifier = (options: VerifyOptions = {}) => {
  const replay = options.replay ?? memoryReplayGuard()
  const tolerance = options.toleranceMillis ?? 5 * 60_000
  return (
    rawBody: Uint8Array | string,
    headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  ): Effect.Effect<VerifiedWebhook, WebhookError> =>
    Effect.gen(function* () {
      const signature = verifySignature(rawBody, headers, options.keys)
      if (!signature.ok || signature.scheme === undefined) {
        const missing =
          header(headers, "x-ghl-signature") === undefined && header(headers, "x-wh-signature") === undefined
        return yield* new WebhookError({
          reason: missing ? "MissingSignature" : "BadSignature",
          message: signature.message,
        })
      }
      const text = typeof rawBody === "string" ? rawBody : Buffer.from(rawBody).toString("utf8")
      const payload = yield* Effect.try({
        try: () => JSON.parse(text) as Record<string, unknown>,
        catch: () => new WebhookError({ reason: "Malformed", message: "the body is not JSON" }),
      })
      const now = yield* Clock.currentTimeMillis
      const stamp =
        typeof payload.timestamp === "string" || typeof payload.timestamp === "number"
          ? Date.parse(String(payload.timestamp))
          : Number.NaN
      const at = Number.isNaN(stamp) && typeof payload.timestamp === "number" ? payload.timestamp : stamp
      if (!Number.isFinite(at))
        return yield* new WebhookError({ reason: "Stale", message: "the payload has no valid timestamp" })
      if (Math.abs(now - at) > tolerance)
        return yield* new WebhookError({
          reason: "Stale",
          message: `timestamp ${String(payload.timestamp)} is ${Math.round(Math.abs(now - at) / 1000)} s away from now`,
        })
      const webhookId = typeof payload.webhookId === "string" ? payload.webhookId : undefined
      const event = yield* decodeEvent(payload)
      if (webhookId !== undefined && !replay.claim(webhookId, now))
        return yield* new WebhookError({ reason: "Replayed", message: `webhook ${webhookId} was already delivered` })
      return { event, webhookId, scheme: signature.scheme }
    })
}

// --- The connector's receiver ---------------------------------------------------------------

/** Every event type GHL documents, in the order of the families above. */
export const eventTypes: ReadonlyArray<string> = documentedTypes

/**
 * What a refusal answers: GHL retries 5xx and 429 only, so a refusal is a 4xx (it is not
 * retried, and shows as failed in the app's logs); a replay is acknowledged with 200 so
 * that GHL stops resending what was already processed.
 */
export const refusalStatus: Readonly<Record<WebhookError["reason"], number>> = {
  MissingSignature: 401,
  BadSignature: 401,
  Stale: 400,
  Malformed: 400,
  Replayed: 200,
}

const json = { "content-type": "application/json" }

// One replay window per process, shared by every receiver (a replay is one whatever the settings).
const sharedReplayGuard = memoryReplayGuard()

const words = (type: string) => type.replace(/([a-z])([A-Z])/g, "$1 $2")

const present = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : value)

/** GHL webhooks as the connector's receiver: every host verifies and answers the same way. */
export const receiver: Webhooks.WebhookReceiver = {
  events: eventTypes.map((type) => ({ name: type, title: words(type) })),
  // GHL's API registers no webhook URLs: a Marketplace app's settings do.
  setup:
    "Paste the webhook URL into your HighLevel Marketplace app (Advanced Settings → Webhooks) and choose the events there",
  settings: [
    {
      name: "ed25519Key",
      title: "Ed25519 Public Key",
      description: "PEM of the key for x-ghl-signature; default: GHL's published key",
      secret: false,
      required: false,
    },
    {
      name: "rsaKey",
      title: "RSA Public Key (Legacy)",
      description: "PEM of the key for the legacy x-wh-signature; default: GHL's published key",
      secret: false,
      required: false,
    },
    {
      name: "acceptLegacy",
      title: "Accept Legacy Signatures",
      description: "Whether deliveries signed only with the legacy RSA scheme are accepted",
      secret: false,
      required: false,
      choices: ["true", "false"],
      default: "true",
    },
    {
      name: "toleranceSeconds",
      title: "Timestamp Tolerance (Seconds)",
      description: "How far a delivery's timestamp may be from now",
      secret: false,
      required: false,
      default: "300",
    },
  ],
  make: (settings) => {
    const tolerance = Number(present(settings.toleranceSeconds) ?? 300)
    const verify = verifier({
      keys: {
        ed25519: present(settings.ed25519Key),
        rsa: settings.acceptLegacy === "false" ? null : present(settings.rsaKey),
      },
      toleranceMillis: (Number.isFinite(tolerance) && tolerance > 0 ? tolerance : 300) * 1000,
      replay: sharedReplayGuard,
    })
    return (request) =>
      verify(request.body, request.headers).pipe(
        Effect.match({
          onSuccess: (verified): Webhooks.Received => ({
            _tag: "Delivered",
            response: { status: 200, headers: json, body: JSON.stringify({ received: true }) },
            events: [
              {
                type: verified.event.payload.type,
                id: verified.webhookId,
                data: { ...verified.event.payload, kind: verified.event.kind, verifiedWith: verified.scheme },
              },
            ],
          }),
          onFailure: (error): Webhooks.Received => ({
            _tag: "Refused",
            reason: `${error.reason}: ${error.message}`,
            response: {
              status: refusalStatus[error.reason],
              headers: json,
              body: JSON.stringify({ error: error.reason, message: error.message }),
            },
          }),
        }),
      )
  },
}

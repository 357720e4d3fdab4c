/**
 * Keap's REST hooks as the connector's receiver: the `X-Hook-Secret` handshake, batched
 * deliveries (one event per changed object), subscription through the hooks API, and the
 * full object behind a delivered id. Keap signs nothing (see `Hooks`): hosts should put an
 * unguessable token in the hook URL.
 */
import { CrmErrors, type Webhooks } from "@crmkit/core"
import { Effect } from "effect"
import type { KeapClient } from "./KeapClient.ts"
import * as Hooks from "./services/Hooks.ts"

/**
 * The event keys a third-party list gives (apis-research §2.6); the authoritative list is
 * the account's (`listEvents`, `GET /v1/hooks/event_keys`).
 */
const knownEvents = [
  ...["add", "delete", "edit"].map((verb) => `appointment.${verb}`),
  ...["add", "delete", "edit"].map((verb) => `company.${verb}`),
  ...["add", "delete", "edit"].map((verb) => `contact.${verb}`),
  ...["add", "applied", "delete", "edit", "removed"].map((verb) => `contactGroup.${verb}`),
  ...["add", "delete", "edit"].map((verb) => `invoice.${verb}`),
  ...["add", "delete", "edit"].map((verb) => `invoice.payment.${verb}`),
  ...["add", "delete", "edit"].map((verb) => `leadsource.${verb}`),
  ...["add", "delete", "edit"].map((verb) => `note.${verb}`),
  ...["add", "delete", "edit", "stage_move"].map((verb) => `opportunity.${verb}`),
  ...["add", "delete", "edit"].map((verb) => `order.${verb}`),
  ...["add", "delete", "edit"].map((verb) => `product.${verb}`),
  ...["add", "delete", "edit"].map((verb) => `subscription.${verb}`),
  ...["add", "complete", "delete", "edit", "incomplete"].map((verb) => `task.${verb}`),
  ...["activate", "add", "edit"].map((verb) => `user.${verb}`),
]

const title = (key: string) =>
  key
    .split(/[._]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(" ")

const eventType = (name: string): Webhooks.EventType => ({ name, title: title(name) })

const objectTypeOf = (eventKey: string, objectType?: string | null) =>
  (objectType ?? eventKey.split(".")[0] ?? "").toLowerCase()

export const receiver: Webhooks.WebhookReceiver<KeapClient> = {
  events: knownEvents.map(eventType),
  listEvents: Effect.map(Hooks.eventKeys(), (keys) => keys.map(eventType)),
  settings: [],
  make: () => (request) =>
    Effect.sync((): Webhooks.Received => {
      const received = Hooks.handle(request)
      switch (received._tag) {
        case "Handshake":
          return { _tag: "Handshake", response: received.response }
        case "Rejected":
          return { _tag: "Refused", reason: received.reason, response: received.response }
        case "Delivery": {
          const { event_key, object_type, object_keys } = received.delivery
          return {
            _tag: "Delivered",
            response: received.response,
            events: object_keys.map((key) => ({
              type: event_key,
              id: String(key.id),
              data: { ...key, eventKey: event_key, objectType: objectTypeOf(event_key, object_type) },
            })),
          }
        }
      }
    }),
  unsubscribe: (id) => Hooks.remove(id),
  hydrate: (event) => {
    const data = event.data as { readonly objectType?: string } | undefined
    const fetcher = Hooks.fetcherOf(objectTypeOf(event.type, data?.objectType))
    if (fetcher === undefined || event.id === undefined) {
      return Effect.fail(
        CrmErrors.invalidInput("keap", [
          {
            field: "event",
            message: `cannot fetch '${event.type}' objects; supported: ${Hooks.hydratableTypes.join(", ")}`,
          },
        ]),
      )
    }
    return fetcher(event.id)
  },
  // Keap handshakes at once; if the host was not answering yet, it asks for the handshake again
  // (a new secret), unless the host confirms the first one late (`confirm`).
  subscribe: (url, event, options) =>
    Effect.map(
      Effect.flatMap(Hooks.create(event, url), (hook) =>
        hook.status === "Verified" || options?.confirmsLater === true
          ? Effect.succeed(hook)
          : Hooks.verify(String(hook.key)),
      ),
      (hook) => ({ id: String(hook.key) }),
    ),
  subscriptions: (url, event) =>
    Effect.map(Hooks.forTarget(event, url), (hooks) =>
      hooks.map((hook) => ({ id: String(hook.key), active: hook.status === "Verified" })),
    ),
  // For hosts that cannot echo `X-Hook-Secret` in time (Zapier): the hook is verified late,
  // found by its URL when the host has not stored its key yet.
  confirm: (subscription, handshake, hook) =>
    Effect.gen(function* () {
      const secret = handshake.headers["X-Hook-Secret"]
      if (secret === undefined) return
      const key =
        subscription ??
        (hook.url === undefined
          ? undefined
          : (yield* Hooks.forTarget(hook.event, hook.url)).find((h) => h.status === "Unverified")?.key)
      if (key !== undefined) yield* Hooks.delayedVerify(String(key), secret)
    }),
}

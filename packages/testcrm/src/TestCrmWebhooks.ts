/**
 * TestCRM's webhooks: each delivery is one event, signed with HMAC-SHA256 of the raw body
 * under the account's signing secret (`x-testcrm-signature: sha256=<hex>`).
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import type { Webhooks } from "@crmkit/core"
import { Effect } from "effect"

const json = { "content-type": "application/json" }
const refuse = (status: number, reason: string): Webhooks.Received => ({
  _tag: "Refused",
  reason,
  response: { status, headers: json, body: JSON.stringify({ error: reason }) },
})

export const sign = (secret: string, body: Uint8Array | string) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`

export const receiver: Webhooks.WebhookReceiver = {
  events: [
    { name: "deal.created", title: "Deal Created" },
    { name: "deal.updated", title: "Deal Updated" },
  ],
  settings: [
    {
      name: "signingSecret",
      title: "Signing Secret",
      description: "The account's webhook signing secret",
      secret: true,
      required: true,
    },
  ],
  make: (settings) => (request) =>
    Effect.sync(() => {
      const secret = settings.signingSecret
      if (secret === undefined || secret === "") return refuse(500, "no signing secret is configured")
      const given = request.headers["x-testcrm-signature"] ?? ""
      const expected = sign(secret, request.body)
      const matches = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
      if (!matches) return refuse(401, "the signature does not match the body")
      let event: { type?: unknown; id?: unknown; data?: unknown }
      try {
        event = JSON.parse(new TextDecoder().decode(request.body))
      } catch {
        return refuse(400, "the body is not JSON")
      }
      if (typeof event.type !== "string") return refuse(400, "the event has no type")
      return {
        _tag: "Delivered",
        response: { status: 200, headers: json, body: "{}" },
        events: [{ type: event.type, id: typeof event.id === "string" ? event.id : undefined, data: event.data }],
      }
    }),
}

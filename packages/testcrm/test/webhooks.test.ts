import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { receiver, sign } from "../src/TestCrmWebhooks.ts"

const secret = "whsec_test_only_0000"
const request = (body: string, signature?: string) => ({
  method: "POST",
  headers: signature === undefined ? {} : { "x-testcrm-signature": signature },
  body: new TextEncoder().encode(body),
})
const receive = (settings: Record<string, string | undefined>, body: string, signature?: string) =>
  Effect.runPromise(receiver.make(settings)(request(body, signature)))

describe("TestCRM webhooks", () => {
  it("delivers a correctly signed event", async () => {
    const body = JSON.stringify({ type: "deal.created", id: "evt_1", data: { id: "d1" } })
    const received = await receive({ signingSecret: secret }, body, sign(secret, body))
    expect(received).toMatchObject({ _tag: "Delivered", events: [{ type: "deal.created", id: "evt_1" }] })
  })

  it("refuses a missing or wrong signature, a body that is not JSON, and a receiver without a secret", async () => {
    const body = JSON.stringify({ type: "deal.created" })
    expect((await receive({ signingSecret: secret }, body)).response.status).toBe(401)
    expect((await receive({ signingSecret: secret }, body, sign("another", body))).response.status).toBe(401)
    expect((await receive({ signingSecret: secret }, "{no", sign(secret, "{no"))).response.status).toBe(400)
    const unset = await receive({}, body, sign(secret, body))
    expect(unset).toMatchObject({ _tag: "Refused", reason: "no signing secret is configured" })
  })
})

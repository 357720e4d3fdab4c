import { createPublicKey } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { GhlWebhooks } from "../src/index.ts"
import { useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 1, rateLimits: false })

const verifierForSandbox = () => GhlWebhooks.verifier({ keys: sandbox().ghl.webhooks.publicKeys })
const failureReason = async (effect: Effect.Effect<unknown, GhlWebhooks.WebhookError>) =>
  (await Effect.runPromise(Effect.flip(effect))).reason

const contactCreate = { type: "ContactCreate", id: "c1", locationId: "loc1", email: "a@example.com", tags: ["x"] }

describe("GHL webhooks", () => {
  it("accepts a valid x-ghl-signature (Ed25519) and decodes the event", async () => {
    const signed = sandbox().ghl.webhooks.sign(contactCreate, { legacy: "none" })
    const result = await Effect.runPromise(verifierForSandbox()(signed.body, signed.headers))
    expect(result.scheme).toBe("ed25519")
    expect(result.event.kind).toBe("Contact")
    expect(result.event.kind === "Contact" && result.event.payload.email).toBe("a@example.com")
  })

  it("accepts a legacy x-wh-signature (RSA-SHA256) alone", async () => {
    const signed = sandbox().ghl.webhooks.sign(
      { type: "TaskComplete", id: "t1", locationId: "loc1" },
      { legacy: "only" },
    )
    expect(signed.headers["x-ghl-signature"]).toBeUndefined()
    const result = await Effect.runPromise(verifierForSandbox()(Buffer.from(signed.body), signed.headers))
    expect(result.scheme).toBe("rsa")
    expect(result.event.kind).toBe("Task")
  })

  it("refuses a tampered body, a missing signature and the wrong key", async () => {
    const signed = sandbox().ghl.webhooks.sign(contactCreate)
    const tampered = signed.body.replace("a@example.com", "b@example.com")
    expect(await failureReason(verifierForSandbox()(tampered, signed.headers))).toBe("BadSignature")
    expect(await failureReason(verifierForSandbox()(signed.body, { "content-type": "application/json" }))).toBe(
      "MissingSignature",
    )
    // GHL's published keys (the defaults) do not verify the sandbox's signatures.
    expect(await failureReason(GhlWebhooks.verifier()(signed.body, signed.headers))).toBe("BadSignature")
  })

  it("refuses a stale timestamp", async () => {
    sandbox().clock.advance(-10 * 60_000)
    try {
      const signed = sandbox().ghl.webhooks.sign(contactCreate)
      expect(await failureReason(verifierForSandbox()(signed.body, signed.headers))).toBe("Stale")
    } finally {
      sandbox().clock.reset()
    }
  })

  it("refuses a replayed webhookId", async () => {
    const verify = verifierForSandbox()
    const signed = sandbox().ghl.webhooks.sign(contactCreate)
    await Effect.runPromise(verify(signed.body, signed.headers))
    expect(await failureReason(verify(signed.body, signed.headers))).toBe("Replayed")
  })

  it("decodes the documented families and passes unknown types through", async () => {
    const verify = verifierForSandbox()
    const kinds = []
    for (const event of [
      { type: "OpportunityStageUpdate", id: "o1", locationId: "l", pipelineStageId: "s2", monetaryValue: 100 },
      { type: "AppointmentCreate", locationId: "l", appointment: { id: "a1", calendarId: "cal" } },
      { type: "NoteCreate", id: "n1", locationId: "l", body: "hi" },
      { type: "InboundMessage", locationId: "l", messageType: "SMS", body: "hello" },
      { type: "OutboundMessage", locationId: "l", messageType: "Email" },
      { type: "INSTALL", appId: "app1", installType: "Location", locationId: "l" },
      { type: "UNINSTALL", appId: "app1", companyId: "c" },
      { type: "InvoicePaid", locationId: "l", id: "inv" },
    ]) {
      const signed = sandbox().ghl.webhooks.sign(event)
      kinds.push((await Effect.runPromise(verify(signed.body, signed.headers))).event.kind)
    }
    expect(kinds).toEqual(["Opportunity", "Appointment", "Note", "Message", "Message", "App", "App", "Unknown"])
    const malformed = sandbox().ghl.webhooks.sign({ type: "ContactCreate", locationId: "l" })
    expect(await failureReason(verify(malformed.body, malformed.headers))).toBe("Malformed")
  })

  it("ships GHL's published keys as defaults", () => {
    expect(createPublicKey(GhlWebhooks.publishedKeys.ed25519).asymmetricKeyType).toBe("ed25519")
    const rsa = createPublicKey(GhlWebhooks.publishedKeys.rsa)
    expect(rsa.asymmetricKeyType).toBe("rsa")
    expect(rsa.asymmetricKeyDetails?.modulusLength).toBe(4096)
  })

  it("verifies a signed delivery received over HTTP", async () => {
    const verify = verifierForSandbox()
    const received: Array<string> = []
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        void Effect.runPromiseExit(verify(Buffer.concat(chunks), request.headers)).then((exit) => {
          received.push(Exit.isSuccess(exit) ? exit.value.event.kind : "refused")
          response.statusCode = Exit.isSuccess(exit) ? 200 : 401
          response.end()
        })
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
      const delivery = await sandbox().ghl.webhooks.deliver(url, contactCreate)
      expect(delivery.status).toBe(200)
      const again = await fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body })
      expect(again.status).toBe(401)
      expect(received).toEqual(["Contact", "refused"])
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

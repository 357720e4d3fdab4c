/**
 * Signed GHL webhook delivery. The sandbox generates its own key pairs at start (an Ed25519
 * pair for `x-ghl-signature` and an RSA pair for the legacy `x-wh-signature`) and publishes
 * the public halves, so clients verify sandbox deliveries exactly as they verify GHL's.
 */
import { generateKeyPairSync, randomUUID, sign } from "node:crypto"
import type { SandboxClock } from "@crmkit/sandbox/clock"

export interface SignedWebhook {
  /** The raw body as sent: verify the signatures over these exact bytes. */
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

export interface WebhookDelivery extends SignedWebhook {
  readonly status: number
}

export class GhlWebhookSigner {
  /** PEM (SPKI) public keys to configure in the client instead of GHL's published ones. */
  readonly publicKeys: { readonly ed25519: string; readonly rsa: string }
  readonly #ed25519: ReturnType<typeof generateKeyPairSync>["privateKey"]
  readonly #rsa: ReturnType<typeof generateKeyPairSync>["privateKey"]
  readonly #clock: SandboxClock

  constructor(clock: SandboxClock) {
    this.#clock = clock
    const ed = generateKeyPairSync("ed25519")
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 })
    this.#ed25519 = ed.privateKey
    this.#rsa = rsa.privateKey
    this.publicKeys = {
      ed25519: ed.publicKey.export({ type: "spki", format: "pem" }).toString(),
      rsa: rsa.publicKey.export({ type: "spki", format: "pem" }).toString(),
    }
  }

  /**
   * Signs an event as GHL would: `timestamp` (now, on the sandbox clock) and `webhookId`
   * are added unless present; both signature headers are set unless `legacy` says otherwise.
   */
  sign(
    event: Readonly<Record<string, unknown>>,
    options: { readonly legacy?: "both" | "only" | "none" } = {},
  ): SignedWebhook {
    const body = JSON.stringify({
      timestamp: new Date(this.#clock.now()).toISOString(),
      webhookId: randomUUID(),
      ...event,
    })
    const bytes = Buffer.from(body, "utf8")
    const headers: Record<string, string> = { "content-type": "application/json" }
    const legacy = options.legacy ?? "both"
    if (legacy !== "only") headers["x-ghl-signature"] = sign(null, bytes, this.#ed25519).toString("base64")
    if (legacy !== "none") headers["x-wh-signature"] = sign("sha256", bytes, this.#rsa).toString("base64")
    return { body, headers }
  }

  /** Signs and POSTs an event to a webhook URL. */
  async deliver(
    url: string,
    event: Readonly<Record<string, unknown>>,
    options: { readonly legacy?: "both" | "only" | "none" } = {},
  ): Promise<WebhookDelivery> {
    const signed = this.sign(event, options)
    const response = await fetch(url, { method: "POST", headers: signed.headers, body: signed.body })
    await response.arrayBuffer()
    return { ...signed, status: response.status }
  }
}

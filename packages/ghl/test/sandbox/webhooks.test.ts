import { createPublicKey, verify } from "node:crypto"
import { describe, expect, it } from "vitest"
import { ghlHeaders, pitHeaders, readJson, sendJson, useSandbox } from "./support.ts"

describe("GHL signed webhooks", () => {
  const sandbox = useSandbox({ rateLimits: false })

  it("signs the raw body with Ed25519 and RSA-SHA256 keys generated at start", () => {
    const s = sandbox()
    const signed = s.ghl.webhooks.sign({ type: "ContactCreate", id: "c1", locationId: "l1" })
    const body = Buffer.from(signed.body)
    const payload = JSON.parse(signed.body)
    expect(payload.webhookId).toMatch(/^[0-9a-f-]{36}$/)
    expect(Math.abs(Date.parse(payload.timestamp) - s.clock.now())).toBeLessThan(1_000)
    const ed = createPublicKey(s.ghl.webhooks.publicKeys.ed25519)
    const rsa = createPublicKey(s.ghl.webhooks.publicKeys.rsa)
    expect(verify(null, body, ed, Buffer.from(signed.headers["x-ghl-signature"] as string, "base64"))).toBe(true)
    expect(verify("sha256", body, rsa, Buffer.from(signed.headers["x-wh-signature"] as string, "base64"))).toBe(true)
    const tampered = Buffer.from(signed.body.replace("c1", "c2"))
    expect(verify(null, tampered, ed, Buffer.from(signed.headers["x-ghl-signature"] as string, "base64"))).toBe(false)
  })

  it("can leave out either header", () => {
    const s = sandbox()
    expect(Object.keys(s.ghl.webhooks.sign({ type: "X" }, { legacy: "none" }).headers)).not.toContain("x-wh-signature")
    expect(Object.keys(s.ghl.webhooks.sign({ type: "X" }, { legacy: "only" }).headers)).not.toContain("x-ghl-signature")
  })
})

describe("GHL contact sub-resources", () => {
  const sandbox = useSandbox({ rateLimits: false, contacts: { keap: 1, ghl: 3 } })

  it("adds and removes tags, enforcing the write scope", async () => {
    const s = sandbox()
    const search = await readJson(
      await sendJson(
        `${s.ghl.baseUrl}/contacts/search`,
        "POST",
        { locationId: s.credentials.ghl.locationId, pageLimit: 1 },
        pitHeaders(s),
      ),
    )
    const id = search.contacts[0].id as string
    const added = await sendJson(`${s.ghl.baseUrl}/contacts/${id}/tags`, "POST", { tags: ["Gold"] }, pitHeaders(s))
    expect(added.status).toBe(201)
    expect((await readJson(added)).tags).toContain("gold")
    const readOnly = ghlHeaders(s.credentials.ghl.readOnlyPrivateIntegrationToken)
    const refused = await sendJson(`${s.ghl.baseUrl}/contacts/${id}/tags`, "DELETE", { tags: ["gold"] }, readOnly)
    expect(refused.status).toBe(401)
    expect((await readJson(refused)).message).toBe("The token is not authorized for this scope.")
    const bad = await sendJson(`${s.ghl.baseUrl}/contacts/${id}/tasks`, "POST", { title: "x" }, pitHeaders(s))
    expect(bad.status).toBe(422)
    expect((await readJson(bad)).message).toContain("completed must be a boolean value")
  })
})

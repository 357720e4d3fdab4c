import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Json, patHeaders, readJson, sendJson, useSandbox } from "./support.ts"

interface Hit {
  readonly path: string
  readonly secret: string | undefined
  readonly body: Json
}

describe("Keap REST hooks", () => {
  const sandbox = useSandbox({ rateLimits: false, contacts: { keap: 2_500 } })
  const hits: Hit[] = []
  let receiver: Server
  let url = ""

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const secret = req.headers["x-hook-secret"] as string | undefined
        const text = Buffer.concat(chunks).toString("utf8")
        hits.push({ path: req.url ?? "", secret, body: text === "" ? {} : (JSON.parse(text) as Json) })
        // `/silent` never echoes the secret; everything else does.
        const headers: Record<string, string> =
          secret !== undefined && req.url !== "/silent" ? { "X-Hook-Secret": secret } : {}
        res.writeHead(200, headers).end("{}")
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())))

  const api = (path: string) => `${sandbox().keap.baseUrl}${path}`
  const create = (eventKey: string, hookUrl: string) =>
    sendJson(api("/v1/hooks"), "POST", { eventKey, hookUrl }, patHeaders(sandbox()))

  it("validates subscriptions in the v1 error shape", async () => {
    const bad = await create("contact.explode", `${url}/x`)
    expect(bad.status).toBe(400)
    expect(await readJson(bad)).toEqual({ message: "Invalid eventKey 'contact.explode'" })
    expect((await create("contact.add", "not a url")).status).toBe(400)
    const keys = await readJson(await fetch(api("/v1/hooks/event_keys"), { headers: patHeaders(sandbox()) }))
    expect(keys).toContain("contactGroup.applied")
  })

  it("handshakes on create and stays Unverified without the echo", async () => {
    const verified = await readJson(await create("contact.add", `${url}/echo`))
    expect(verified).toMatchObject({ eventKey: "contact.add", status: "Verified" })
    const silent = await readJson(await create("contact.add", `${url}/silent`))
    expect(silent.status).toBe("Unverified")
    const handshake = hits.find((h) => h.path === "/silent")
    expect(handshake?.secret).toMatch(/^[0-9a-f]{48}$/)
    const wrong = await fetch(api(`/v1/hooks/${silent.key}/delayedVerify`), {
      method: "POST",
      headers: { ...patHeaders(sandbox()), "X-Hook-Secret": "nope" },
    })
    expect(wrong.status).toBe(400)
    const right = await fetch(api(`/v1/hooks/${silent.key}/delayedVerify`), {
      method: "POST",
      headers: { ...patHeaders(sandbox()), "X-Hook-Secret": handshake?.secret ?? "" },
    })
    expect((await readJson(right)).status).toBe("Verified")
    const deleted = await fetch(api(`/v1/hooks/${silent.key}`), { method: "DELETE", headers: patHeaders(sandbox()) })
    expect(deleted.status).toBe(204)
  })

  it("delivers every change, in batches of at most 1,000 object keys", async () => {
    const hook = await readJson(await create("contact.edit", `${url}/edits`))
    expect(hook.status).toBe("Verified")
    const tag = await readJson(await sendJson(api("/v2/tags"), "POST", { name: "Bulk" }, patHeaders(sandbox())))
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i))
    // Two requests inside one batching window: 1,000 + 200 edits.
    await Promise.all([
      sendJson(
        api(`/v2/tags/${tag.id}/contacts:applyTags`),
        "POST",
        { contact_ids: ids(1, 1000) },
        patHeaders(sandbox()),
      ),
      sendJson(
        api(`/v2/tags/${tag.id}/contacts:applyTags`),
        "POST",
        { contact_ids: ids(1001, 200) },
        patHeaders(sandbox()),
      ),
    ])
    const until = Date.now() + 5_000
    while (hits.filter((h) => h.path === "/edits" && h.secret === undefined).length < 2 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const deliveries = hits.filter((h) => h.path === "/edits" && h.secret === undefined).map((h) => h.body)
    expect(deliveries.map((d) => d.object_keys.length).sort((a: number, b: number) => b - a)).toEqual([1000, 200])
    for (const d of deliveries) {
      expect(d).toMatchObject({ event_key: "contact.edit", object_type: "contact" })
      expect(d.object_keys[0]).toEqual({
        id: expect.any(Number),
        apiUrl: expect.stringContaining("/v1/contacts/"),
        timestamp: expect.stringMatching(/Z$/),
      })
    }
    const all = deliveries.flatMap((d) => d.object_keys.map((k: Json) => k.id)).sort((a: number, b: number) => a - b)
    expect(all).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1))
  })
})

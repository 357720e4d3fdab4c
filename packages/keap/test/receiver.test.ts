/**
 * Keap's webhook receiver as every host uses it: subscribing (asking for the handshake
 * again when the host was not answering yet), finding the subscriptions on a URL, the
 * late confirmation of hosts that cannot echo the handshake (Zapier), and the records
 * behind delivered ids (notes and tags included).
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Hooks, Notes, Tags } from "../src/index.ts"
import { receiver } from "../src/KeapWebhooks.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox()
const run = runWith(sandbox)
const fail = failureOf(sandbox)

let server: Server
let base = ""
const secrets: Array<{ readonly path: string; readonly secret: string }> = []

beforeAll(async () => {
  const seen = new Map<string, number>()
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const path = req.url ?? "/"
      const count = (seen.get(path) ?? 0) + 1
      seen.set(path, count)
      // `/second…` answers from the second handshake on (a host that was not listening yet); `/late…` never.
      const received = Hooks.handle(
        { method: req.method ?? "GET", headers: req.headers, body: Buffer.concat(chunks) },
        { acceptHandshake: () => !path.startsWith("/late") && (!path.startsWith("/second") || count > 1) },
      )
      if (received._tag === "Handshake") secrets.push({ path, secret: received.secret })
      res.writeHead(received.response.status, received.response.headers).end(received.response.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const handshakeOf = (secret: string) => ({ status: 200, headers: { "X-Hook-Secret": secret }, body: "" })

describe("Keap's webhook receiver", () => {
  it("subscribes and asks for the handshake again when the first was not answered", async () => {
    const url = `${base}/second-add`
    const { id } = await run(receiver.subscribe!(url, "contact.add"))
    expect((await run(Hooks.get(id))).status).toBe("Verified")
    expect(secrets.filter((s) => s.path === "/second-add")).toHaveLength(2)
    expect(await run(receiver.subscriptions!(url, "contact.add"))).toEqual([{ id, active: true }])
    expect(await run(receiver.subscriptions!(url, "contact.edit"))).toEqual([])
    await run(receiver.unsubscribe!(id))
    expect(await run(receiver.subscriptions!(url, "contact.add"))).toEqual([])
  })

  it("reports a subscription that is not verified as inactive", async () => {
    const url = `${base}/late-inactive`
    const { id } = await run(receiver.subscribe!(url, "contact.add", { confirmsLater: true }))
    expect(await run(receiver.subscriptions!(url, "contact.add"))).toEqual([{ id, active: false }])
    await run(receiver.unsubscribe!(id))
  })

  it("confirms a handshake late, by the subscription or by the URL when the host has no id yet", async () => {
    for (const known of [true, false]) {
      const url = `${base}/late-${known}`
      const { id } = await run(receiver.subscribe!(url, "contact.edit", { confirmsLater: true }))
      expect((await run(Hooks.get(id))).status).toBe("Unverified")
      const secret = secrets.find((s) => s.path === `/late-${known}`)?.secret ?? ""
      await run(receiver.confirm!(known ? id : undefined, handshakeOf(secret), { event: "contact.edit", url }))
      expect((await run(Hooks.get(id))).status).toBe("Verified")
      await run(receiver.unsubscribe!(id))
    }
  })

  it("does nothing with a response that carries no secret", async () => {
    await run(receiver.confirm!(undefined, { status: 200, headers: {}, body: "" }, { event: "contact.add", url: base }))
  })

  it("hydrates notes (through the list of every note) and tags (contactGroup events)", async () => {
    const note = await run(Notes.create(3, { user_id: "1", title: "Met", text: "Wants a demo" }))
    const fetched = (await run(
      receiver.hydrate!({ type: "note.add", id: String(note.id), data: { objectType: "note" } }),
    )) as { id: unknown; title: string }
    expect(String(fetched.id)).toBe(String(note.id))
    expect(fetched.title).toBe("Met")
    const tag = await run(Tags.create({ name: "Hydrated" }))
    const got = (await run(
      receiver.hydrate!({ type: "contactGroup.applied", id: String(tag.id), data: { objectType: "contactGroup" } }),
    )) as { name: string }
    expect(got.name).toBe("Hydrated")
    const gone = await fail(receiver.hydrate!({ type: "note.add", id: "999999", data: { objectType: "note" } }))
    expect(gone.reason._tag).toBe("NotFound")
  })
})

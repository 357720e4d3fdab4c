/** REST hooks end to end: the sandbox's hook engine POSTs to a real local receiver built on `Hooks.handle`. */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Contacts, Hooks, Tags } from "../src/index.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox()
const run = runWith(sandbox)
const fail = failureOf(sandbox)

interface Seen {
  readonly path: string
  readonly received: Hooks.Received
}

let receiver: Server
let receiverUrl = ""
const seen: Seen[] = []

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const path = req.url ?? "/"
      const received = Hooks.handle(
        { method: req.method ?? "GET", headers: req.headers, body: Buffer.concat(chunks) },
        { acceptHandshake: () => !path.startsWith("/later") },
      )
      seen.push({ path, received })
      let { status, headers, body } = received.response
      if (received._tag === "Delivery" && path.startsWith("/fail")) status = 500
      if (received._tag === "Delivery" && path.startsWith("/gone")) status = 410
      res.writeHead(status, headers).end(body)
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())))

const deliveriesTo = (path: string) =>
  seen.flatMap((s) => (s.path === path && s.received._tag === "Delivery" ? [s.received.delivery] : []))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const waitFor = async <A>(probe: () => A | undefined, ms = 5_000): Promise<A> => {
  const until = Date.now() + ms
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe("REST hooks", () => {
  it("lists event keys and refuses bad subscriptions before sending", async () => {
    const keys = await run(Hooks.eventKeys())
    expect(keys).toContain("contact.add")
    expect(keys).toContain("contact.edit")
    const error = await fail(Hooks.create("contact.add", "ftp://example.com/hook"))
    expect(error.reason._tag === "Validation" && error.reason.fields.map((f) => f.field)).toEqual(["body.hookUrl"])
    expect((await fail(Hooks.create("contact", `${receiverUrl}/ok`))).message).toContain("body.eventKey")
    const refused = await fail(Hooks.create("contact.exploded", `${receiverUrl}/ok`))
    expect(refused.reason.status).toBe(400)
  })

  it("verifies through the handshake and delivers contact changes, batched, that hydrate to contacts", async () => {
    const hook = await run(Hooks.create("contact.add", `${receiverUrl}/ok-add`))
    expect(hook.status).toBe("Verified")
    const handshake = seen.find((s) => s.path === "/ok-add")?.received
    expect(handshake?._tag).toBe("Handshake")
    expect((await run(Hooks.list())).map((h) => h.key)).toContain(hook.key)
    expect((await run(Hooks.get(hook.key!))).eventKey).toBe("contact.add")
    // Found again by its target: the same URL with another event, or another URL, is not it.
    expect((await run(Hooks.forTarget("contact.add", `${receiverUrl}/ok-add`))).map((h) => h.key)).toEqual([hook.key])
    expect(await run(Hooks.forTarget("contact.edit", `${receiverUrl}/ok-add`))).toEqual([])
    expect(await run(Hooks.forTarget("contact.add", `${receiverUrl}/elsewhere`))).toEqual([])

    const created = await run(
      Contacts.create({ given_name: "Hooked", email_addresses: [{ email: "hooked@example.com", field: "EMAIL1" }] }),
    )
    const [delivery] = await waitFor(() => (deliveriesTo("/ok-add").length > 0 ? deliveriesTo("/ok-add") : undefined))
    expect(delivery?.event_key).toBe("contact.add")
    expect(delivery?.object_keys.map((k) => String(k.id))).toEqual([created.id])
    expect(delivery?.object_keys[0]?.apiUrl).toContain(`/v1/contacts/${created.id}`)
    const hydrated = await run(Stream.runCollect(Hooks.hydrate(delivery!)))
    expect(
      hydrated.map((h) => (h.object as { email_addresses: Array<{ email: string }> }).email_addresses[0]?.email),
    ).toEqual(["hooked@example.com"])

    const edits = await run(Hooks.create("contact.edit", `${receiverUrl}/ok-edit`))
    const tag = await run(Tags.create({ name: "Hook batch" }))
    await run(Tags.applyToContacts(tag.id!, [1, 2, 3, 4, 5]))
    const batches = await waitFor(() => (deliveriesTo("/ok-edit").length > 0 ? deliveriesTo("/ok-edit") : undefined))
    expect(batches).toHaveLength(1)
    expect(batches[0]?.object_keys.map((k) => Number(k.id))).toEqual([1, 2, 3, 4, 5])
    await run(Hooks.remove(edits.key!))
    expect((await fail(Hooks.get(edits.key!))).reason._tag).toBe("NotFound")
  })

  it("stays Unverified until delayedVerify sends the right secret back", async () => {
    const hook = await run(Hooks.create("contact.add", `${receiverUrl}/later`))
    expect(hook.status).toBe("Unverified")
    const handshake = seen.find((s) => s.path === "/later" && s.received._tag === "Handshake")?.received
    const secret = handshake?._tag === "Handshake" ? handshake.secret : ""
    expect(secret.length).toBeGreaterThan(10)
    expect((await fail(Hooks.delayedVerify(hook.key!, "wrong-secret"))).reason.status).toBe(400)
    expect((await run(Hooks.delayedVerify(hook.key!, secret))).status).toBe("Verified")
    await run(Hooks.remove(hook.key!))
  })

  it("retries a failing receiver 4 times, then deactivates; verify reactivates", async () => {
    const hook = await run(Hooks.create("contact.delete", `${receiverUrl}/fail`))
    expect(hook.status).toBe("Verified")
    const victim = await run(Contacts.create({ email_addresses: [{ email: "victim@example.com", field: "EMAIL1" }] }))
    await run(Contacts.remove(victim.id!))
    await waitFor(() => (deliveriesTo("/fail").length >= 4 ? true : undefined))
    await sleep(100)
    expect(deliveriesTo("/fail")).toHaveLength(4)
    expect((await run(Hooks.get(hook.key!))).status).toBe("Inactive")
    for (const d of deliveriesTo("/fail")) expect(d.object_keys.map((k) => String(k.id))).toEqual([victim.id])
    expect((await run(Hooks.verify(hook.key!))).status).toBe("Verified")
    await run(Hooks.remove(hook.key!))
  }, 15_000)

  it("deactivates at once on 410 Gone", async () => {
    const hook = await run(Hooks.create("contact.add", `${receiverUrl}/gone`))
    await run(Contacts.create({ email_addresses: [{ email: "gone@example.com", field: "EMAIL1" }] }))
    await waitFor(() => (deliveriesTo("/gone").length > 0 ? true : undefined))
    // Longer than the first retry delay: a 410 is never retried.
    await sleep(200)
    expect((await run(Hooks.get(hook.key!))).status).toBe("Inactive")
    expect(deliveriesTo("/gone")).toHaveLength(1)
  })
})

describe("Hooks.handle", () => {
  it("echoes the handshake secret and parses deliveries", () => {
    const handshake = Hooks.handle({ method: "POST", headers: { "X-Hook-Secret": "abc123" }, body: "" })
    expect(handshake).toMatchObject({ _tag: "Handshake", secret: "abc123", response: { status: 200 } })
    expect(handshake.response.headers["X-Hook-Secret"]).toBe("abc123")
    const delivery = Hooks.handle({
      method: "post",
      headers: {},
      body: JSON.stringify({
        event_key: "contact.add",
        object_keys: [{ id: 7, apiUrl: "", timestamp: "2026-01-01T00:00:00Z" }],
      }),
    })
    expect(delivery._tag === "Delivery" && delivery.delivery.object_keys[0]?.id).toBe(7)
  })

  it("refuses what is not a delivery", () => {
    expect(Hooks.handle({ method: "GET", headers: {}, body: "" }).response.status).toBe(405)
    expect(Hooks.handle({ method: "POST", headers: {}, body: "{not json" }).response.status).toBe(400)
    expect(
      Hooks.handle({ method: "POST", headers: {}, body: JSON.stringify({ event_key: "x" }) }).response.status,
    ).toBe(400)
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ id: i + 1 }))
    const big = Hooks.handle({
      method: "POST",
      headers: {},
      body: JSON.stringify({ event_key: "contact.add", object_keys: tooMany }),
    })
    expect(big._tag).toBe("Rejected")
    const max = Hooks.handle({
      method: "POST",
      headers: {},
      body: JSON.stringify({ event_key: "contact.add", object_keys: tooMany.slice(0, 1000) }),
    })
    expect(max._tag).toBe("Delivery")
    const refused = Hooks.handle(
      { method: "POST", headers: { "x-hook-secret": "s" }, body: "" },
      { acceptHandshake: () => false },
    )
    expect(refused.response.headers["X-Hook-Secret"]).toBeUndefined()
  })

  it("refuses to hydrate unknown object types", async () => {
    const error = await fail(
      Stream.runCollect(Hooks.hydrate({ event_key: "appointment.add", object_keys: [{ id: 1 }] })),
    )
    expect(error.message).toContain("cannot hydrate 'appointment'")
  })
})

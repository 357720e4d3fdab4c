/** `crmkit webhooks listen` as a subprocess, fed signed deliveries by the sandbox's signer. */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const bin = path.join(import.meta.dirname, "..", "dist", "crmkit.mjs")
let sandbox: SandboxServer
const children: Array<ChildProcess> = []

beforeAll(async () => {
  sandbox = await startSandbox({
    simulators: { keap: keapSimulator({ contacts: 5 }), ghl: ghlSimulator({ contacts: 5 }) },
  })
})
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await sandbox.close()
})

/** Starts a listener and collects its stdout lines and stderr. */
const listen = (args: ReadonlyArray<string>) =>
  new Promise<{ url: string; lines: Array<unknown>; errors: () => string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "webhooks", "listen", ...args, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    })
    children.push(child)
    const lines: Array<unknown> = []
    let out = ""
    let err = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk
      const parts = out.split("\n")
      out = parts.pop() ?? ""
      for (const line of parts) if (line.trim()) lines.push(JSON.parse(line))
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk
      const url = /listening for \w+ webhooks on (\S+)/.exec(err)?.[1]
      if (url) resolve({ url, lines, errors: () => err })
    })
    child.on("exit", (code) => reject(new Error(`listener exited ${code}: ${err}`)))
  })

const post = (url: string, body: string, headers: Record<string, string>) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }).then(
    (r) => r.status,
  )

const settle = () => new Promise((r) => setTimeout(r, 150))

describe("crmkit webhooks listen", () => {
  it("ghl: prints verified events and refuses tampered, stale and replayed ones with the reason", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-keys-"))
    fs.writeFileSync(path.join(dir, "ed25519.pem"), sandbox.ghl.webhooks.publicKeys.ed25519)
    fs.writeFileSync(path.join(dir, "rsa.pem"), sandbox.ghl.webhooks.publicKeys.rsa)
    const listener = await listen([
      "ghl",
      "--setting",
      `ed25519Key=@${path.join(dir, "ed25519.pem")}`,
      "--setting",
      `rsaKey=@${path.join(dir, "rsa.pem")}`,
    ])
    const event = { type: "ContactCreate", locationId: sandbox.credentials.ghl.locationId, id: "c-1", email: "a@b.co" }

    const good = sandbox.ghl.webhooks.sign(event)
    expect(await post(listener.url, good.body, good.headers)).toBe(200)
    const legacy = sandbox.ghl.webhooks.sign(event, { legacy: "only" })
    expect(await post(listener.url, legacy.body, legacy.headers)).toBe(200)
    expect(await post(listener.url, good.body.replace("a@b.co", "x@y.zz"), good.headers)).toBe(401)
    // A replay is acknowledged (GHL stops resending) but not printed; a stale one is refused for good (4xx).
    expect(await post(listener.url, good.body, good.headers)).toBe(200)
    const stale = sandbox.ghl.webhooks.sign({ ...event, timestamp: new Date(Date.now() - 3_600_000).toISOString() })
    expect(await post(listener.url, stale.body, stale.headers)).toBe(400)
    await settle()

    expect(listener.lines).toHaveLength(2)
    expect(listener.lines[0]).toMatchObject({
      provider: "ghl",
      type: "ContactCreate",
      data: { kind: "Contact", type: "ContactCreate", id: "c-1", verifiedWith: "ed25519" },
    })
    expect(listener.lines[1]).toMatchObject({ data: { verifiedWith: "rsa" } })
    const errors = listener.errors()
    expect(errors).toContain("BadSignature")
    expect(errors).toContain("Replayed")
    expect(errors).toContain("Stale")
  })

  it("refuses a setting the receiver does not take, before listening", async () => {
    const run = spawn(process.execPath, [bin, "webhooks", "listen", "keap", "--setting", "ed25519Key=x"], {
      stdio: ["ignore", "pipe", "pipe"],
    })
    let err = ""
    run.stderr!.on("data", (chunk: Buffer) => {
      err += chunk
    })
    const code = await new Promise<number | null>((resolve) => run.on("exit", resolve))
    expect(code).toBe(2)
    expect(err).toContain("Keap webhooks take no setting ed25519Key")
  })

  it("keap: answers the X-Hook-Secret handshake and prints batched deliveries", async () => {
    const listener = await listen(["keap"])
    const handshake = await fetch(listener.url, { method: "POST", headers: { "X-Hook-Secret": "s3cr3t-handshake" } })
    expect(handshake.status).toBe(200)
    expect(handshake.headers.get("x-hook-secret")).toBe("s3cr3t-handshake")
    const delivery = {
      event_key: "contact.add",
      object_type: "contact",
      object_keys: [
        { id: 1, apiUrl: "", timestamp: "2026-11-23T10:00:00Z" },
        { id: 2, apiUrl: "", timestamp: "2026-11-23T10:00:01Z" },
      ],
    }
    expect(await post(listener.url, JSON.stringify(delivery), {})).toBe(200)
    expect(await post(listener.url, "{not json", {})).toBe(400)
    await settle()
    expect(listener.lines).toEqual([
      { provider: "keap", handshake: true },
      // One line per changed object.
      expect.objectContaining({
        provider: "keap",
        type: "contact.add",
        id: "1",
        data: expect.objectContaining({ objectType: "contact" }),
      }),
      expect.objectContaining({ provider: "keap", type: "contact.add", id: "2" }),
    ])
    expect(listener.errors()).toContain("not JSON")
  })
})

describe("crmkit webhooks listen --forward-to", () => {
  it("forwards a verified GHL event and a Keap delivery, headers and bytes intact, to a local app that checks the signature itself", async () => {
    const { createServer } = await import("node:http")
    const { verify } = await import("node:crypto")
    const received: Array<{ path: string; verified?: boolean; body: string }> = []
    const app = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (c: Buffer) => chunks.push(c))
      request.on("end", () => {
        const body = Buffer.concat(chunks)
        const signature = request.headers["x-ghl-signature"]
        const verified =
          typeof signature === "string"
            ? verify(null, body, sandbox.ghl.webhooks.publicKeys.ed25519, Buffer.from(signature, "base64"))
            : undefined
        received.push({
          path: request.url ?? "",
          ...(verified === undefined ? {} : { verified }),
          body: body.toString(),
        })
        response.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", () => resolve()))
    const target = `http://127.0.0.1:${(app.address() as { port: number }).port}/hooks`
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-keys-"))
      fs.writeFileSync(path.join(dir, "ed25519.pem"), sandbox.ghl.webhooks.publicKeys.ed25519)
      const ghl = await listen([
        "ghl",
        "--setting",
        `ed25519Key=@${path.join(dir, "ed25519.pem")}`,
        "--forward-to",
        target,
      ])
      const event = sandbox.ghl.webhooks.sign(
        { type: "ContactCreate", locationId: "loc", id: "c-9" },
        { legacy: "none" },
      )
      expect(await post(ghl.url, event.body, event.headers)).toBe(200)
      // A tampered delivery is refused and never forwarded.
      expect(await post(ghl.url, event.body.replace("c-9", "c-0"), event.headers)).toBe(401)
      const keap = await listen(["keap", "--forward-to", target])
      const delivery = JSON.stringify({ event_key: "contact.add", object_type: "contact", object_keys: [{ id: 3 }] })
      expect(await post(keap.url, delivery, {})).toBe(200)
      await new Promise((r) => setTimeout(r, 400))
      expect(received).toEqual([
        { path: "/hooks", verified: true, body: event.body },
        { path: "/hooks", body: delivery },
      ])
      expect(ghl.errors()).toContain(`forwarded to ${target}: 204`)
      expect(keap.errors()).toContain(`forwarded to ${target}: 204`)
    } finally {
      app.close()
    }
  })

  it("refuses a --forward-to that is not an http(s) URL, before listening", async () => {
    const run = spawn(process.execPath, [bin, "webhooks", "listen", "keap", "--forward-to", "ftp://x"], {
      stdio: ["ignore", "pipe", "pipe"],
    })
    let err = ""
    run.stderr!.on("data", (chunk: Buffer) => {
      err += chunk
    })
    expect(await new Promise<number | null>((resolve) => run.on("exit", resolve))).toBe(2)
    expect(err).toContain("--forward-to ftp://x is not an http(s) URL")
  })
})

describe("crmkit sandbox trigger", () => {
  it("a running sandbox fires signed events that a running listener verifies and prints: GHL to its app URL, Keap to its subscribed hook", async () => {
    const { sandboxProcess, crmkitAsync } = await import("./support.ts")
    const server = await sandboxProcess(children)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-keys-"))
    // The running sandbox publishes its signing key, as GHL publishes its own.
    const ed25519 = server.simulators.ghl!.endpoints.webhookEd25519PublicKey
    expect(ed25519).toContain("BEGIN PUBLIC KEY")
    fs.writeFileSync(path.join(dir, "ed25519.pem"), ed25519!)
    const ghlListener = await listen(["ghl", "--setting", `ed25519Key=@${path.join(dir, "ed25519.pem")}`])
    const fired = await crmkitAsync([
      "sandbox",
      "trigger",
      "ghl",
      "ContactCreate",
      "--override",
      "email=trigger@example.org",
      "--to",
      ghlListener.url,
      "--url",
      server.url,
    ])
    expect(fired.code, fired.stderr).toBe(0)
    expect(fired.stdout).toContain(`ContactCreate sent to ${ghlListener.url}`)

    // Keap: the listener is subscribed as a REST hook (the handshake verifies it), then the event follows.
    const keapListener = await listen(["keap"])
    const keap = server.simulators.keap!
    const hook = await fetch(`${keap.connection.baseUrl}/v1/hooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Keap-API-Key": keap.connection.credential.secret },
      body: JSON.stringify({ eventKey: "contact.add", hookUrl: keapListener.url }),
    })
    expect(hook.status).toBe(200)
    expect(((await hook.json()) as { status: string }).status).toBe("Verified")
    const keapFired = await crmkitAsync([
      "sandbox",
      "trigger",
      "keap",
      "contact.add",
      "--override",
      "id=4",
      "--url",
      server.url,
    ])
    expect(keapFired.code, keapFired.stderr).toBe(0)
    expect(keapFired.stdout).toContain(`contact.add sent to ${keapListener.url}`)

    await new Promise((r) => setTimeout(r, 1500))
    expect(ghlListener.lines).toEqual([
      expect.objectContaining({
        provider: "ghl",
        type: "ContactCreate",
        data: expect.objectContaining({ email: "trigger@example.org", verifiedWith: "ed25519" }),
      }),
    ])
    expect(keapListener.lines).toEqual([
      { provider: "keap", handshake: true },
      expect.objectContaining({ provider: "keap", type: "contact.add", id: "4" }),
    ])
    const unknown = await crmkitAsync([
      "sandbox",
      "trigger",
      "ghl",
      "ContactCreated",
      "--to",
      ghlListener.url,
      "--url",
      server.url,
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('HighLevel has no webhook event "ContactCreated"')
  })
})

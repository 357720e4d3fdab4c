/**
 * `crmkit migrate follow`: after a migration, a running process keeps the target in step from
 * the source's webhooks (Keap REST hooks, subscribed through the API and verified), one delta
 * run per batch of deliveries, and writes nothing when nothing changed.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RateLimit } from "@crmkit/core"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { Contacts, KeapAuth, KeapClient } from "@crmkit/keap"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { crmkitAsync, crmkitProcess, freePort, sandboxEnv, waitFor } from "./support.ts"

const CONTACTS = 30

describe("crmkit migrate follow", () => {
  let sandbox: SandboxServer
  let env: Record<string, string>
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-migrate-follow-"))
  const state = path.join(dir, "state.db")
  const sides = ["--from", "keap", "--to", "ghl", "--state", state]
  const ghlWrites = () =>
    Object.entries(sandbox.stats.snapshot().byRoute)
      .filter(([route]) => route.includes("/ghl/") && !route.startsWith("GET ") && !route.endsWith("/contacts/search"))
      .reduce((sum, [, n]) => sum + n, 0)
  const keap = () =>
    KeapClient.layer({ baseUrl: sandbox.keap.baseUrl }).pipe(
      Layer.provide(KeapAuth.layerApiKey(Redacted.make(sandbox.credentials.keap.personalAccessToken))),
      Layer.provide(RateLimit.layerMemory),
      Layer.provide(NodeHttpClient.layerUndici),
    )

  beforeAll(async () => {
    sandbox = await startSandbox({
      simulators: {
        keap: keapSimulator({ rateLimits: false, contacts: CONTACTS }),
        ghl: ghlSimulator({ rateLimits: false, contacts: 0 }),
      },
    })
    env = sandboxEnv(sandbox)
    for (const mode of ["plan", "run"]) {
      const done = await crmkitAsync(["migrate", mode, ...sides], env)
      expect(done.code, done.stderr).toBe(0)
    }
  }, 120_000)
  afterAll(() => sandbox?.close())

  it("bad input exits 2 before anything is sent", async () => {
    const before = sandbox.stats.requests
    const noState = await crmkitAsync(["migrate", "follow", ...sides.slice(0, -1), path.join(dir, "none.db")], env)
    expect(noState.code).toBe(2)
    expect(noState.stderr).toMatch(/no such state file/)
    const badUrl = await crmkitAsync(["migrate", "follow", ...sides, "--subscribe", "ftp://x"], env)
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toMatch(/--subscribe ftp:\/\/x is not an http\(s\) URL/)
    expect(sandbox.stats.requests).toBe(before)
  })

  it("subscribes Keap's REST hooks, catches up, and moves each edit when its delivery arrives", async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}/`
    const follower = crmkitProcess(["migrate", "follow", ...sides, "--port", String(port), "--subscribe", url], env)
    let err = ""
    follower.child.stderr.on("data", (chunk: Buffer) => {
      err += chunk
    })
    try {
      await waitFor("the catch-up run", () => /follow: catch-up: run: 0 writes/.test(err))
      expect(err).toMatch(/follow: subscribed .*contact\.edit.* to http:\/\/127\.0\.0\.1/)
      const writesBefore = ghlWrites()

      // A person edits two contacts in Keap: the hooks deliver, one delta run moves them.
      await Effect.runPromise(
        Effect.gen(function* () {
          yield* Contacts.update("3", { family_name: "Followed" } as never)
          yield* Contacts.update("4", { given_name: "Tracked" } as never)
        }).pipe(Effect.provide(keap())),
      )
      await waitFor("a run after the deliveries", () =>
        /follow: \d+ change\(s\) \(contact\.edit\): run: [1-9]\d* writes/.test(err),
      )
      await waitFor("both edits in GHL", () => ghlWrites() - writesBefore >= 2)
      // Nothing else changed: exactly the two updates, and no run echoes them again.
      await new Promise((r) => setTimeout(r, 500))
      expect(ghlWrites() - writesBefore).toBe(2)
      const verified = await crmkitAsync(["migrate", "verify", ...sides], env)
      expect(verified.code, verified.stderr).toBe(0)
      const plan = await crmkitAsync(["migrate", "plan", ...sides], env)
      expect(plan.code, plan.stderr).toBe(0)
      expect(JSON.parse(plan.stdout).writes).toBe(0)
    } finally {
      follower.child.kill("SIGTERM")
      await follower.done
    }
  }, 120_000)

  it("both directions followed: a change crosses once and is not echoed back", async () => {
    const keapWrites = () =>
      Object.entries(sandbox.stats.snapshot().byRoute)
        .filter(([route]) => route.includes("/keap/") && !route.startsWith("GET ") && !route.includes("/hooks"))
        .reduce((sum, [, n]) => sum + n, 0)
    const reverse = ["--from", "ghl", "--to", "keap", "--state", path.join(dir, "reverse.db")]
    // The reverse migration finds every contact the forward one made (same emails) and writes nothing.
    const keapBefore = keapWrites()
    for (const mode of ["plan", "run"]) {
      const done = await crmkitAsync(["migrate", mode, ...reverse], env)
      expect(done.code, done.stderr).toBe(0)
    }
    expect(keapWrites()).toBe(keapBefore)

    const ghlHeaders = {
      authorization: `Bearer ${sandbox.credentials.ghl.privateIntegrationToken}`,
      version: "2021-07-28",
      "content-type": "application/json",
    }
    const listed = (await (
      await fetch(`${sandbox.ghl.baseUrl}/contacts/?locationId=${sandbox.credentials.ghl.locationId}&limit=100`, {
        headers: ghlHeaders,
      })
    ).json()) as { contacts: Array<{ id: string; tags?: Array<string> }> }
    const ghlIdOf = (keapId: string) => listed.contacts.find((c) => c.tags?.includes(`crmkit-source:${keapId}`))?.id
    const ghlSix = ghlIdOf("6")
    expect(ghlSix).toBeDefined()
    // GHL posts webhooks to the app's URL: the sandbox's trigger stands in for that.
    const ghlDelivers = async (to: string, id: string) => {
      const answer = await fetch(`${sandbox.url}/__sandbox/trigger`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ simulator: "ghl", event: "ContactUpdate", overrides: { id }, to: [to] }),
      })
      expect(answer.status).toBe(202)
    }

    const [forwardPort, reversePort] = [await freePort(), await freePort()]
    const key = path.join(dir, "ed25519.pem")
    fs.writeFileSync(key, sandbox.ghl.webhooks.publicKeys.ed25519)
    const forward = crmkitProcess(
      ["migrate", "follow", ...sides, "--port", String(forwardPort), "--subscribe", `http://127.0.0.1:${forwardPort}/`],
      env,
    )
    const backward = crmkitProcess(
      ["migrate", "follow", ...reverse, "--port", String(reversePort), "--setting", `ed25519Key=@${key}`],
      env,
    )
    let forwardErr = ""
    let backwardErr = ""
    forward.child.stderr.on("data", (chunk: Buffer) => {
      forwardErr += chunk
    })
    backward.child.stderr.on("data", (chunk: Buffer) => {
      backwardErr += chunk
    })
    const runs = (err: string) =>
      [...err.matchAll(/follow: (.*?): run: (\d+) writes/g)].map((m) => [m[1], Number(m[2])])
    try {
      await waitFor("both catch-up runs", () => /catch-up: run/.test(forwardErr) && /catch-up: run/.test(backwardErr))
      expect(runs(forwardErr)).toEqual([["catch-up", 0]])
      expect(runs(backwardErr)).toEqual([["catch-up", 0]])

      // Edited in Keap: crosses to GHL once; GHL's webhook for that write makes the reverse side run and write nothing.
      const [ghlBefore, keapBefore2] = [ghlWrites(), keapWrites()]
      await Effect.runPromise(Contacts.update("6", { family_name: "TwoWay" } as never).pipe(Effect.provide(keap())))
      await waitFor("the forward run", () => runs(forwardErr).length === 2)
      expect(runs(forwardErr)[1]?.[1]).toBe(1)
      expect(ghlWrites() - ghlBefore).toBe(1)
      await ghlDelivers(`http://127.0.0.1:${reversePort}/`, ghlSix!)
      await waitFor("the reverse run", () => runs(backwardErr).length === 2)
      expect(runs(backwardErr)[1]).toEqual(["1 change(s) (ContactUpdate)", 0])
      expect(keapWrites()).toBe(keapBefore2 + 1)

      // Edited in GHL: crosses to Keap once; Keap's hook for that write makes the forward side run and write nothing.
      const ghlEdit = await fetch(`${sandbox.ghl.baseUrl}/contacts/${ghlSix}`, {
        method: "PUT",
        headers: ghlHeaders,
        body: JSON.stringify({ lastName: "FromGhl" }),
      })
      expect(ghlEdit.status).toBe(200)
      const [ghlMid, keapMid] = [ghlWrites(), keapWrites()]
      await ghlDelivers(`http://127.0.0.1:${reversePort}/`, ghlSix!)
      await waitFor("the reverse run of the GHL edit", () => runs(backwardErr).length === 3)
      expect(runs(backwardErr)[2]?.[1], backwardErr).toBe(1)
      expect(keapWrites() - keapMid).toBe(1)
      await waitFor("the forward run of Keap's hook", () => runs(forwardErr).length === 3)
      expect(runs(forwardErr)[2]?.[1]).toBe(0)
      expect(ghlWrites()).toBe(ghlMid)
    } finally {
      forward.child.kill("SIGTERM")
      backward.child.kill("SIGTERM")
      await Promise.all([forward.done, backward.done])
    }
  }, 120_000)
})

/**
 * The Keap and HighLevel triggers in a real n8n 2.41.1 (`n8n start`, workflows published):
 * Keap's hook is created on activation and verified through the sandbox's X-Hook-Secret
 * handshake, then the sandbox delivers real batched REST-hook events; HighLevel deliveries
 * are signed by the sandbox's webhook signer (Ed25519 and legacy RSA) and POSTed to n8n's
 * production webhook URL; the polling trigger runs on n8n's own schedule (every minute, the
 * shortest n8n allows). Each workflow forwards its items to a collector in this process.
 */
import { resolve } from "node:path"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Collector, freePort } from "./support/Collector.ts"
import { RealN8n } from "./support/RealN8n.ts"
import { highLevelToken, keapKey, sandboxCredentials } from "./support/sandboxCredentials.ts"
import { type NodeSpec, workflow } from "./support/workflows.ts"

const apps = resolve(import.meta.dirname, "../..")
let sandbox: SandboxServer
let n8n: RealN8n
let collector: Collector
let n8nUrl: string

const forward = (path: string): NodeSpec => ({
  name: "Forward",
  type: "n8n-nodes-base.httpRequest",
  typeVersion: 4.2,
  after: "Trigger",
  parameters: {
    method: "POST",
    url: `={{ "${path}" }}`,
    sendBody: true,
    specifyBody: "json",
    jsonBody: "={{ JSON.stringify($json) }}",
    options: {},
  },
})

beforeAll(async () => {
  sandbox = await startSandbox({
    simulators: { keap: keapSimulator({ contacts: 20 }), ghl: ghlSimulator({ contacts: 20 }) },
  })
  collector = new Collector()
  await collector.start()
  n8n = new RealN8n()
  n8n.installPackages([resolve(apps, "n8n-nodes-keap"), resolve(apps, "n8n-nodes-highlevel")])
  await n8n.importCredentials(sandboxCredentials(sandbox))
  await n8n.importWorkflows([
    workflow("wfKeapTrigger", "Keap trigger", [{ ...forward(`${collector.url}/keap`) }], {
      name: "Trigger",
      type: "@crmkit/n8n-nodes-keap.keapTrigger",
      parameters: { event: "contact.add", hydrate: true },
      credentials: keapKey,
      webhookId: "keap-trigger-hook",
    }),
    workflow("wfGhlTrigger", "HighLevel trigger", [{ ...forward(`${collector.url}/ghl`) }], {
      name: "Trigger",
      type: "@crmkit/n8n-nodes-highlevel.highLevelTrigger",
      parameters: {
        events: ["ContactCreate", "OpportunityStageUpdate"],
        options: { ed25519Key: sandbox.ghl.webhooks.publicKeys.ed25519, rsaKey: sandbox.ghl.webhooks.publicKeys.rsa },
      },
      webhookId: "ghl-trigger-hook",
    }),
    workflow("wfGhlPoll", "HighLevel polling trigger", [{ ...forward(`${collector.url}/ghl-poll`) }], {
      name: "Trigger",
      type: "@crmkit/n8n-nodes-highlevel.highLevelPollingTrigger",
      parameters: { feed: "contacts.created", pollTimes: { item: [{ mode: "everyMinute" }] } },
      credentials: highLevelToken,
    }),
  ])
  await n8n.publish("wfKeapTrigger")
  await n8n.publish("wfGhlTrigger")
  await n8n.publish("wfGhlPoll")
  n8nUrl = await n8n.start(await freePort())
})

afterAll(async () => {
  await n8n?.stop()
  n8n?.dispose()
  await collector?.close()
  await sandbox?.close()
})

const keapHooks = async () => {
  const response = await fetch(`${sandbox.keap.baseUrl}/v1/hooks`, {
    headers: { "X-Keap-API-Key": sandbox.credentials.keap.personalAccessToken },
  })
  return (await response.json()) as Array<{ key: string; eventKey: string; hookUrl: string; status: string }>
}

describe("Keap Trigger in n8n", () => {
  it("creates and verifies the REST hook when the workflow is activated", async () => {
    // n8n activates published workflows just after it starts listening: give it a moment.
    const hookUrl = `${n8nUrl}/webhook/keap-trigger-hook/webhook`
    let hooks = await keapHooks()
    for (let i = 0; i < 60 && !hooks.some((h) => h.hookUrl === hookUrl && h.status === "Verified"); i++) {
      await new Promise((r) => setTimeout(r, 500))
      hooks = await keapHooks()
    }
    expect(hooks, n8n.serverLog).toContainEqual(
      expect.objectContaining({
        eventKey: "contact.add",
        hookUrl,
        status: "Verified",
      }),
    )
  })

  it("turns a delivered contact.add batch into items with the full contacts", async () => {
    const created = await Promise.all(
      ["Alan", "Edsger"].map(async (name) => {
        const response = await fetch(`${sandbox.keap.baseUrl}/v2/contacts`, {
          method: "POST",
          headers: {
            "X-Keap-API-Key": sandbox.credentials.keap.personalAccessToken,
            "content-type": "application/json",
          },
          body: JSON.stringify({
            given_name: name,
            email_addresses: [{ email: `${name.toLowerCase()}@example.org`, field: "EMAIL1" }],
          }),
        })
        expect(response.status).toBe(201)
        return (await response.json()) as { id: string }
      }),
    )
    const ids = created.map((c) => String(c.id))
    const items = await collector.waitFor((got) => ids.every((id) => got.some((i) => String(i.id) === id)), "/keap")
    for (const id of ids) {
      const item = items.find((i) => String(i.id) === id)
      expect(item).toMatchObject({ eventKey: "contact.add", objectType: "contact" })
      expect((item?.object as { id?: unknown } | undefined)?.id).toBe(id)
    }
    expect(items.map((i) => (i.object as { given_name?: string }).given_name).sort()).toEqual(["Alan", "Edsger"])
  })
})

describe("Keap Trigger deactivation in n8n", () => {
  it("deletes the REST hook when the workflow is deactivated", async () => {
    await n8n.deactivate(n8nUrl, "wfKeapTrigger")
    let hooks = await keapHooks()
    for (let i = 0; i < 20 && hooks.some((h) => h.eventKey === "contact.add"); i++) {
      await new Promise((r) => setTimeout(r, 250))
      hooks = await keapHooks()
    }
    expect(
      hooks.filter((h) => h.eventKey === "contact.add"),
      n8n.serverLog.slice(-3000),
    ).toEqual([])
  })
})

describe("HighLevel Trigger in n8n", () => {
  const url = () => `${n8nUrl}/webhook/ghl-trigger-hook/webhook`
  const contactEvent = (id: string) => ({
    type: "ContactCreate",
    id,
    locationId: sandbox.credentials.ghl.locationId,
    firstName: "Katherine",
    email: "katherine@example.org",
  })

  it("runs the workflow for a delivery signed with x-ghl-signature", async () => {
    const delivery = await sandbox.ghl.webhooks.deliver(url(), contactEvent("c-ed25519"), { legacy: "none" })
    expect(delivery.status).toBe(200)
    const items = await collector.waitFor((got) => got.some((i) => i.id === "c-ed25519"), "/ghl")
    expect(items.find((i) => i.id === "c-ed25519")).toMatchObject({
      type: "ContactCreate",
      kind: "Contact",
      verifiedWith: "ed25519",
      firstName: "Katherine",
    })
  })

  it("accepts the legacy x-wh-signature", async () => {
    const delivery = await sandbox.ghl.webhooks.deliver(url(), contactEvent("c-rsa"), { legacy: "only" })
    expect(delivery.status).toBe(200)
    const items = await collector.waitFor((got) => got.some((i) => i.id === "c-rsa"), "/ghl")
    expect(items.find((i) => i.id === "c-rsa")).toMatchObject({ verifiedWith: "rsa" })
  })

  it("refuses a tampered body, a stale delivery and a replay; ignores unselected events", async () => {
    const signed = sandbox.ghl.webhooks.sign(contactEvent("c-tampered"))
    const tampered = await fetch(url(), {
      method: "POST",
      headers: signed.headers,
      body: signed.body.replace("Katherine", "Mallory"),
    })
    expect(tampered.status).toBe(401)

    const stale = await sandbox.ghl.webhooks.deliver(url(), {
      ...contactEvent("c-stale"),
      timestamp: new Date(Date.now() - 10 * 60_000).toISOString(),
    })
    expect(stale.status).toBe(400)

    const original = sandbox.ghl.webhooks.sign(contactEvent("c-replayed"))
    const first = await fetch(url(), { method: "POST", headers: original.headers, body: original.body })
    expect(first.status).toBe(200)
    const again = await fetch(url(), { method: "POST", headers: original.headers, body: original.body })
    expect(await again.json()).toMatchObject({ error: "Replayed" })

    const other = await sandbox.ghl.webhooks.deliver(url(), { type: "ProductCreate", id: "n-1" })
    expect(other.status).toBe(200)

    // The replayed delivery ran once; the refused and ignored ones never ran.
    await collector.waitFor((got) => got.some((i) => i.id === "c-replayed"), "/ghl")
    await new Promise((r) => setTimeout(r, 2000))
    const ids = collector.received.filter((r) => r.path === "/ghl").map((r) => r.body.id)
    expect(ids.filter((id) => id === "c-replayed")).toHaveLength(1)
    expect(ids).not.toContain("c-tampered")
    expect(ids).not.toContain("c-stale")
    expect(ids).not.toContain("n-1")
  })
})

describe("HighLevel Polling Trigger in n8n", () => {
  it("emits the contacts created after activation at its next scheduled check", async () => {
    // n8n runs the first check at activation: it watches from then on.
    const searches = () =>
      Object.entries(sandbox.stats.snapshot().byRoute)
        .filter(([route]) => route.includes("contacts/search"))
        .reduce((sum, [, count]) => sum + count, 0)
    for (let i = 0; i < 120 && searches() === 0; i++) await new Promise((r) => setTimeout(r, 500))
    expect(searches(), n8n.serverLog).toBeGreaterThan(0)
    const emails = ["poll.ada@example.org", "poll.alan@example.org"]
    for (const email of emails) {
      const response = await fetch(`${sandbox.ghl.baseUrl}/contacts/upsert`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${sandbox.credentials.ghl.privateIntegrationToken}`,
          Version: "2021-07-28",
          "content-type": "application/json",
        },
        body: JSON.stringify({ locationId: sandbox.credentials.ghl.locationId, email }),
      })
      expect(response.status).toBeLessThan(300)
    }
    const items = await collector.waitFor((got) => got.length >= 2, "/ghl-poll", 90_000)
    expect(items.map((i) => i.email)).toEqual(emails)
  })
})

/**
 * The Keap Trigger's hook lifecycle against the sandbox, with a stand-in host: create on
 * activation (verified through the X-Hook-Secret handshake, answered by the trigger's own
 * webhook()), checkExists, delete on deactivation. The real-n8n run is in apps/n8n-e2e.
 */
import { createServer, type Server } from "node:http"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { hostContext } from "@crmkit/n8n-shared/testing"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import type { IHookFunctions, IWebhookFunctions } from "n8n-workflow"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { KeapTrigger } from "../src/nodes/KeapTrigger/KeapTrigger.node.ts"

let sandbox: SandboxServer
let receiver: Server
let hookUrl: string
const trigger = new KeapTrigger()
const staticData = {}

const host = () => {
  const context = hostContext({
    parameters: { event: "contact.add", hydrate: false },
    staticData,
    credentialType: "crmkitKeapApi",
    credentials: {
      keyType: "pat",
      apiKey: sandbox.credentials.keap.personalAccessToken,
      baseUrl: sandbox.keap.baseUrl,
    },
    authHeaders: { "X-Keap-API-Key": sandbox.credentials.keap.personalAccessToken },
  })
  return { ...context, getNodeWebhookUrl: () => hookUrl }
}

const listHooks = async () =>
  (await (
    await fetch(`${sandbox.keap.baseUrl}/v1/hooks`, {
      headers: { "X-Keap-API-Key": sandbox.credentials.keap.personalAccessToken },
    })
  ).json()) as Array<{ key: string; status: string; hookUrl: string }>

beforeAll(async () => {
  // This test reads the hooks list directly, outside the node's rate limiter.
  sandbox = await startSandbox({ simulators: { keap: keapSimulator({ contacts: 5, rateLimits: false }) } })
  // The hook URL: hands each request to the trigger's webhook(), as n8n does.
  receiver = createServer((request, response) => {
    let body = ""
    request.on("data", (chunk) => {
      body += String(chunk)
    })
    request.on("end", () => {
      const context = {
        ...host(),
        getRequestObject: () => ({ method: request.method, headers: request.headers, rawBody: Buffer.from(body) }),
        getResponseObject: () => ({
          status: (code: number) => {
            response.statusCode = code
          },
          setHeader: (name: string, value: string) => response.setHeader(name, value),
          end: (text: string) => response.end(text),
        }),
        getBodyData: () => JSON.parse(body || "{}"),
      }
      void trigger.webhook.call(context as unknown as IWebhookFunctions)
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  const address = receiver.address() as { port: number }
  hookUrl = `http://127.0.0.1:${address.port}/webhook/abc/webhook`
})

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve))
  await sandbox.close()
})

describe("Keap Trigger lifecycle", () => {
  it("creates a verified hook, finds it, and deletes it", async () => {
    const hooks = trigger.webhookMethods.default
    const context = host() as unknown as IHookFunctions
    expect(await hooks.checkExists.call(context)).toBe(false)
    expect(await hooks.create.call(context)).toBe(true)
    expect(await listHooks()).toEqual([expect.objectContaining({ hookUrl, status: "Verified" })])
    expect(await hooks.checkExists.call(context)).toBe(true)
    expect(await hooks.delete.call(context)).toBe(true)
    expect(await listHooks()).toEqual([])
    // Deleting again (already gone) is not an error.
    expect(await hooks.delete.call(context)).toBe(true)
  })

  it("deletes the hook on its URL even when the key was not kept", async () => {
    const hooks = trigger.webhookMethods.default
    const context = host() as unknown as IHookFunctions
    expect(await hooks.create.call(context)).toBe(true)
    for (const key of Object.keys(staticData)) delete (staticData as Record<string, unknown>)[key]
    expect(await hooks.delete.call(context)).toBe(true)
    expect(await listHooks()).toEqual([])
  })
})

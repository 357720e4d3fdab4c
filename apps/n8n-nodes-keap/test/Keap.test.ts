/**
 * The Keap node's execute() against the sandbox, with a stand-in host (HostContext): one
 * client per execution across items, per-item errors, the table checked against the catalog.
 */
import { catalog } from "@crmkit/keap"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { hostContext } from "@crmkit/n8n-shared/testing"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import type { IExecuteFunctions } from "n8n-workflow"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { keap } from "../src/app.ts"
import { Keap } from "../src/nodes/Keap/Keap.node.ts"

let sandbox: SandboxServer
beforeAll(async () => {
  sandbox = await startSandbox({ simulators: { keap: keapSimulator({ contacts: 160 }) } })
})
afterAll(() => sandbox.close())

const run = (parameters: Record<string, unknown>, items = 1, continueOnFail = false) => {
  const context = hostContext({
    parameters,
    items,
    continueOnFail,
    credentialType: "crmkitKeapApi",
    credentials: {
      keyType: "pat",
      apiKey: sandbox.credentials.keap.personalAccessToken,
      baseUrl: sandbox.keap.baseUrl,
    },
    authHeaders: { "X-Keap-API-Key": sandbox.credentials.keap.personalAccessToken },
  })
  return { context, output: new Keap().execute.call(context as unknown as IExecuteFunctions) }
}

describe("Keap node", () => {
  it("derives one Operation dropdown per resource of the actions, which name only catalog operations", () => {
    const ids = new Set(catalog.map((e) => e.id))
    for (const action of keap.actions) for (const id of action.operations ?? []) expect(ids, id).toContain(id)
    const properties = new Keap().description.properties
    const resources = new Set(keap.actions.map((a) => a.resource))
    expect(properties.filter((p) => p.name === "operation")).toHaveLength(resources.size)
    const contact = properties.find(
      (p) => p.name === "operation" && p.displayOptions?.show?.resource?.[0] === "contact",
    )
    expect(contact?.options).toContainEqual(
      expect.objectContaining({ value: "getAll", name: "Get Many", action: "Get many contacts" }),
    )
  })

  it("shares one rate limiter across items: 30 items over a 10/s key never see a 429", async () => {
    const started = Date.now()
    const { output } = run({ resource: "contact", operation: "get", id: (i: number) => String(i + 1) }, 30)
    const [items] = await output
    expect(items?.map((i) => i.json.id)).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)))
    expect(items?.map((i) => i.pairedItem)).toEqual(Array.from({ length: 30 }, (_, i) => ({ item: i })))
    // The PAT's spike window is 10 requests per second: 30 requests take over 2 s when paced.
    expect(Date.now() - started).toBeGreaterThan(1900)
    expect(sandbox.stats.rateLimited).toBe(0)
  })

  it("Return All reads every page; Limit stops after the first", async () => {
    const all = run({
      resource: "contact",
      operation: "getAll",
      returnAll: true,
      additionalFields: { pageSize: 100 },
    })
    expect((await all.output)[0]).toHaveLength(160)
    expect(all.context.requests.length).toBeGreaterThanOrEqual(2)
    const some = run({ resource: "contact", operation: "getAll", returnAll: false, limit: 7 })
    expect((await some.output)[0]).toHaveLength(7)
    expect(some.context.requests).toHaveLength(1)
  })

  it("without Continue On Fail, the first failing item stops the node with the provider's message", async () => {
    const { output } = run({ resource: "contact", operation: "get", id: "999999" })
    await expect(output).rejects.toThrow(/NotFound \(404\)/)
  })

  it("refuses bad input before any request", async () => {
    const { context, output } = run({ resource: "contact", operation: "create", email: "nope" }, 1, true)
    const [items] = await output
    expect(items?.[0]?.json).toMatchObject({ kind: "Validation" })
    expect(String(items?.[0]?.json.error)).toContain("email")
    expect(context.requests).toHaveLength(0)
  })
})

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
import { Keap } from "../src/nodes/Keap/Keap.node.ts"
import { table } from "../src/shared/KeapTable.ts"

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
  it("names only operations of the Keap catalog", () => {
    const ids = new Set(catalog.map((e) => e.id))
    for (const op of table.operations) expect(ids, op.operationId).toContain(op.operationId)
    const properties = new Keap().description.properties
    expect(properties.filter((p) => p.name === "operation")).toHaveLength(table.resources.length)
  })

  it("shares one rate limiter across items: 30 items over a 10/s key never see a 429", async () => {
    const started = Date.now()
    const { output } = run({ resource: "contact", operation: "get", contactId: (i: number) => String(i + 1) }, 30)
    const [items] = await output
    expect(items?.map((i) => i.json.id)).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)))
    expect(items?.map((i) => i.pairedItem)).toEqual(Array.from({ length: 30 }, (_, i) => ({ item: i })))
    // The PAT's spike window is 10 requests per second: 30 requests take over 2 s when paced.
    expect(Date.now() - started).toBeGreaterThan(1900)
    expect(sandbox.stats.rateLimited).toBe(0)
  })

  it("Return All reads every page; Limit stops after the first", async () => {
    const all = run({ resource: "contact", operation: "getAll", returnAll: true })
    expect((await all.output)[0]).toHaveLength(160)
    expect(all.context.requests.length).toBeGreaterThanOrEqual(2)
    const some = run({ resource: "contact", operation: "getAll", returnAll: false, limit: 7 })
    expect((await some.output)[0]).toHaveLength(7)
    expect(some.context.requests).toHaveLength(1)
  })

  it("without Continue On Fail, the first failing item stops the node with the provider's message", async () => {
    const { output } = run({ resource: "contact", operation: "get", contactId: "999999" })
    await expect(output).rejects.toThrow(/NotFound \(404\)/)
  })

  it("refuses bad input before any request", async () => {
    const { context, output } = run({ resource: "contact", operation: "create", email: "nope" }, 1, true)
    const [items] = await output
    expect(items?.[0]?.json).toMatchObject({ kind: "Validation" })
    expect(context.requests).toHaveLength(0)
  })
})

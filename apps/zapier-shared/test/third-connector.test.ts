/**
 * A third CRM in Zapier: the test-only TestCRM connector, registered with the glue by the one
 * line below, run through Zapier's own app tester against its simulator.
 */
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createAppTester } from "zapier-platform-core"
import { simulator } from "../../../packages/testcrm/src/sandbox/index.ts"
// Through its sources: the glue's tests do not depend on the package (it is built before them).
import { connector } from "../../../packages/testcrm/src/TestCrmConnector.ts"
import { App } from "../src/index.ts"

const Zapier = (await App.fromConnector(connector)).key!

type AnyFn = (...args: Array<any>) => any
const tester = createAppTester(Zapier)
let sandbox: SandboxServer
let authData: { api_key: string }

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, simulators: { testcrm: simulator({ contacts: 45, rateLimits: false }) } })
  process.env.TESTCRM_BASE_URL = sandbox.testcrm.baseUrl
  authData = { api_key: sandbox.credentials.testcrm.apiKey }
})
afterAll(async () => {
  delete process.env.TESTCRM_BASE_URL
  await sandbox.close()
})

const perform = <T = any>(operation: { perform: unknown }, bundle: Record<string, unknown> = {}) =>
  tester(operation.perform as AnyFn, { authData, inputData: {}, ...bundle }) as Promise<T>

describe("a third connector in Zapier", () => {
  it("derives its connection, creates, searches and triggers from the connector", async () => {
    expect(Zapier.authentication).toMatchObject({ type: "custom", fields: [{ key: "api_key", label: "API Key" }] })
    expect(Object.keys(Zapier.creates)).toEqual(["create_deal"])
    expect(Object.keys(Zapier.searches)).toEqual(["list_deals", "get_deals"])
    expect(Object.keys(Zapier.triggers)).toEqual(["deal_created", "deal_updated", "new_deal"])
    expect(Zapier.creates.create_deal.operation.inputFields).toEqual([
      expect.objectContaining({ key: "title", type: "string", required: true, helpText: "What is sold" }),
      expect.objectContaining({ key: "amount", required: true }),
    ])
    const label = await tester((Zapier.authentication as any).connectionLabel, { authData })
    expect(label).toBe("TestCRM")
  })

  it("a search reads the first page only; a polling trigger reads every page of a poll", async () => {
    const before = sandbox.stats.route("GET /testcrm/v1/deals")
    const found = await perform<Array<{ id: string }>>(Zapier.searches.list_deals.operation, {
      inputData: { page_size: "5" },
    })
    expect(found.map((deal) => deal.id)).toEqual(["d1", "d2", "d3", "d4", "d5"])
    expect(sandbox.stats.route("GET /testcrm/v1/deals") - before).toBe(1)

    const polled = await perform<Array<{ id: string; createdAt: string }>>(Zapier.triggers.new_deal.operation, {
      inputData: { page_size: "20" },
    })
    // 45 deals at 20 a page: three requests, newest first, each once.
    expect(polled).toHaveLength(45)
    expect(polled[0]!.id).toBe("d45")
    expect(new Set(polled.map((deal) => deal.id)).size).toBe(45)
    expect(sandbox.stats.route("GET /testcrm/v1/deals") - before).toBe(4)

    const one = await perform<Array<{ id: string }>>(Zapier.searches.get_deals.operation, { inputData: { id: "d7" } })
    expect(one.map((deal) => deal.id)).toEqual(["d7"])
    expect(await perform(Zapier.searches.get_deals.operation, { inputData: { id: "nope" } })).toEqual([])
  })

  it("creates a record, and refuses bad input before sending, naming the fields", async () => {
    const created = await perform<{ id: string; title: string }>(Zapier.creates.create_deal.operation, {
      inputData: { title: "Annual plan", amount: "120000" },
    })
    expect(created).toMatchObject({ id: "d46", title: "Annual plan", amount: 120000 })

    const before = sandbox.stats.requests
    const refused = await perform(Zapier.creates.create_deal.operation, {
      inputData: { title: "x".repeat(101), amount: "-5" },
    }).catch((error: Error) => error)
    expect(refused).toBeInstanceOf(Error)
    expect((refused as Error).message).toMatch(/Title \(title\)/)
    expect((refused as Error).message).toMatch(/Amount \(amount\)/)
    await expect(perform(Zapier.creates.create_deal.operation, { inputData: { amount: "ten" } })).rejects.toThrow(
      /Amount \(amount\)/,
    )
    expect(sandbox.stats.requests).toBe(before)
    expect((refused as Error).message).not.toContain(authData.api_key)
  })

  it("receives its signed webhooks through the connector's receiver and refuses a tampered one", async () => {
    const hook = Zapier.triggers.deal_created.operation
    expect(hook.inputFields).toEqual([expect.objectContaining({ key: "signingSecret", required: true })])
    const inputData = { signingSecret: sandbox.credentials.testcrm.signingSecret }
    const signed = sandbox.testcrm.sign({ type: "deal.created", id: "evt_1", data: { id: "d9", title: "Renewal" } })
    const request = (body: string) => ({
      inputData,
      // Zapier hands raw headers over as `Http-<Name>`.
      rawRequest: {
        method: "POST",
        headers: Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [`Http-${name}`, value])),
        content: body,
      },
      cleanedRequest: JSON.parse(body),
    })
    expect(await perform(hook, request(signed.body))).toEqual([{ id: "d9", title: "Renewal" }])
    await expect(perform(hook, request(signed.body.replace("Renewal", "Refund")))).rejects.toThrow(
      /Not a TestCRM hook delivery: the signature does not match the body/,
    )
    const recent = await tester(hook.performList as AnyFn, { authData, meta: { isLoadingSample: true } })
    expect((recent as Array<{ id: string }>).map((deal) => deal.id)).toEqual(["d1", "d2", "d3"])
  })
})

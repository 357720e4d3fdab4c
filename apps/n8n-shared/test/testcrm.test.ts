/**
 * A third CRM with the n8n glue: the test-only TestCRM connector, registered by the one
 * line below, and its node and trigger run against its simulator with a stand-in host.
 */
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { connector } from "@crmkit/testcrm/connector"
import { simulator } from "@crmkit/testcrm/sandbox"
import type { IExecuteFunctions, IWebhookFunctions } from "n8n-workflow"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActionNode, App, Credentials, Triggers } from "../src/index.ts"
import { hostContext } from "../testing/HostContext.ts"

const testcrm = App.make(connector, await connector.load())

const TestCrm = ActionNode.node(testcrm)
const TestCrmTrigger = Triggers.webhook(testcrm)

let sandbox: SandboxServer
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, simulators: { testcrm: simulator({ contacts: 45, rateLimits: false }) } })
})
afterAll(() => sandbox.close())

const host = (parameters: Record<string, unknown>, continueOnFail = false) =>
  hostContext({
    parameters,
    continueOnFail,
    credentialType: "crmkitTestCRMApi",
    credentials: { apiKey: sandbox.credentials.testcrm.apiKey, baseUrl: sandbox.testcrm.baseUrl },
    authHeaders: { "X-Api-Key": sandbox.credentials.testcrm.apiKey },
  })

const execute = async (parameters: Record<string, unknown>, continueOnFail = false) => {
  const context = host(parameters, continueOnFail)
  const [items] = await new TestCrm().execute.call(context as unknown as IExecuteFunctions)
  return { items: items ?? [], requests: context.requests }
}

describe("a third connector in n8n", () => {
  it("is described from its connector: resources, operations, fields and credentials", () => {
    const properties = new TestCrm().description.properties
    const operation = properties.find((p) => p.name === "operation")
    expect(operation?.displayOptions?.show?.resource).toEqual(["deal"])
    expect(operation?.options).toContainEqual(
      expect.objectContaining({ value: "getAll", name: "Get Many", action: "List deals" }),
    )
    const title = properties.find((p) => p.name === "title")
    expect(title).toMatchObject({ type: "string", required: true, displayOptions: { show: { operation: ["create"] } } })
    expect(properties.find((p) => p.name === "amount")).toMatchObject({ type: "number", required: true })
    const credential = new (Credentials.key(testcrm))()
    expect(credential.name).toBe("crmkitTestCRMApi")
    expect(credential.properties.map((p) => p.name)).toEqual(["apiKey", "baseUrl"])
    // How the key is sent, the test request and the base URL are the connector's.
    expect(credential.authenticate?.properties.headers).toEqual({ "X-Api-Key": "={{$credentials.apiKey}}" })
    expect(credential.test?.request).toMatchObject({ method: "GET", url: "/deals", qs: { limit: 1 } })
    expect(credential.properties.find((p) => p.name === "baseUrl")?.default).toBe("https://api.testcrm.example/v1")
    expect(new TestCrmTrigger().description.properties.map((p) => p.name)).toEqual(["events", "signingSecret"])
  })

  it("lists every page with Return All, and one page for a Limit within it", async () => {
    const all = await execute({
      resource: "deal",
      operation: "getAll",
      returnAll: true,
      additionalFields: { pageSize: 10 },
    })
    expect(all.items).toHaveLength(45)
    expect(new Set(all.items.map((i) => i.json.id)).size).toBe(45)
    // 45 records at 10 a page: five requests, each with the previous page's cursor.
    expect(all.requests).toEqual(Array.from({ length: 5 }, () => "GET /testcrm/v1/deals"))
    const some = await execute({ resource: "deal", operation: "getAll", returnAll: false, limit: 3 })
    expect(some.items).toHaveLength(3)
    expect(some.requests).toHaveLength(1)
  })

  it("creates a record and reads it back", async () => {
    const { items } = await execute({ resource: "deal", operation: "create", title: "Annual plan", amount: 120000 })
    expect(items[0]?.json).toMatchObject({ title: "Annual plan", amount: 120000 })
    const read = await execute({ resource: "deal", operation: "get", id: items[0]?.json.id })
    expect(read.items[0]?.json).toMatchObject({ id: items[0]?.json.id, title: "Annual plan" })
  })

  it("refuses bad input before sending, naming the fields", async () => {
    const before = sandbox.stats.requests
    const { items, requests } = await execute({ resource: "deal", operation: "create", title: "", amount: -5 }, true)
    expect(items[0]?.json).toMatchObject({ kind: "Validation" })
    expect(String(items[0]?.json.error)).toMatch(/title/)
    expect(String(items[0]?.json.error)).toMatch(/amount/)
    expect(requests).toEqual([])
    expect(sandbox.stats.requests).toBe(before)
  })

  it("receives its signed webhooks and refuses a tampered one", async () => {
    const deliver = async (body: string, headers: Record<string, string>) => {
      const answer = { status: 0, body: "" }
      const context = {
        ...host({ signingSecret: sandbox.credentials.testcrm.signingSecret, events: [] }),
        getRequestObject: () => ({ method: "POST", headers, rawBody: Buffer.from(body) }),
        getResponseObject: () => ({
          status: (code: number) => {
            answer.status = code
          },
          setHeader: () => undefined,
          end: (text: string) => {
            answer.body = text
          },
        }),
        getBodyData: () => JSON.parse(body),
      }
      const result = await new TestCrmTrigger().webhook.call(context as unknown as IWebhookFunctions)
      return { answer, result }
    }
    const signed = sandbox.testcrm.sign({ type: "deal.created", id: "evt_1", data: { id: "d9", title: "Renewal" } })
    const ok = await deliver(signed.body, signed.headers)
    expect(ok.answer.status).toBe(200)
    expect(ok.result.workflowData?.[0]?.map((i) => i.json)).toEqual([{ id: "d9", title: "Renewal", eventId: "evt_1" }])
    const tampered = await deliver(signed.body.replace("Renewal", "Refund"), signed.headers)
    expect(tampered.answer.status).toBe(401)
    expect(tampered.result.workflowData).toBeUndefined()
  })
})

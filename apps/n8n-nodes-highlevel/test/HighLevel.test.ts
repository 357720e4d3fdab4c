/**
 * The HighLevel node and polling trigger against the sandbox, with a stand-in host
 * (HostContext); the webhook trigger and the node itself also run in a real n8n (n8n-e2e).
 */
import { catalog } from "@crmkit/ghl"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { hostContext } from "@crmkit/n8n-shared/testing"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import type { IDataObject, IExecuteFunctions, IPollFunctions } from "n8n-workflow"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { highLevel } from "../src/app.ts"
import { HighLevel } from "../src/nodes/HighLevel/HighLevel.node.ts"
import { HighLevelPollingTrigger } from "../src/nodes/HighLevelPollingTrigger/HighLevelPollingTrigger.node.ts"
import { HighLevelTrigger } from "../src/nodes/HighLevelTrigger/HighLevelTrigger.node.ts"

let sandbox: SandboxServer
beforeAll(async () => {
  sandbox = await startSandbox({ simulators: { ghl: ghlSimulator({ contacts: 30 }) } })
})
afterAll(() => sandbox.close())

const host = (
  parameters: Record<string, unknown>,
  extra: { mode?: "manual" | "trigger"; staticData?: IDataObject } = {},
) =>
  hostContext({
    parameters,
    ...extra,
    credentialType: "crmkitHighLevelApi",
    credentials: {
      token: sandbox.credentials.ghl.privateIntegrationToken,
      locationId: sandbox.credentials.ghl.locationId,
      baseUrl: sandbox.ghl.baseUrl,
    },
    authHeaders: { Authorization: `Bearer ${sandbox.credentials.ghl.privateIntegrationToken}` },
  })

const upsert = async (email: string) => {
  const context = host({ resource: "contact", operation: "upsert", email, firstName: "Poll" })
  const [items] = await new HighLevel().execute.call(context as unknown as IExecuteFunctions)
  return items?.[0]?.json as { id: string; email: string }
}

describe("HighLevel node", () => {
  it("derives its operations from the actions, which name only operations of the GHL catalog", () => {
    const ids = new Set(catalog.map((e) => e.id))
    for (const action of highLevel.actions) for (const id of action.operations ?? []) expect(ids, id).toContain(id)
    const operation = new HighLevel().description.properties.find(
      (p) => p.name === "operation" && p.displayOptions?.show?.resource?.[0] === "customObject",
    )
    expect(operation?.options).toContainEqual(expect.objectContaining({ value: "create", name: "Create" }))
  })

  it("writes custom fields on update, like on create", async () => {
    const created = await upsert("custom.fields@example.org")
    const context = host({
      resource: "contact",
      operation: "update",
      id: created.id,
      additionalFields: { customFields: { pair: [{ id: "cf-favourite-colour", field_value: "teal" }] } },
    })
    const [items] = await new HighLevel().execute.call(context as unknown as IExecuteFunctions)
    expect(context.requests).toEqual([`PUT /ghl/contacts/${created.id}`])
    expect(items?.[0]?.json.id).toBe(created.id)
    const read = host({ resource: "contact", operation: "get", id: created.id })
    const [got] = await new HighLevel().execute.call(read as unknown as IExecuteFunctions)
    expect(got?.[0]?.json.customFields).toContainEqual(
      expect.objectContaining({ id: "cf-favourite-colour", value: "teal" }),
    )
  })
})

describe("HighLevel polling trigger", () => {
  it("keeps the feed's cursor on its first check, then emits the contacts created since", async () => {
    const staticData: IDataObject = {}
    const trigger = new HighLevelPollingTrigger()
    const poll = () =>
      trigger.poll.call(host({ feed: "contacts.created" }, { staticData }) as unknown as IPollFunctions)
    expect(await poll()).toBeNull()
    expect(staticData.cursor).toEqual(expect.any(String))
    await new Promise((r) => setTimeout(r, 5))
    const first = await upsert("poll.one@example.org")
    const second = await upsert("poll.two@example.org")
    const result = await poll()
    expect(result?.[0]?.map((i) => i.json.id)).toEqual([first.id, second.id])
    expect(await poll()).toBeNull()
  })

  it("offers every feed of the connector: appointments and updated opportunities too", () => {
    const feed = new HighLevelPollingTrigger().description.properties.find((p) => p.name === "feed")
    expect(feed?.options?.map((o) => ("value" in o ? o.value : undefined))).toEqual(
      expect.arrayContaining(["appointments.created", "appointments.updated", "opportunities.updated"]),
    )
  })

  it("shows the latest records in a manual test run", async () => {
    const context = host({ feed: "contacts.updated" }, { mode: "manual" })
    const result = await new HighLevelPollingTrigger().poll.call(context as unknown as IPollFunctions)
    expect(result?.[0]).toHaveLength(5)
  })
})

describe("HighLevel webhook trigger", () => {
  it("tells where to paste its URL, as the connector's receiver says (GHL's API registers none)", () => {
    const notice = new HighLevelTrigger().description.properties.find((p) => p.name === "notice")
    expect(notice?.displayName).toContain("Marketplace app (Advanced Settings → Webhooks)")
  })
})

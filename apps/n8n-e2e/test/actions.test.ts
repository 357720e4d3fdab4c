/**
 * The Keap and HighLevel action nodes in a real n8n 2.41.1, installed from their packed
 * tarballs, run by `n8n execute` against the sandbox (a real HTTP server in this process).
 */
import { resolve } from "node:path"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ExecutionResult, RealN8n } from "./support/RealN8n.ts"
import {
  highLevelAgencyOAuth,
  highLevelOAuth,
  highLevelToken,
  keapKey,
  keapOAuth,
  sandboxCredentials,
  sandboxOAuthCredentials,
} from "./support/sandboxCredentials.ts"
import { type NodeSpec, workflow } from "./support/workflows.ts"

const apps = resolve(import.meta.dirname, "../..")
const KEAP = "@crmkit/n8n-nodes-keap.keap"
const GHL = "@crmkit/n8n-nodes-highlevel.highLevel"
const CONTACTS = 250
const QUERY = "n"

let sandbox: SandboxServer
let n8n: RealN8n
let keapRun: ExecutionResult
let ghlRun: ExecutionResult

const keap = (name: string, parameters: Record<string, unknown>, extra: Partial<NodeSpec> = {}): NodeSpec => ({
  name,
  type: KEAP,
  parameters,
  credentials: keapKey,
  ...extra,
})
const ghl = (name: string, parameters: Record<string, unknown>, extra: Partial<NodeSpec> = {}): NodeSpec => ({
  name,
  type: GHL,
  parameters,
  credentials: highLevelToken,
  ...extra,
})

beforeAll(async () => {
  sandbox = await startSandbox({
    simulators: { keap: keapSimulator({ contacts: CONTACTS }), ghl: ghlSimulator({ contacts: CONTACTS }) },
  })
  n8n = new RealN8n()
  n8n.installPackages([resolve(apps, "n8n-nodes-keap"), resolve(apps, "n8n-nodes-highlevel")])
  await n8n.importCredentials([...sandboxCredentials(sandbox), ...(await sandboxOAuthCredentials(sandbox))])
  await n8n.importWorkflows([
    workflow("wfKeapActions", "Keap actions", [
      keap("All contacts", { resource: "contact", operation: "getAll", returnAll: true }),
      keap("Five contacts", { resource: "contact", operation: "getAll", returnAll: false, limit: 5 }),
      keap(
        "Get each",
        { resource: "contact", operation: "get", id: "={{ $itemIndex === 2 ? '987654321' : $json.id }}" },
        { after: "Five contacts", onError: "continueRegularOutput" },
      ),
      keap("Create", {
        resource: "contact",
        operation: "create",
        email: "ada.lovelace@example.org",
        givenName: "Ada",
        familyName: "Lovelace",
      }),
      keap("Read back", { resource: "contact", operation: "get", id: "={{ $json.id }}" }, { after: "Create" }),
      keap(
        "Bad email",
        { resource: "contact", operation: "create", email: "not-an-email", givenName: "Bad" },
        { onError: "continueRegularOutput" },
      ),
      keap(
        "Via OAuth2",
        { authentication: "crmkitKeapOAuth2Api", resource: "contact", operation: "getAll", returnAll: false, limit: 3 },
        { credentials: keapOAuth },
      ),
      keap("Custom call", {
        resource: "customApiCall",
        operationId: "getContact",
        parameters: '={{ JSON.stringify({ contact_id: "7" }) }}',
      }),
    ]),
    workflow("wfGhlActions", "HighLevel actions", [
      ghl("All contacts", { resource: "contact", operation: "getAll", returnAll: true }),
      ghl("Matching contacts", {
        resource: "contact",
        operation: "search",
        returnAll: true,
        additionalFields: { query: QUERY },
      }),
      ghl("Three contacts", { resource: "contact", operation: "getAll", returnAll: false, limit: 3 }),
      ghl(
        "Get each",
        { resource: "contact", operation: "get", id: "={{ $itemIndex === 1 ? 'no-such-contact' : $json.id }}" },
        { after: "Three contacts", onError: "continueRegularOutput" },
      ),
      ghl("Upsert", {
        resource: "contact",
        operation: "upsert",
        email: "grace.hopper@example.org",
        firstName: "Grace",
        lastName: "Hopper",
        additionalFields: { tags: "navy, cobol" },
      }),
      ghl(
        "Via OAuth2",
        {
          authentication: "crmkitHighLevelOAuth2Api",
          resource: "contact",
          operation: "getAll",
          returnAll: false,
          limit: 3,
        },
        { credentials: highLevelOAuth },
      ),
      ghl(
        "Via agency",
        { authentication: "crmkitHighLevelOAuth2Api", resource: "contact", operation: "search", returnAll: true },
        { credentials: highLevelAgencyOAuth },
      ),
      ghl("Custom call", {
        resource: "customApiCall",
        operationId: "get-contacts",
        parameters: '{"limit": 2}',
        returnAll: false,
        limit: 2,
      }),
    ]),
  ])
  keapRun = await n8n.execute("wfKeapActions")
  ghlRun = await n8n.execute("wfGhlActions")
})

afterAll(async () => {
  await n8n?.stop()
  n8n?.dispose()
  await sandbox?.close()
})

describe("Keap node in n8n", () => {
  it("Return All streams every page", () => {
    const contacts = keapRun.items("All contacts")
    expect(contacts).toHaveLength(CONTACTS)
    expect(new Set(contacts.map((c) => c.id)).size).toBe(CONTACTS)
  })

  it("Limit stops early", () => {
    expect(keapRun.items("Five contacts")).toHaveLength(5)
  })

  it("with Continue On Fail, a failing item becomes an error item and the others run", () => {
    const items = keapRun.items("Get each")
    const five = keapRun.items("Five contacts")
    expect(items).toHaveLength(5)
    expect(items[2]).toMatchObject({ kind: "NotFound", status: 404, operation: "getContact" })
    expect(String(items[2]?.error)).toContain("keap: NotFound (404)")
    for (const index of [0, 1, 3, 4]) expect(items[index]?.id).toBe(five[index]?.id)
  })

  it("creates a contact and reads it back", () => {
    const [created] = keapRun.items("Create")
    expect(created?.given_name).toBe("Ada")
    const [read] = keapRun.items("Read back")
    expect(read?.id).toBe(created?.id)
    expect(read?.email_addresses).toEqual([expect.objectContaining({ email: "ada.lovelace@example.org" })])
  })

  it("refuses bad input before sending, naming the field", () => {
    const [item] = keapRun.items("Bad email")
    expect(item).toMatchObject({ kind: "Validation" })
    expect(item?.status).toBeUndefined()
    expect(String(item?.error)).toContain("email_addresses")
  })

  it("OAuth2: n8n refreshes the stale token on Keap's 401 and the request is resent", () => {
    expect(keapRun.items("Via OAuth2")).toHaveLength(3)
    const keapStats = sandbox.stats.snapshot().byProvider.keap
    expect(keapStats?.refreshes).toBe(1)
    expect(keapStats?.unauthorized).toBeGreaterThanOrEqual(1)
  })

  it("Custom API Call runs a catalog operation by id", () => {
    const [contact] = keapRun.items("Custom call")
    expect(contact?.id).toBe("7")
  })
})

describe("HighLevel node in n8n", () => {
  it("Return All streams every page of the location", () => {
    const contacts = ghlRun.items("All contacts")
    expect(contacts).toHaveLength(CONTACTS)
    expect(new Set(contacts.map((c) => c.id)).size).toBe(CONTACTS)
  })

  it("Return All keeps the search text (and locationId) on every page", () => {
    const all = ghlRun.items("All contacts")
    const matches = (c: Record<string, unknown>) =>
      [c.firstName, c.lastName, c.name, c.contactName, c.email, c.phone, c.companyName]
        .map((v) => String(v ?? "").toLowerCase())
        .some((v) => v.includes(QUERY))
    const expected = all.filter(matches).map((c) => c.id)
    // More than one page, fewer than everything: a dropped filter would show.
    expect(expected.length).toBeGreaterThan(100)
    expect(expected.length).toBeLessThan(CONTACTS)
    const got = ghlRun.items("Matching contacts").map((c) => c.id)
    expect(new Set(got)).toEqual(new Set(expected))
  })

  it("with Continue On Fail, a failing item becomes an error item", () => {
    const items = ghlRun.items("Get each")
    expect(items).toHaveLength(3)
    expect(items[1]).toMatchObject({ status: 404 })
    expect(items[1]?.traceId).toEqual(expect.any(String))
    expect(items[0]?.id).toBe(ghlRun.items("Three contacts")[0]?.id)
  })

  it("upserts a contact with tags, the location filled from the credential", () => {
    const [contact] = ghlRun.items("Upsert")
    expect(contact).toMatchObject({ firstName: "Grace", locationId: sandbox.credentials.ghl.locationId })
    expect(contact?.tags).toEqual(expect.arrayContaining(["navy", "cobol"]))
  })

  it("OAuth2: a Location token works in its own location", () => {
    const contacts = ghlRun.items("Via OAuth2")
    expect(contacts).toHaveLength(3)
    for (const c of contacts) expect(c.locationId).toBe(sandbox.credentials.ghl.locationId)
  })

  it("OAuth2 agency: n8n refreshes the stale agency token, which gets one location token for every page", () => {
    const contacts = ghlRun.items("Via agency")
    expect(contacts.length).toBeGreaterThanOrEqual(CONTACTS)
    expect(new Set(contacts.map((c) => c.id)).size).toBe(contacts.length)
    const ghlStats = sandbox.stats.snapshot()
    // The stale agency token's mint is refused, n8n refreshes it once, the second mint succeeds.
    expect(ghlStats.byProvider.ghl?.refreshes).toBe(1)
    expect(ghlStats.byRoute["POST /ghl/oauth/locationToken"]).toBe(2)
  })

  it("Custom API Call pages a catalog operation with the Limit", () => {
    expect(ghlRun.items("Custom call")).toHaveLength(2)
  })
})

/**
 * An Agency (Company) OAuth credential in the HighLevel node, against the sandbox (which,
 * like GHL, refuses location endpoints to agency tokens): the node exchanges the agency
 * token for a location token once per execution and signs the location calls with it.
 */

import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { hostContext } from "@crmkit/n8n-shared/testing"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { type IExecuteFunctions, type ILoadOptionsFunctions, NodeApiError, NodeOperationError } from "n8n-workflow"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { HighLevel } from "../src/nodes/HighLevel/HighLevel.node.ts"
import { grant } from "./support/grant.ts"

const CONTACTS = 250

let sandbox: SandboxServer
let agencyToken: AgencyToken
type AgencyToken = { access_token: string; companyId: string }

/** An agency-level grant. */
const agencyGrant = async (scopes?: ReadonlyArray<string>): Promise<AgencyToken> => {
  const { status, token } = await grant(sandbox, "Company", scopes)
  expect(status).toBe(200)
  return token
}

beforeAll(async () => {
  sandbox = await startSandbox({ simulators: { ghl: ghlSimulator({ contacts: CONTACTS, rateLimits: false }) } })
  agencyToken = await agencyGrant()
})
afterAll(() => sandbox.close())
beforeEach(() => sandbox.stats.reset())

const agencyHost = (
  parameters: Record<string, unknown>,
  options: { items?: number; locationId?: string; token?: AgencyToken } = {},
) => {
  const token = options.token ?? agencyToken
  return hostContext({
    parameters,
    items: options.items ?? 1,
    credentialType: "crmkitHighLevelOAuth2Api",
    credentials: {
      userType: "Company",
      locationId: options.locationId ?? sandbox.credentials.ghl.locationId,
      baseUrl: sandbox.ghl.baseUrl,
      oauthTokenData: token,
    },
    // What n8n's OAuth2 credential adds to every authenticated request: the agency token.
    authHeaders: { Authorization: `Bearer ${token.access_token}` },
  })
}

/** The error the node throws, with its message and description as one text. */
const failureOf = async (context: ReturnType<typeof agencyHost>) => {
  const error = await new HighLevel().execute.call(context as unknown as IExecuteFunctions).then(
    () => undefined,
    (e: unknown) => e,
  )
  const { message, description } = error as NodeApiError
  return { error, text: `${message}\n${description ?? ""}` }
}

const searchAll = {
  authentication: "crmkitHighLevelOAuth2Api",
  resource: "contact",
  operation: "search",
  returnAll: true,
}

describe("HighLevel node with an Agency (Company) credential", () => {
  it("is refused by the sandbox when the agency token itself calls a location endpoint", async () => {
    const response = await fetch(`${sandbox.ghl.baseUrl}/contacts/search`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${agencyToken.access_token}`,
        Version: "2021-07-28",
        "content-type": "application/json",
      },
      body: JSON.stringify({ locationId: sandbox.credentials.ghl.locationId, pageLimit: 1 }),
    })
    expect(response.status).toBe(401)
    expect(((await response.json()) as { message: string }).message).toContain("authClass")
    expect(sandbox.stats.unauthorized).toBe(1)
  })

  it("mints one location token per execution and searches every page of every item with it", async () => {
    const context = agencyHost(searchAll, { items: 2 })
    const [items] = await new HighLevel().execute.call(context as unknown as IExecuteFunctions)
    expect(items).toHaveLength(2 * CONTACTS)
    expect(new Set(items?.map((item) => item.json.id)).size).toBe(CONTACTS)
    expect(sandbox.stats.route("POST /ghl/oauth/locationToken")).toBe(1)
    const searches = sandbox.stats.route("POST /ghl/contacts/search")
    expect(searches).toBeGreaterThanOrEqual(2 * Math.ceil(CONTACTS / 100))
    expect(sandbox.stats.unauthorized).toBe(0)
    expect(context.requests.filter((r) => r === "POST /ghl/oauth/locationToken")).toHaveLength(1)
  })

  it("mints again in the next execution (nothing outlives the execution)", async () => {
    for (let run = 0; run < 2; run++) {
      const context = agencyHost({ ...searchAll, returnAll: false, limit: 5 })
      const [items] = await new HighLevel().execute.call(context as unknown as IExecuteFunctions)
      expect(items).toHaveLength(5)
    }
    expect(sandbox.stats.route("POST /ghl/oauth/locationToken")).toBe(2)
  })

  it("names the location the agency cannot reach, without leaking a token", async () => {
    const { error, text } = await failureOf(agencyHost(searchAll, { locationId: "OtherLocation0000000" }))
    expect(error).toBeInstanceOf(NodeApiError)
    expect(text).toContain("OtherLocation0000000")
    expect(text).toContain("does not have access to this location")
    expect(text).not.toContain(agencyToken.access_token)
    expect(sandbox.stats.route("POST /ghl/contacts/search")).toBe(0)
  })

  it("names the location and the scope when the app may not get location tokens", async () => {
    const withoutOAuthScope = await agencyGrant(["contacts.readonly", "contacts.write", "locations.readonly"])
    sandbox.stats.reset()
    const { error, text } = await failureOf(agencyHost(searchAll, { token: withoutOAuthScope }))
    expect(error).toBeInstanceOf(NodeApiError)
    expect(text).toContain(sandbox.credentials.ghl.locationId)
    expect(text).toContain("oauth.write")
    expect(text).not.toContain(withoutOAuthScope.access_token)
    expect(sandbox.stats.route("POST /ghl/contacts/search")).toBe(0)
  })

  it("asks for the Location ID before sending anything", async () => {
    const { error, text } = await failureOf(agencyHost(searchAll, { locationId: "" }))
    expect(error).toBeInstanceOf(NodeOperationError)
    expect(text).toContain("Location ID")
    expect(sandbox.stats.requests).toBe(0)
  })
})

describe("HighLevel dropdowns with an Agency (Company) credential", () => {
  it("load through a location token too", async () => {
    const app = sandbox.credentials.ghl.oauthApp
    const token = await agencyGrant([...app.scopes, "locations/customFields.readonly"])
    sandbox.stats.reset()
    const context = agencyHost({ authentication: "crmkitHighLevelOAuth2Api" }, { token })
    const customFields = new HighLevel().methods.loadOptions.choicesCustomFieldsListCustomFieldsIdName
    const options = await customFields!.call(context as unknown as ILoadOptionsFunctions)
    expect(options.length).toBeGreaterThan(0)
    expect(sandbox.stats.route("POST /ghl/oauth/locationToken")).toBe(1)
    expect(sandbox.stats.unauthorized).toBe(0)
  })
})

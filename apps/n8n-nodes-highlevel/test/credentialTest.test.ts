/** Each HighLevel credential's test request (n8n's "Test" button) against the sandbox. */

import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { sendCredentialTest } from "@crmkit/n8n-shared/testing"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CrmkitHighLevelApi } from "../src/credentials/CrmkitHighLevelApi.credentials.ts"
import { CrmkitHighLevelOAuth2Api } from "../src/credentials/CrmkitHighLevelOAuth2Api.credentials.ts"
import { grant } from "./support/grant.ts"

let sandbox: SandboxServer
beforeAll(async () => {
  sandbox = await startSandbox({ simulators: { ghl: ghlSimulator({ contacts: 5, rateLimits: false }) } })
})
afterAll(() => sandbox.close())

describe("HighLevel credential tests", () => {
  it("pass for a Private Integration Token and fail for a wrong one", async () => {
    const credentials = {
      apiKey: sandbox.credentials.ghl.privateIntegrationToken,
      locationId: sandbox.credentials.ghl.locationId,
      baseUrl: sandbox.ghl.baseUrl,
    }
    const auth = { Authorization: `Bearer ${credentials.apiKey}` }
    const ok = await sendCredentialTest(new CrmkitHighLevelApi().test!, credentials, auth)
    expect(ok.status).toBe(200)
    const wrong = await sendCredentialTest(new CrmkitHighLevelApi().test!, credentials, {
      Authorization: "Bearer nope",
    })
    expect(wrong.status).toBe(401)
  })

  it("pass for OAuth2 location tokens and agency tokens alike", async () => {
    const test = new CrmkitHighLevelOAuth2Api().test!
    for (const userType of ["Location", "Company"] as const) {
      const { token } = await grant(sandbox, userType)
      const credentials = {
        userType,
        locationId: userType === "Company" ? sandbox.credentials.ghl.locationId : "",
        baseUrl: sandbox.ghl.baseUrl,
        oauthTokenData: token,
      }
      const response = await sendCredentialTest(test, credentials, { Authorization: `Bearer ${token.access_token}` })
      expect(response.status, `${userType}: ${await response.clone().text()}`).toBe(200)
    }
  })

  it("are derived from the connector: the key's header, the scopes of the actions, the marketplace choice", () => {
    expect(new CrmkitHighLevelApi().authenticate).toEqual({
      type: "generic",
      properties: { headers: { Authorization: "=Bearer {{$credentials.apiKey}}" } },
    })
    const properties = new CrmkitHighLevelOAuth2Api().properties
    const scope = String(properties.find((p) => p.name === "scope")?.default).split(" ")
    // Those of the actions (workflows, calendar events, messages) and of the credential test (the location).
    expect(scope).toEqual(
      expect.arrayContaining(["contacts.write", "workflows.readonly", "calendars/events.write", "locations.readonly"]),
    )
    const marketplace = properties.find((p) => p.name === "authUrl")
    expect(marketplace?.options?.map((o) => ("value" in o ? o.value : undefined))).toEqual([
      "https://marketplace.gohighlevel.com/v2/oauth/chooselocation",
      "https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation",
    ])
  })
})

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
})

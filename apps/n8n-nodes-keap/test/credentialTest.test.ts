/** Each Keap credential's test request (n8n's "Test" button) against the sandbox. */

import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { sendCredentialTest } from "@crmkit/n8n-shared/testing"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CrmkitKeapApi } from "../src/credentials/CrmkitKeapApi.credentials.ts"
import { CrmkitKeapOAuth2Api } from "../src/credentials/CrmkitKeapOAuth2Api.credentials.ts"

let sandbox: SandboxServer
beforeAll(async () => {
  sandbox = await startSandbox({ simulators: { keap: keapSimulator({ contacts: 5, rateLimits: false }) } })
})
afterAll(() => sandbox.close())

describe("Keap credential tests", () => {
  it("pass for a Personal Access Token and fail for a wrong key", async () => {
    const credentials = { apiKey: sandbox.credentials.keap.personalAccessToken, baseUrl: sandbox.keap.baseUrl }
    const credential = new CrmkitKeapApi()
    // The header and the test come from Keap's connector.
    expect(credential.authenticate?.properties.headers).toEqual({ "X-Keap-API-Key": "={{$credentials.apiKey}}" })
    expect(credential.documentationUrl).toBe("https://developer.keap.com/pat-and-sak/")
    const test = credential.test!
    const ok = await sendCredentialTest(test, credentials, { "X-Keap-API-Key": credentials.apiKey })
    expect(ok.status).toBe(200)
    const wrong = await sendCredentialTest(test, credentials, { "X-Keap-API-Key": "KeapAK-wrong" })
    expect(wrong.status).toBe(401)
  })

  it("pass for an OAuth2 access token", async () => {
    const app = sandbox.credentials.keap.oauthApp
    const response = await fetch(sandbox.keap.tokenUrl, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: app.clientId,
        client_secret: app.clientSecret,
        code: sandbox.keap.issueAuthorizationCode(),
        redirect_uri: app.redirectUri,
      }),
    })
    const token = (await response.json()) as { access_token: string }
    const credentials = { baseUrl: sandbox.keap.baseUrl, oauthTokenData: token }
    const ok = await sendCredentialTest(new CrmkitKeapOAuth2Api().test!, credentials, {
      Authorization: `Bearer ${token.access_token}`,
    })
    expect(ok.status).toBe(200)
  })
})

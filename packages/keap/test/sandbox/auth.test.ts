import { pkceChallenge } from "@crmkit/sandbox"
import { describe, expect, it } from "vitest"
import {
  bearer,
  keapBasicAuth,
  keapTokens,
  patHeaders,
  postForm,
  readJson,
  sendJson,
  useSandbox,
  withSandbox,
} from "./support.ts"

describe("Keap OAuth", () => {
  const sandbox = useSandbox({ rateLimits: false })

  it("authorize redirects to the redirect URI with a code and the state", async () => {
    const s = sandbox()
    const app = s.credentials.keap.oauthApp
    const url = new URL(s.keap.authorizeUrl)
    url.search = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: "http://127.0.0.1:53682/callback",
      response_type: "code",
      scope: "full",
      state: "xyz-123",
    }).toString()
    const response = await fetch(url, { redirect: "manual" })
    expect(response.status).toBe(302)
    const location = new URL(response.headers.get("location") as string)
    expect(location.origin + location.pathname).toBe("http://127.0.0.1:53682/callback")
    expect(location.searchParams.get("state")).toBe("xyz-123")
    const code = location.searchParams.get("code") as string
    expect(code.length).toBeGreaterThan(10)

    const exchange = await postForm(s.keap.tokenUrl, {
      grant_type: "authorization_code",
      code,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: "http://127.0.0.1:53682/callback",
    })
    expect(exchange.status).toBe(200)
    const tokens = await readJson(exchange)
    expect(tokens).toMatchObject({ token_type: "bearer", expires_in: 86400, scope: "full" })
    expect(typeof tokens.access_token).toBe("string")
    expect(typeof tokens.refresh_token).toBe("string")
  })

  it("authorize refuses an unknown client and an unregistered redirect URI without redirecting", async () => {
    const s = sandbox()
    const app = s.credentials.keap.oauthApp
    const badClient = await fetch(
      `${s.keap.authorizeUrl}?client_id=nope&redirect_uri=${encodeURIComponent(app.redirectUri)}&response_type=code`,
      {
        redirect: "manual",
      },
    )
    expect(badClient.status).toBe(400)
    expect(await readJson(badClient)).toMatchObject({ error: "invalid_client" })
    const badRedirect = await fetch(
      `${s.keap.authorizeUrl}?client_id=${app.clientId}&redirect_uri=https://evil.example/cb&response_type=code`,
      {
        redirect: "manual",
      },
    )
    expect(badRedirect.status).toBe(400)
    expect(await readJson(badRedirect)).toMatchObject({ error: "invalid_request" })
  })

  it("authorize redirects protocol errors back to the client", async () => {
    const s = sandbox()
    const app = s.credentials.keap.oauthApp
    const response = await fetch(
      `${s.keap.authorizeUrl}?client_id=${app.clientId}&redirect_uri=${encodeURIComponent(app.redirectUri)}&response_type=token&state=s1`,
      { redirect: "manual" },
    )
    expect(response.status).toBe(302)
    const location = new URL(response.headers.get("location") as string)
    expect(location.searchParams.get("error")).toBe("unsupported_response_type")
    expect(location.searchParams.get("state")).toBe("s1")
  })

  it("authorization codes are single-use", async () => {
    const s = sandbox()
    const app = s.credentials.keap.oauthApp
    const code = s.keap.issueAuthorizationCode()
    const fields = {
      grant_type: "authorization_code",
      code,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: app.redirectUri,
    }
    expect((await postForm(s.keap.tokenUrl, fields)).status).toBe(200)
    const again = await postForm(s.keap.tokenUrl, fields)
    expect(again.status).toBe(400)
    expect(await readJson(again)).toEqual({ error: "invalid_grant", error_description: "Invalid Authorization Code" })
  })

  it("rejects a redirect_uri different from the one the code was issued for", async () => {
    const s = sandbox()
    const app = s.credentials.keap.oauthApp
    const response = await postForm(s.keap.tokenUrl, {
      grant_type: "authorization_code",
      code: s.keap.issueAuthorizationCode(),
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: "https://other.example/cb",
    })
    expect(response.status).toBe(400)
    expect(await readJson(response)).toMatchObject({ error: "invalid_grant" })
  })

  it("a refresh whose client hung up while it was held back is dropped unserved: the token is not spent", async () => {
    const s = sandbox()
    const first = await keapTokens(s)
    s.faults.inject({ kind: "latency", latencyMs: 400, path: "/keap/token" })
    const abort = new AbortController()
    const lost = fetch(s.keap.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...keapBasicAuth(s) },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: first.refresh_token }),
      signal: abort.signal,
    })
    setTimeout(() => abort.abort(), 100)
    await expect(lost).rejects.toThrow()
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(s.stats.abandoned).toBe(1)
    expect(s.stats.refreshes).toBe(0)
    const retried = await postForm(
      s.keap.tokenUrl,
      { grant_type: "refresh_token", refresh_token: first.refresh_token },
      keapBasicAuth(s),
    )
    expect(retried.status).toBe(200)
  })

  it("refresh tokens rotate and the old one is refused (single use)", async () => {
    const s = sandbox()
    const first = await keapTokens(s)
    const refreshed = await postForm(
      s.keap.tokenUrl,
      { grant_type: "refresh_token", refresh_token: first.refresh_token },
      keapBasicAuth(s),
    )
    expect(refreshed.status).toBe(200)
    const second = await readJson(refreshed)
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect(second.access_token).not.toBe(first.access_token)

    const reused = await postForm(
      s.keap.tokenUrl,
      { grant_type: "refresh_token", refresh_token: first.refresh_token },
      keapBasicAuth(s),
    )
    expect(reused.status).toBe(400)
    expect(await readJson(reused)).toEqual({ error: "invalid_grant", error_description: "Invalid Refresh Token" })

    // The new access token works; the new refresh token works once.
    const api = await fetch(`${s.keap.baseUrl}/v2/contacts?page_size=1`, { headers: bearer(second.access_token) })
    expect(api.status).toBe(200)
    const third = await postForm(
      s.keap.tokenUrl,
      { grant_type: "refresh_token", refresh_token: second.refresh_token },
      keapBasicAuth(s),
    )
    expect(third.status).toBe(200)
  })

  it("refuses bad client credentials with 401 invalid_client", async () => {
    const s = sandbox()
    const tokens = await keapTokens(s)
    const wrongSecret = {
      authorization: `Basic ${Buffer.from(`${s.credentials.keap.oauthApp.clientId}:wrong`).toString("base64")}`,
    }
    const response = await postForm(
      s.keap.tokenUrl,
      { grant_type: "refresh_token", refresh_token: tokens.refresh_token },
      wrongSecret,
    )
    expect(response.status).toBe(401)
    expect(await readJson(response)).toMatchObject({ error: "invalid_client" })
  })

  it("requires a form-encoded body and a supported grant_type", async () => {
    const s = sandbox()
    const asJson = await sendJson(s.keap.tokenUrl, "POST", { grant_type: "refresh_token", refresh_token: "x" })
    expect(asJson.status).toBe(400)
    expect(await readJson(asJson)).toMatchObject({ error: "invalid_request" })
    const password = await postForm(s.keap.tokenUrl, { grant_type: "password" }, keapBasicAuth(s))
    expect(password.status).toBe(400)
    expect(await readJson(password)).toMatchObject({ error: "unsupported_grant_type" })
  })

  it("PKCE: a code bound to a challenge needs the matching code_verifier", async () => {
    const s = sandbox()
    const app = s.credentials.keap.oauthApp
    const verifier = "a-very-long-code-verifier-with-enough-entropy-0123456789"
    const redirectUri = "http://127.0.0.1:40000/cb"
    const authorize = await fetch(
      `${s.keap.authorizeUrl}?${new URLSearchParams({
        client_id: app.clientId,
        redirect_uri: redirectUri,
        response_type: "code",
        code_challenge: pkceChallenge(verifier),
        code_challenge_method: "S256",
      })}`,
      { redirect: "manual" },
    )
    const code = new URL(authorize.headers.get("location") as string).searchParams.get("code") as string
    const base = {
      grant_type: "authorization_code",
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: redirectUri,
    }

    const missing = await postForm(s.keap.tokenUrl, { ...base, code })
    expect(missing.status).toBe(400)
    expect(await readJson(missing)).toMatchObject({
      error: "invalid_grant",
      error_description: "Invalid code_verifier",
    })

    const secondCode = s.keap.issueAuthorizationCode({
      redirectUri,
      codeChallenge: pkceChallenge(verifier),
      codeChallengeMethod: "S256",
    })
    const wrong = await postForm(s.keap.tokenUrl, { ...base, code: secondCode, code_verifier: `${verifier}-nope` })
    expect(wrong.status).toBe(400)

    const thirdCode = s.keap.issueAuthorizationCode({
      redirectUri,
      codeChallenge: pkceChallenge(verifier),
      codeChallengeMethod: "S256",
    })
    const ok = await postForm(s.keap.tokenUrl, { ...base, code: thirdCode, code_verifier: verifier })
    expect(ok.status).toBe(200)
  })
})

describe("Keap API authentication", () => {
  const sandbox = useSandbox({ rateLimits: false })

  it("accepts a PAT and a SAK in X-Keap-API-Key, and a PAT as Bearer", async () => {
    const s = sandbox()
    const url = `${s.keap.baseUrl}/v2/contacts?page_size=1`
    expect((await fetch(url, { headers: patHeaders(s) })).status).toBe(200)
    expect((await fetch(url, { headers: { "X-Keap-API-Key": s.credentials.keap.serviceAccountKey } })).status).toBe(200)
    expect((await fetch(url, { headers: bearer(s.credentials.keap.personalAccessToken) })).status).toBe(200)
  })

  it("answers unknown or missing tokens with the gateway fault envelope", async () => {
    const s = sandbox()
    const url = `${s.keap.baseUrl}/v2/contacts`
    for (const headers of [{}, bearer("not-a-token")]) {
      const response = await fetch(url, { headers })
      expect(response.status).toBe(401)
      expect(await readJson(response)).toEqual({
        fault: {
          faultstring: "Invalid Access Token",
          detail: { errorcode: "keymanagement.service.invalid_access_token" },
        },
      })
    }
    const badKey = await fetch(url, { headers: { "X-Keap-API-Key": "KeapAK-nope" } })
    expect(badKey.status).toBe(401)
    expect((await readJson(badKey)).fault.faultstring).toBe("Invalid ApiKey")
  })

  it("expires access tokens after accessTokenTtlSeconds of sandbox time", async () => {
    await withSandbox({ rateLimits: false, accessTokenTtlSeconds: 60 }, async (s) => {
      const tokens = await keapTokens(s)
      expect(tokens.expires_in).toBe(60)
      const url = `${s.keap.baseUrl}/v2/contacts?page_size=1`
      expect((await fetch(url, { headers: bearer(tokens.access_token) })).status).toBe(200)
      s.clock.advance(61_000)
      const expired = await fetch(url, { headers: bearer(tokens.access_token) })
      expect(expired.status).toBe(401)
      expect((await readJson(expired)).fault.faultstring).toBe("Invalid Access Token")
      // The refresh token still works and yields a fresh access token.
      const refreshed = await postForm(
        s.keap.tokenUrl,
        { grant_type: "refresh_token", refresh_token: tokens.refresh_token },
        keapBasicAuth(s),
      )
      const renewed = await readJson(refreshed)
      expect((await fetch(url, { headers: bearer(renewed.access_token) })).status).toBe(200)
    })
  })
})

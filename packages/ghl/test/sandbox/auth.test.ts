import { pkceChallenge, type SandboxServer } from "@crmkit/sandbox"
import { describe, expect, it } from "vitest"
import { REQUIRED_SCOPE_HEADER } from "../../src/sandbox/index.ts"
import {
  GHL_VERSION,
  ghlHeaders,
  ghlTokens,
  pitHeaders,
  postForm,
  readJson,
  sendJson,
  useSandbox,
  withSandbox,
} from "./support.ts"

const listUrl = (s: SandboxServer) => `${s.ghl.baseUrl}/contacts/?locationId=${s.credentials.ghl.locationId}&limit=1`

function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8"))
}

describe("GHL Version header", () => {
  const sandbox = useSandbox({ rateLimits: false })

  it("is required on API routes", async () => {
    const s = sandbox()
    const response = await fetch(listUrl(s), {
      headers: { authorization: `Bearer ${s.credentials.ghl.privateIntegrationToken}` },
    })
    expect(response.status).toBe(400)
    const body = await readJson(response)
    expect(body).toMatchObject({ statusCode: 400, message: "version header is required" })
    expect(body.traceId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it("refuses unknown versions and accepts the documented ones", async () => {
    const s = sandbox()
    const headers = (version: string) => ({ ...pitHeaders(s), Version: version })
    expect((await fetch(listUrl(s), { headers: headers("1999-01-01") })).status).toBe(400)
    for (const version of ["2021-07-28", "2021-04-15", "2023-02-21"]) {
      expect((await fetch(listUrl(s), { headers: headers(version) })).status, version).toBe(200)
    }
  })

  it("is not required on the token endpoint", async () => {
    const s = sandbox()
    const tokens = await ghlTokens(s)
    expect(tokens.access_token).toBeTypeOf("string")
  })
})

describe("GHL OAuth", () => {
  const sandbox = useSandbox({ rateLimits: false })

  it("chooselocation redirects with a code that exchanges for a Location token", async () => {
    const s = sandbox()
    const app = s.credentials.ghl.oauthApp
    const redirectUri = "http://localhost:8765/callback"
    const response = await fetch(
      `${s.ghl.authorizeUrl}?${new URLSearchParams({
        response_type: "code",
        client_id: app.clientId,
        redirect_uri: redirectUri,
        scope: "contacts.readonly contacts.write",
        state: "st4te",
      })}`,
      { redirect: "manual" },
    )
    expect(response.status).toBe(302)
    const location = new URL(response.headers.get("location") as string)
    expect(location.searchParams.get("state")).toBe("st4te")
    const exchange = await postForm(s.ghl.tokenUrl, {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: "authorization_code",
      code: location.searchParams.get("code") as string,
      user_type: "Location",
      redirect_uri: redirectUri,
    })
    expect(exchange.status).toBe(200)
    const tokens = await readJson(exchange)
    expect(tokens).toMatchObject({
      token_type: "Bearer",
      expires_in: 86400,
      scope: "contacts.readonly contacts.write",
      userType: "Location",
      locationId: s.credentials.ghl.locationId,
      companyId: s.credentials.ghl.companyId,
      userId: s.credentials.ghl.userId,
    })
    expect(jwtPayload(tokens.access_token)).toMatchObject({
      authClass: "Location",
      authClassId: s.credentials.ghl.locationId,
    })
    expect((await fetch(listUrl(s), { headers: ghlHeaders(tokens.access_token) })).status).toBe(200)
  })

  it("chooselocation refuses scopes the app does not have", async () => {
    const s = sandbox()
    const app = s.credentials.ghl.oauthApp
    const response = await fetch(
      `${s.ghl.authorizeUrl}?response_type=code&client_id=${app.clientId}&redirect_uri=${encodeURIComponent(app.redirectUri)}&scope=payments.write`,
      { redirect: "manual" },
    )
    expect(new URL(response.headers.get("location") as string).searchParams.get("error")).toBe("invalid_scope")
  })

  it("refresh tokens rotate; the old one is refused with invalid_grant", async () => {
    const s = sandbox()
    const app = s.credentials.ghl.oauthApp
    const first = await ghlTokens(s)
    const refresh = (token: string) =>
      postForm(s.ghl.tokenUrl, {
        client_id: app.clientId,
        client_secret: app.clientSecret,
        grant_type: "refresh_token",
        refresh_token: token,
        user_type: "Location",
      })
    const refreshed = await refresh(first.refresh_token)
    expect(refreshed.status).toBe(200)
    const second = await readJson(refreshed)
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect(second.locationId).toBe(s.credentials.ghl.locationId)

    const reused = await refresh(first.refresh_token)
    expect(reused.status).toBe(401)
    expect(await readJson(reused)).toMatchObject({
      statusCode: 401,
      message: "Invalid grant: refresh token is invalid",
      error: "invalid_grant",
    })
    expect((await refresh(second.refresh_token)).status).toBe(200)
  })

  it("answers missing fields with 422 and a message array (also when the body is JSON)", async () => {
    const s = sandbox()
    const missing = await postForm(s.ghl.tokenUrl, { client_id: s.credentials.ghl.oauthApp.clientId })
    expect(missing.status).toBe(422)
    const body = await readJson(missing)
    expect(body.statusCode).toBe(422)
    expect(body.error).toBe("Unprocessable Entity")
    expect(body.message).toEqual(
      expect.arrayContaining(["client_secret should not be empty", "grant_type should not be empty"]),
    )

    const asJson = await sendJson(s.ghl.tokenUrl, "POST", { grant_type: "refresh_token" })
    expect(asJson.status).toBe(422)
    expect((await readJson(asJson)).message).toContain("grant_type must be a valid enum value")
  })

  it("refuses bad client credentials", async () => {
    const s = sandbox()
    const response = await postForm(s.ghl.tokenUrl, {
      client_id: s.credentials.ghl.oauthApp.clientId,
      client_secret: "wrong",
      grant_type: "authorization_code",
      code: s.ghl.issueAuthorizationCode(),
    })
    expect(response.status).toBe(401)
    expect((await readJson(response)).error).toBe("invalid_client")
  })

  it("PKCE: requires the matching code_verifier", async () => {
    const s = sandbox()
    const app = s.credentials.ghl.oauthApp
    const verifier = "ghl-verifier-ghl-verifier-ghl-verifier-0123456789"
    const exchange = (code: string, codeVerifier?: string) =>
      postForm(s.ghl.tokenUrl, {
        client_id: app.clientId,
        client_secret: app.clientSecret,
        grant_type: "authorization_code",
        code,
        redirect_uri: app.redirectUri,
        ...(codeVerifier === undefined ? {} : { code_verifier: codeVerifier }),
      })
    const binding = { codeChallenge: pkceChallenge(verifier), codeChallengeMethod: "S256" as const }
    const without = await exchange(s.ghl.issueAuthorizationCode(binding))
    expect(without.status).toBe(401)
    expect((await readJson(without)).message).toContain("code_verifier")
    expect(
      (await exchange(s.ghl.issueAuthorizationCode(binding), "wrong-wrong-wrong-wrong-wrong-wrong-wrong-wrong")).status,
    ).toBe(401)
    expect((await exchange(s.ghl.issueAuthorizationCode(binding), verifier)).status).toBe(200)
  })

  it("an Agency token mints a Location token via /oauth/locationToken", async () => {
    const s = sandbox()
    const { companyId, locationId } = s.credentials.ghl
    const agency = await ghlTokens(s, "Company")
    expect(agency).toMatchObject({ userType: "Company", companyId, approvedLocations: [locationId] })
    expect(agency.locationId).toBeUndefined()

    // An agency token cannot read location contacts directly.
    const direct = await fetch(listUrl(s), { headers: ghlHeaders(agency.access_token) })
    expect(direct.status).toBe(401)
    expect((await readJson(direct)).message).toContain("authClass")

    const noVersion = await postForm(
      s.ghl.locationTokenUrl,
      { companyId, locationId },
      { authorization: `Bearer ${agency.access_token}` },
    )
    expect(noVersion.status).toBe(400)

    const minted = await postForm(s.ghl.locationTokenUrl, { companyId, locationId }, ghlHeaders(agency.access_token))
    expect(minted.status).toBe(200)
    const location = await readJson(minted)
    expect(location).toMatchObject({ token_type: "Bearer", locationId, userType: "Location" })
    expect(location.refresh_token).toBeUndefined()
    expect((await fetch(listUrl(s), { headers: ghlHeaders(location.access_token) })).status).toBe(200)

    const otherLocation = await postForm(
      s.ghl.locationTokenUrl,
      { companyId, locationId: "x".repeat(20) },
      ghlHeaders(agency.access_token),
    )
    expect(otherLocation.status).toBe(403)
    const missing = await postForm(s.ghl.locationTokenUrl, { companyId }, ghlHeaders(agency.access_token))
    expect(missing.status).toBe(422)
    expect((await readJson(missing)).message).toEqual(["locationId should not be empty"])

    // Location tokens and PITs may not mint location tokens (Agency-Access-Only).
    const byLocation = await postForm(
      s.ghl.locationTokenUrl,
      { companyId, locationId },
      ghlHeaders(location.access_token),
    )
    expect(byLocation.status).toBe(401)
    const byPit = await postForm(s.ghl.locationTokenUrl, { companyId, locationId }, pitHeaders(s))
    expect(byPit.status).toBe(401)
  })
})

describe("GHL API authentication and scopes", () => {
  const sandbox = useSandbox({ rateLimits: false })

  it("accepts the location PIT and refuses unknown tokens", async () => {
    const s = sandbox()
    expect((await fetch(listUrl(s), { headers: pitHeaders(s) })).status).toBe(200)
    const unknown = await fetch(listUrl(s), { headers: ghlHeaders("pit-00000000-0000-4000-8000-000000000000") })
    expect(unknown.status).toBe(401)
    expect(await readJson(unknown)).toMatchObject({
      statusCode: 401,
      message: "Invalid token: access token is invalid",
      error: "Unauthorized",
    })
    const none = await fetch(listUrl(s), { headers: { Version: GHL_VERSION } })
    expect(none.status).toBe(401)
  })

  it("refuses a legacy v1 API key with an end-of-life message", async () => {
    const s = sandbox()
    const response = await fetch(listUrl(s), { headers: ghlHeaders(s.credentials.ghl.legacyApiKey) })
    expect(response.status).toBe(401)
    const body = await readJson(response)
    expect(body.message).toMatch(/v1/i)
    expect(body.message).toMatch(/end-of-life/)
  })

  it("enforces route scopes and names the missing one in a header", async () => {
    const s = sandbox()
    const readOnly = ghlHeaders(s.credentials.ghl.readOnlyPrivateIntegrationToken)
    expect((await fetch(listUrl(s), { headers: readOnly })).status).toBe(200)
    const create = await sendJson(
      `${s.ghl.baseUrl}/contacts/`,
      "POST",
      { locationId: s.credentials.ghl.locationId, firstName: "No" },
      readOnly,
    )
    expect(create.status).toBe(401)
    expect(create.headers.get(REQUIRED_SCOPE_HEADER)).toBe("contacts.write")
    expect(await readJson(create)).toMatchObject({
      statusCode: 401,
      message: "The token is not authorized for this scope.",
      error: "Unauthorized",
      traceId: expect.any(String),
    })
  })

  it("an OAuth token only has the scopes it was granted", async () => {
    const s = sandbox()
    const app = s.credentials.ghl.oauthApp
    const code = s.ghl.issueAuthorizationCode({ scopes: ["contacts.readonly"] })
    const tokens = await readJson(
      await postForm(s.ghl.tokenUrl, {
        client_id: app.clientId,
        client_secret: app.clientSecret,
        grant_type: "authorization_code",
        code,
        redirect_uri: app.redirectUri,
      }),
    )
    const id = (await readJson(await fetch(listUrl(s), { headers: ghlHeaders(tokens.access_token) }))).contacts[0].id
    const del = await fetch(`${s.ghl.baseUrl}/contacts/${id}`, {
      method: "DELETE",
      headers: ghlHeaders(tokens.access_token),
    })
    expect(del.status).toBe(401)
    expect(del.headers.get(REQUIRED_SCOPE_HEADER)).toBe("contacts.write")
  })

  it("expires access tokens with the sandbox clock (401 Invalid JWT), and JWT exp matches", async () => {
    await withSandbox({ rateLimits: false, accessTokenTtlSeconds: 3600 }, async (s) => {
      const tokens = await ghlTokens(s)
      const exp = jwtPayload(tokens.access_token).exp as number
      expect(Math.abs(exp - Math.floor(s.clock.now() / 1000) - 3600)).toBeLessThanOrEqual(2)
      s.clock.advance(3601_000)
      const response = await fetch(listUrl(s), { headers: ghlHeaders(tokens.access_token) })
      expect(response.status).toBe(401)
      expect((await readJson(response)).message).toBe("Invalid JWT")
    })
  })
})

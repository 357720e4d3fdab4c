import { describe, expect, it } from "vitest"
import { startSandbox } from "../src/index.ts"
import {
  bearer,
  keapBasicAuth,
  keapTokens,
  patHeaders,
  pitHeaders,
  postForm,
  readJson,
  sendJson,
  startBoth,
  useSandbox,
  withSandbox,
} from "./support.ts"

describe("startSandbox", () => {
  const sandbox = useSandbox({ rateLimits: false, contacts: { keap: 5, ghl: 5 } })

  it("listens on 127.0.0.1 and lays providers out under their own prefixes", () => {
    const s = sandbox()
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`)
    expect(s.port).toBeGreaterThan(0)
    expect(s.seed).toBe(42)
    expect(s.keap).toMatchObject({
      baseUrl: `${s.url}/keap/crm/rest`,
      tokenUrl: `${s.url}/keap/token`,
      authorizeUrl: `${s.url}/keap/app/oauth/authorize`,
    })
    expect(s.ghl).toMatchObject({
      baseUrl: `${s.url}/ghl`,
      tokenUrl: `${s.url}/ghl/oauth/token`,
      locationTokenUrl: `${s.url}/ghl/oauth/locationToken`,
      authorizeUrl: `${s.url}/ghl/oauth/chooselocation`,
    })
  })

  it("exposes seeded, fake credentials of the expected shapes", () => {
    const { keap, ghl } = sandbox().credentials
    expect(keap.oauthApp.clientId).toMatch(/^[A-Za-z0-9]{48}$/)
    expect(keap.personalAccessToken).toMatch(/^KeapAK-/)
    expect(keap.serviceAccountKey).toMatch(/^KeapAK-/)
    expect(keap.serviceAccountKey).not.toBe(keap.personalAccessToken)
    expect(ghl.oauthApp.clientId).toMatch(/^[0-9a-f]{24}-[a-z0-9]{8}$/)
    expect(ghl.oauthApp.scopes).toEqual(expect.arrayContaining(["contacts.readonly", "contacts.write", "oauth.write"]))
    expect(ghl.locationId).toMatch(/^[A-Za-z0-9]{20}$/)
    expect(ghl.companyId).toMatch(/^[A-Za-z0-9]{20}$/)
    expect(ghl.privateIntegrationToken).toMatch(/^pit-[0-9a-f-]{36}$/)
    expect(ghl.readOnlyPrivateIntegrationToken).toMatch(/^pit-/)
    expect(ghl.legacyApiKey.split(".")).toHaveLength(3)
  })

  it("answers paths outside any provider with 404", async () => {
    const response = await fetch(`${sandbox().url}/salesforce/whatever`)
    expect(response.status).toBe(404)
    expect((await readJson(response)).prefixes).toEqual(["/keap", "/ghl"])
  })

  it("answers a malformed JSON body with a provider-shaped 400", async () => {
    const s = sandbox()
    const keap = await fetch(`${s.keap.baseUrl}/v2/contacts`, {
      method: "POST",
      headers: { ...patHeaders(s), "content-type": "application/json" },
      body: "{oops",
    })
    expect(keap.status).toBe(400)
    expect((await readJson(keap)).status).toBe("INVALID_ARGUMENT")
    const ghl = await fetch(`${s.ghl.baseUrl}/contacts/`, {
      method: "POST",
      headers: { ...pitHeaders(s), "content-type": "application/json" },
      body: "{oops",
    })
    expect(ghl.status).toBe(400)
    expect((await readJson(ghl)).statusCode).toBe(400)
  })

  it("adds baseline latency to provider requests when configured", async () => {
    await withSandbox({ latencyMs: 120, rateLimits: false }, async (s) => {
      const started = performance.now()
      await (await fetch(`${s.keap.baseUrl}/v2/contacts?page_size=1`, { headers: patHeaders(s) })).arrayBuffer()
      expect(performance.now() - started).toBeGreaterThanOrEqual(110)
    })
  })

  it("refuses invalid options", async () => {
    await expect(startBoth({ contacts: { keap: -1 } })).rejects.toThrow(/keap\.contacts/)
    await expect(startBoth({ rateLimits: { ghl: { burst: { limit: 1, windowMs: 0 } } } })).rejects.toThrow(/windowMs/)
    await expect(startSandbox({ simulators: {} })).rejects.toThrow(/at least one simulator/)
    await expect(startBoth({ seed: -2 })).rejects.toThrow(/seed/)
  })

  it("close() stops the server and is idempotent", async () => {
    const s = await startBoth()
    await s.close()
    await s.close()
    await expect(fetch(`${s.url}/__sandbox/stats`)).rejects.toThrow()
  })
})

describe("stats", () => {
  it("counts requests per provider and route, 401s, 429s, token grants and refreshes", async () => {
    await withSandbox({ rateLimits: { ghl: { burst: { limit: 1, windowMs: 10_000 } } } }, async (s) => {
      s.clock.freeze()
      const tokens = await keapTokens(s)
      await postForm(
        s.keap.tokenUrl,
        { grant_type: "refresh_token", refresh_token: tokens.refresh_token },
        keapBasicAuth(s),
      )
      await postForm(
        s.keap.tokenUrl,
        { grant_type: "refresh_token", refresh_token: tokens.refresh_token },
        keapBasicAuth(s),
      )
      await fetch(`${s.keap.baseUrl}/v2/contacts/1`, { headers: bearer("nope") })
      await fetch(`${s.keap.baseUrl}/v2/contacts/2`, { headers: patHeaders(s) })
      const ghlUrl = `${s.ghl.baseUrl}/contacts/?locationId=${s.credentials.ghl.locationId}`
      await fetch(ghlUrl, { headers: pitHeaders(s) })
      await fetch(ghlUrl, { headers: pitHeaders(s) })

      expect(s.stats.requests).toBe(7)
      expect(s.stats.route("POST /keap/token")).toBe(3)
      expect(s.stats.route("GET /keap/crm/rest/v2/contacts/:id")).toBe(2)
      expect(s.stats.route("GET /ghl/contacts/")).toBe(2)
      expect(s.stats.tokenGrants).toBe(2)
      expect(s.stats.refreshes).toBe(1)
      expect(s.stats.rejectedRefreshes).toBe(1)
      expect(s.stats.unauthorized).toBe(1)
      expect(s.stats.rateLimited).toBe(1)
      expect(s.stats.provider("keap")).toMatchObject({
        requests: 5,
        tokenGrants: 2,
        refreshes: 1,
        unauthorized: 1,
        rateLimited: 0,
      })
      expect(s.stats.provider("ghl")).toMatchObject({ requests: 2, rateLimited: 1 })
      expect(s.stats.status(200)).toBe(4)

      const overHttp = await readJson(await fetch(`${s.url}/__sandbox/stats`))
      expect(overHttp).toEqual(JSON.parse(JSON.stringify(s.stats.snapshot())))
      expect(overHttp.byRoute["POST /keap/token"]).toBe(3)
      expect(s.stats.requests).toBe(7)

      s.stats.reset()
      expect(s.stats.requests).toBe(0)
      expect(s.stats.route("POST /keap/token")).toBe(0)
      await fetch(`${s.keap.baseUrl}/v2/contacts/2`, { headers: patHeaders(s) })
      expect((await fetch(`${s.url}/__sandbox/stats`, { method: "DELETE" })).status).toBe(204)
      expect(s.stats.requests).toBe(0)
    })
  })
})

describe("admin clock and credentials endpoints", () => {
  const sandbox = useSandbox({ rateLimits: false, accessTokenTtlSeconds: 120 })

  it("POST /__sandbox/clock advances the clock (expiring tokens)", async () => {
    const s = sandbox()
    const tokens = await keapTokens(s)
    const advanced = await sendJson(`${s.url}/__sandbox/clock`, "POST", { advanceMs: 121_000 })
    expect(advanced.status).toBe(200)
    expect((await readJson(advanced)).offsetMs).toBeGreaterThanOrEqual(120_000)
    expect((await fetch(`${s.keap.baseUrl}/v2/contacts/1`, { headers: bearer(tokens.access_token) })).status).toBe(401)
    expect((await sendJson(`${s.url}/__sandbox/clock`, "POST", { advanceMs: "soon" })).status).toBe(400)
  })

  it("GET /__sandbox/credentials returns the same credentials", async () => {
    const s = sandbox()
    expect(await readJson(await fetch(`${s.url}/__sandbox/credentials`))).toEqual(
      JSON.parse(JSON.stringify(s.credentials)),
    )
    expect((await fetch(`${s.url}/__sandbox/nothing`)).status).toBe(404)
  })
})

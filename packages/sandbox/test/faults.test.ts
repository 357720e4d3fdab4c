import { describe, expect, it } from "vitest"
import type { SandboxServer } from "../src/index.ts"
import { patHeaders, pitHeaders, postForm, readJson, sendJson, useSandbox, withSandbox } from "./support.ts"

const keapList = (s: SandboxServer) => fetch(`${s.keap.baseUrl}/v2/contacts?page_size=2`, { headers: patHeaders(s) })
const ghlList = (s: SandboxServer) =>
  fetch(`${s.ghl.baseUrl}/contacts/?locationId=${s.credentials.ghl.locationId}&limit=2`, { headers: pitHeaders(s) })

describe("fault injection", () => {
  const sandbox = useSandbox({ rateLimits: false })

  it("429 in Keap's shape with Keap's headers, for exactly `count` requests", async () => {
    const s = sandbox()
    s.faults.inject({ kind: "429", count: 2, path: "/keap/" })
    const first = await keapList(s)
    expect(first.status).toBe(429)
    expect(await readJson(first)).toEqual({
      code: "429",
      message: "Quota Exceeded",
      status: "Request Throttled",
      details: null,
    })
    expect(first.headers.get("x-keap-product-throttle-available")).toBe("0")
    expect(first.headers.get("x-keap-tenant-throttle-limit")).toBe("10|240")
    expect((await keapList(s)).status).toBe(429)
    expect((await keapList(s)).status).toBe(200)
  })

  it("429 in GHL's shape with GHL's headers", async () => {
    const s = sandbox()
    s.faults.inject({ kind: "429", path: "/ghl/contacts" })
    const response = await ghlList(s)
    expect(response.status).toBe(429)
    expect(await readJson(response)).toMatchObject({ statusCode: 429, message: "Too Many Requests" })
    expect(response.headers.get("X-RateLimit-Remaining")).toBe("0")
    expect(response.headers.get("X-RateLimit-Max")).toBe("100")
    expect((await ghlList(s)).status).toBe(200)
  })

  it("5xx defaults to 503 with a provider-shaped body; status is configurable", async () => {
    const s = sandbox()
    s.faults.inject({ kind: "5xx", path: "/keap/crm" })
    const keap = await keapList(s)
    expect(keap.status).toBe(503)
    expect(await readJson(keap)).toMatchObject({ code: 503, status: "UNAVAILABLE" })

    s.faults.inject({ kind: "5xx", status: 502, path: "/ghl/" })
    const ghl = await ghlList(s)
    expect(ghl.status).toBe(502)
    expect(await readJson(ghl)).toMatchObject({ statusCode: 502, message: "Bad Gateway" })

    s.faults.inject({ kind: "5xx", path: "/keap/token" })
    const token = await postForm(s.keap.tokenUrl, { grant_type: "refresh_token", refresh_token: "x" })
    expect(token.status).toBe(503)
    expect(await readJson(token)).toMatchObject({ error: "server_error" })
  })

  it("latency delays the response, then serves it normally", async () => {
    const s = sandbox()
    s.faults.inject({ kind: "latency", latencyMs: 250, path: "/keap/" })
    const started = performance.now()
    const response = await keapList(s)
    expect(performance.now() - started).toBeGreaterThanOrEqual(240)
    expect(response.status).toBe(200)
    const fast = performance.now()
    await keapList(s)
    expect(performance.now() - fast).toBeLessThan(200)
  })

  it("reset destroys the connection without a response", async () => {
    const s = sandbox()
    s.faults.inject({ kind: "reset", path: /\/ghl\/contacts\/?$/ })
    await expect(ghlList(s)).rejects.toThrow()
    expect((await ghlList(s)).status).toBe(200)
  })

  it("malformed answers 200 with a truncated JSON body", async () => {
    const s = sandbox()
    s.faults.inject({ kind: "malformed", path: "/keap/crm/rest/v2/contacts" })
    const response = await keapList(s)
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toContain("application/json")
    const text = await response.text()
    expect(text.startsWith("{")).toBe(true)
    expect(() => JSON.parse(text)).toThrow()
    expect(JSON.parse(await (await keapList(s)).text()).contacts).toHaveLength(2)
  })

  it("only matching paths and methods are affected", async () => {
    const s = sandbox()
    s.faults.inject({ kind: "5xx", path: "/ghl/", method: "POST" })
    expect((await keapList(s)).status).toBe(200)
    expect((await ghlList(s)).status).toBe(200)
    const search = await sendJson(
      `${s.ghl.baseUrl}/contacts/search`,
      "POST",
      { locationId: s.credentials.ghl.locationId, pageLimit: 1 },
      pitHeaders(s),
    )
    expect(search.status).toBe(503)
    expect(s.faults.pending).toEqual([])
  })

  it("clear() disarms pending faults", async () => {
    const s = sandbox()
    s.faults.inject({ kind: "5xx", count: 5 })
    expect(s.faults.pending).toHaveLength(1)
    s.faults.clear()
    expect((await keapList(s)).status).toBe(200)
  })

  it("rejects invalid fault specs", () => {
    const s = sandbox()
    expect(() => s.faults.inject({ kind: "teapot" as never })).toThrow(/kind/)
    expect(() => s.faults.inject({ kind: "5xx", status: 404 })).toThrow(/500/)
    expect(() => s.faults.inject({ kind: "429", count: 0 })).toThrow(/count/)
  })

  it("POST/GET/DELETE /__sandbox/faults drive the same injector over HTTP", async () => {
    const s = sandbox()
    const injected = await sendJson(`${s.url}/__sandbox/faults`, "POST", {
      kind: "5xx",
      count: 2,
      status: 500,
      pathRegExp: "^/keap/crm",
    })
    expect(injected.status).toBe(201)
    expect((await readJson(injected)).pending).toEqual([
      { kind: "5xx", remaining: 2, path: "/^\\/keap\\/crm/", status: 500 },
    ])
    expect((await keapList(s)).status).toBe(500)
    expect((await readJson(await fetch(`${s.url}/__sandbox/faults`))).pending[0].remaining).toBe(1)
    expect((await fetch(`${s.url}/__sandbox/faults`, { method: "DELETE" })).status).toBe(204)
    expect((await keapList(s)).status).toBe(200)

    const batch = await sendJson(`${s.url}/__sandbox/faults`, "POST", [
      { kind: "latency", latencyMs: 5 },
      { kind: "malformed" },
    ])
    expect((await readJson(batch)).pending).toHaveLength(2)
    s.faults.clear()
    const invalid = await sendJson(`${s.url}/__sandbox/faults`, "POST", { kind: "meteor" })
    expect(invalid.status).toBe(400)
    expect((await readJson(invalid)).error).toMatch(/kind/)
  })

  it("faults can be armed at start", async () => {
    await withSandbox({ rateLimits: false, faults: [{ kind: "429", path: "/ghl/" }] }, async (s) => {
      expect((await ghlList(s)).status).toBe(429)
      expect((await ghlList(s)).status).toBe(200)
      expect(s.stats.fault("429")).toBe(1)
      expect(s.stats.faultsInjected).toBe(1)
    })
  })
})

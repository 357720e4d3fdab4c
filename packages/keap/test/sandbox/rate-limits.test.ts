import type { SandboxServer } from "@crmkit/sandbox"
import { describe, expect, it } from "vitest"
import { bearer, keapTokens, patHeaders, readJson, withSandbox } from "./support.ts"

const contactsUrl = (s: SandboxServer) => `${s.keap.baseUrl}/v2/contacts?page_size=1`

async function hit(s: SandboxServer, headers: Record<string, string>, times: number): Promise<Response[]> {
  const responses: Response[] = []
  for (let i = 0; i < times; i++) {
    const response = await fetch(contactsUrl(s), { headers })
    await response.arrayBuffer()
    responses.push(response)
  }
  return responses
}

const THROTTLED = { code: "429", message: "Quota Exceeded", status: "Request Throttled", details: null }

describe("Keap rate limits", () => {
  it("reports throttle, quota and (for PAT/SAK) tenant pipe-separated headers", async () => {
    await withSandbox({}, async (s) => {
      s.clock.freeze()
      const [response] = await hit(s, patHeaders(s), 1)
      const h = (name: string) => response?.headers.get(name)
      expect(h("x-keap-product-throttle-limit")).toBe("240")
      expect(h("x-keap-product-throttle-time-unit")).toBe("minute")
      expect(h("x-keap-product-throttle-interval")).toBe("1")
      expect(h("x-keap-product-throttle-available")).toBe("239")
      expect(h("x-keap-product-throttle-used")).toBe("1")
      expect(h("x-keap-product-quota-limit")).toBe("30000")
      expect(h("x-keap-product-quota-time-unit")).toBe("day")
      expect(h("x-keap-product-quota-interval")).toBe("1")
      expect(h("x-keap-product-quota-available")).toBe("29999")
      expect(h("x-keap-product-quota-used")).toBe("1")
      const nextUtcMidnight = (Math.floor(s.clock.now() / 86_400_000) + 1) * 86_400_000
      expect(h("x-keap-product-quota-expiry-time")).toBe(String(nextUtcMidnight))
      expect(h("x-keap-tenant-throttle-limit")).toBe("10|240")
      expect(h("x-keap-tenant-throttle-time-unit")).toBe("second|minute")
      expect(h("x-keap-tenant-throttle-interval")).toBe("1|1")
      expect(h("x-keap-tenant-throttle-available")).toBe("9|239")
      expect(h("x-keap-tenant-throttle-used")).toBe("1|1")

      const tokens = await keapTokens(s)
      const [oauth] = await hit(s, bearer(tokens.access_token), 1)
      expect(oauth?.headers.get("x-keap-product-throttle-limit")).toBe("1500")
      expect(oauth?.headers.get("x-keap-product-quota-limit")).toBe("150000")
      expect(oauth?.headers.get("x-keap-tenant-throttle-limit")).toBeNull()
    })
  })

  it("PAT spike window: the 11th request in a second gets 429, the next second is fine", async () => {
    await withSandbox({}, async (s) => {
      s.clock.freeze()
      const responses = await hit(s, patHeaders(s), 11)
      expect(responses.slice(0, 10).every((r) => r.status === 200)).toBe(true)
      const limited = await fetch(contactsUrl(s), { headers: patHeaders(s) })
      expect(limited.status).toBe(429)
      expect(await readJson(limited)).toEqual(THROTTLED)
      expect(limited.headers.get("x-keap-tenant-throttle-available")).toBe("0|230")
      expect(limited.headers.get("retry-after")).toBeNull()
      expect(responses[10]?.status).toBe(429)
      s.clock.advance(1000)
      expect((await hit(s, patHeaders(s), 1))[0]?.status).toBe(200)
    })
  })

  it("per-minute throttle window (small override) blocks until the minute rolls over", async () => {
    const apiKey = { spike: { limit: 100, windowMs: 1000 }, throttle: { limit: 4, windowMs: 60_000 } }
    await withSandbox({ rateLimits: { keap: { apiKey } } }, async (s) => {
      s.clock.freeze(Date.UTC(2030, 0, 1, 12, 0, 0))
      const statuses = (await hit(s, patHeaders(s), 5)).map((r) => r.status)
      expect(statuses).toEqual([200, 200, 200, 200, 429])
      s.clock.advance(30_000)
      expect((await hit(s, patHeaders(s), 1))[0]?.status).toBe(429)
      s.clock.advance(30_000)
      const [again] = await hit(s, patHeaders(s), 1)
      expect(again?.status).toBe(200)
      expect(again?.headers.get("x-keap-product-throttle-limit")).toBe("4")
      expect(again?.headers.get("x-keap-product-throttle-available")).toBe("3")
    })
  })

  it("daily quota window (small override) with its expiry time, reset at 00:00 UTC", async () => {
    const oauth = { quota: { limit: 3, windowMs: 86_400_000 } }
    await withSandbox({ rateLimits: { keap: { oauth } } }, async (s) => {
      s.clock.freeze(Date.UTC(2030, 0, 1, 23, 0, 0))
      const tokens = await keapTokens(s)
      const responses = await hit(s, bearer(tokens.access_token), 4)
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429])
      expect(responses[2]?.headers.get("x-keap-product-quota-available")).toBe("0")
      expect(responses[3]?.headers.get("x-keap-product-quota-expiry-time")).toBe(String(Date.UTC(2030, 0, 2)))
      s.clock.advance(60 * 60_000)
      expect((await hit(s, bearer(tokens.access_token), 1))[0]?.status).toBe(200)
    })
  })

  it("OAuth traffic is counted per app across tokens; PAT and SAK have separate buckets", async () => {
    const small = { spike: { limit: 2, windowMs: 1000 } }
    await withSandbox({ rateLimits: { keap: { oauth: small, apiKey: small } } }, async (s) => {
      s.clock.freeze()
      const a = await keapTokens(s)
      const b = await keapTokens(s)
      expect((await hit(s, bearer(a.access_token), 1))[0]?.status).toBe(200)
      expect((await hit(s, bearer(b.access_token), 1))[0]?.status).toBe(200)
      expect((await hit(s, bearer(a.access_token), 1))[0]?.status).toBe(429)

      expect((await hit(s, patHeaders(s), 2)).map((r) => r.status)).toEqual([200, 200])
      expect((await hit(s, patHeaders(s), 1))[0]?.status).toBe(429)
      const sak = { "X-Keap-API-Key": s.credentials.keap.serviceAccountKey }
      expect((await hit(s, sak, 1))[0]?.status).toBe(200)
    })
  })

  it("sends Retry-After only when configured", async () => {
    const apiKey = { spike: { limit: 1, windowMs: 1000 } }
    await withSandbox({ rateLimits: { keap: { apiKey } }, retryAfterHeader: { keap: true } }, async (s) => {
      s.clock.freeze(Date.UTC(2030, 0, 1, 0, 0, 0, 250))
      const [, limited] = await hit(s, patHeaders(s), 2)
      expect(limited?.status).toBe(429)
      expect(limited?.headers.get("retry-after")).toBe("1")
    })
  })

  it("rateLimits false never refuses but still reports usage", async () => {
    const apiKey = { spike: { limit: 2, windowMs: 1000 } }
    await withSandbox({ rateLimits: { keap: false, ghl: true } }, async (s) => {
      s.clock.freeze()
      const responses = await hit(s, patHeaders(s), 12)
      expect(responses.every((r) => r.status === 200)).toBe(true)
      expect(responses[11]?.headers.get("x-keap-tenant-throttle-used")).toBe("12|12")
      expect(responses[11]?.headers.get("x-keap-tenant-throttle-available")).toBe("0|228")
      expect(s.stats.rateLimited).toBe(0)
    })
    await withSandbox({ rateLimits: { keap: { apiKey } } }, async (s) => {
      s.clock.freeze()
      await hit(s, patHeaders(s), 3)
      expect(s.stats.rateLimited).toBe(1)
      expect(s.stats.provider("keap").rateLimited).toBe(1)
    })
  })
})

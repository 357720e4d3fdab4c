import type { SandboxServer } from "@crmkit/sandbox"
import { describe, expect, it } from "vitest"
import { ghlHeaders, ghlTokens, pitHeaders, readJson, withSandbox } from "./support.ts"

async function hit(s: SandboxServer, headers: Record<string, string>, times: number): Promise<Response[]> {
  const responses: Response[] = []
  for (let i = 0; i < times; i++) {
    const response = await fetch(`${s.ghl.baseUrl}/contacts/?locationId=${s.credentials.ghl.locationId}&limit=1`, {
      headers,
    })
    await response.arrayBuffer()
    responses.push(response)
  }
  return responses
}

describe("GHL rate limits", () => {
  it("sends the five X-RateLimit-* headers with GHL's published values", async () => {
    await withSandbox({}, async (s) => {
      s.clock.freeze()
      const [first, second] = await hit(s, pitHeaders(s), 2)
      expect(first?.headers.get("X-RateLimit-Max")).toBe("100")
      expect(first?.headers.get("X-RateLimit-Remaining")).toBe("99")
      expect(first?.headers.get("X-RateLimit-Interval-Milliseconds")).toBe("10000")
      expect(first?.headers.get("X-RateLimit-Limit-Daily")).toBe("200000")
      expect(first?.headers.get("X-RateLimit-Daily-Remaining")).toBe("199999")
      expect(second?.headers.get("X-RateLimit-Remaining")).toBe("98")
    })
  })

  it("burst window: over the limit answers 429 in GHL's shape until the window rolls over", async () => {
    await withSandbox({ rateLimits: { ghl: { burst: { limit: 3, windowMs: 10_000 } } } }, async (s) => {
      s.clock.freeze(Date.UTC(2030, 0, 1, 0, 0, 0))
      const responses = await hit(s, pitHeaders(s), 4)
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429])
      const limited = (await hit(s, pitHeaders(s), 1))[0] as Response
      expect(limited.status).toBe(429)
      expect(limited.headers.get("X-RateLimit-Remaining")).toBe("0")
      expect(limited.headers.get("Retry-After")).toBeNull()
      const again = await fetch(`${s.ghl.baseUrl}/contacts/?locationId=${s.credentials.ghl.locationId}`, {
        headers: pitHeaders(s),
      })
      const body = await readJson(again)
      expect(body).toEqual({ statusCode: 429, message: "Too Many Requests", traceId: expect.any(String) })
      s.clock.advance(10_000)
      expect((await hit(s, pitHeaders(s), 1))[0]?.status).toBe(200)
    })
  })

  it("daily window blocks until the next UTC day", async () => {
    await withSandbox({ rateLimits: { ghl: { daily: { limit: 2, windowMs: 86_400_000 } } } }, async (s) => {
      s.clock.freeze(Date.UTC(2030, 0, 1, 12, 0, 0))
      const responses = await hit(s, pitHeaders(s), 3)
      expect(responses.map((r) => r.status)).toEqual([200, 200, 429])
      expect(responses[1]?.headers.get("X-RateLimit-Daily-Remaining")).toBe("0")
      s.clock.advance(6 * 3_600_000)
      expect((await hit(s, pitHeaders(s), 1))[0]?.status).toBe(429)
      s.clock.advance(6 * 3_600_000)
      expect((await hit(s, pitHeaders(s), 1))[0]?.status).toBe(200)
    })
  })

  it("counts per app (or PIT) and resource: the OAuth app and each PIT have their own bucket", async () => {
    await withSandbox({ rateLimits: { ghl: { burst: { limit: 2, windowMs: 10_000 } } } }, async (s) => {
      s.clock.freeze()
      const a = await ghlTokens(s)
      const b = await ghlTokens(s)
      expect((await hit(s, ghlHeaders(a.access_token), 1))[0]?.status).toBe(200)
      expect((await hit(s, ghlHeaders(b.access_token), 1))[0]?.status).toBe(200)
      // Same app, same location: the third request from either token is over the limit.
      expect((await hit(s, ghlHeaders(a.access_token), 1))[0]?.status).toBe(429)
      expect((await hit(s, pitHeaders(s), 2)).map((r) => r.status)).toEqual([200, 200])
      const readOnly = ghlHeaders(s.credentials.ghl.readOnlyPrivateIntegrationToken)
      expect((await hit(s, readOnly, 1))[0]?.status).toBe(200)
    })
  })

  it("adds Retry-After when configured", async () => {
    const options = { rateLimits: { ghl: { burst: { limit: 1, windowMs: 10_000 } } }, retryAfterHeader: { ghl: true } }
    await withSandbox(options, async (s) => {
      s.clock.freeze(Date.UTC(2030, 0, 1, 0, 0, 4))
      const [, limited] = await hit(s, pitHeaders(s), 2)
      expect(limited?.status).toBe(429)
      expect(limited?.headers.get("Retry-After")).toBe("6")
    })
  })
})

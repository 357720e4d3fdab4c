/** What the transport hands to n8n's request helpers (a capturing stand-in for them). */
import { Effect } from "effect"
import { HttpClientRequest } from "effect/http"
import type { IHttpRequestOptions } from "n8n-workflow"
import { describe, expect, it } from "vitest"
import * as HostHttpClient from "../src/HostHttpClient.ts"

const capture = (options?: HostHttpClient.TransportOptions) => {
  const sent: Array<IHttpRequestOptions> = []
  const client = HostHttpClient.make(async (request) => {
    sent.push(request)
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: Buffer.from("{}") }
  }, options)
  return { sent, client }
}

describe("HostHttpClient", () => {
  it("sends form bodies as text, which n8n's URLSearchParams reads (bytes it cannot)", async () => {
    const { sent, client } = capture()
    await Effect.runPromise(
      client.execute(
        HttpClientRequest.post("http://127.0.0.1/oauth/locationToken").pipe(
          HttpClientRequest.bodyUrlParams({ companyId: "c1", locationId: "l1" }),
        ),
      ),
    )
    expect(sent[0]?.body).toBe("companyId=c1&locationId=l1")
    expect(sent[0]?.headers?.["content-type"]).toBe("application/x-www-form-urlencoded")
    // n8n refreshes its credential when a 401 throws.
    expect(sent[0]?.ignoreHttpStatusErrors).toEqual({ ignore: true, except: [401] })
  })

  it("sends JSON as bytes, and leaves 401s to the core when the core signs the request", async () => {
    const { sent, client } = capture({ hostRefreshes: false })
    await Effect.runPromise(
      client.execute(
        HttpClientRequest.post("http://127.0.0.1/contacts/search").pipe(HttpClientRequest.bodyJsonUnsafe({ a: 1 })),
      ),
    )
    expect(Buffer.isBuffer(sent[0]?.body)).toBe(true)
    expect(String(sent[0]?.body)).toBe('{"a":1}')
    expect(sent[0]?.ignoreHttpStatusErrors).toBe(true)
  })
})

import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, Redacted, References } from "effect"
import { Credentials, CrmClient, RateLimit } from "../src/index.ts"
import { fakeHttp, type Recorded } from "./support/fakeHttp.ts"
import { clientLayer, secretToken, TestClient, testProfile } from "./support/testProvider.ts"

type Reply = ReturnType<Parameters<typeof fakeHttp>[0]>

const withClient = (answer: (r: Recorded, n: number) => Reply) => {
  let n = 0
  const http = fakeHttp((r) => answer(r, ++n))
  return { http, layer: clientLayer(testProfile("http://crm.test/api")).pipe(Layer.provide(http.layer)) }
}

const get = { method: "GET", path: "/contacts/1", operation: "getContact" } as const
const create = { method: "POST", path: "/contacts", body: { email: "a@b.co" }, operation: "createContact" } as const

describe("CrmClient pipeline", () => {
  it.live("resends an idempotent request after 5xx, with backoff", () => {
    const { http, layer } = withClient((_, n) =>
      n < 3 ? { status: 503, body: { message: "busy" } } : { status: 200, body: { id: 1 } },
    )
    return Effect.gen(function* () {
      const client = yield* TestClient
      const response = yield* client.execute(get)
      assert.deepStrictEqual(response.body, { id: 1 })
      assert.strictEqual(http.requests.length, 3)
    }).pipe(Effect.provide(layer))
  })

  it.live("never blindly resends a POST that may have created something", () => {
    const { http, layer } = withClient(() => ({ status: 502, body: { message: "bad gateway" } }))
    return Effect.gen(function* () {
      const client = yield* TestClient
      const error = yield* Effect.flip(client.execute(create))
      assert.strictEqual(error.reason._tag, "Server")
      assert.strictEqual(error.reason.status, 502)
      assert.strictEqual(http.requests.length, 1)
    }).pipe(Effect.provide(layer))
  })

  it.live("a 429 waits for Retry-After and resends, even a POST (it was not processed)", () => {
    const { http, layer } = withClient((_, n) =>
      n === 1
        ? { status: 429, body: { message: "slow down" }, headers: { "retry-after": "0.2" } }
        : { status: 201, body: { id: 9 } },
    )
    return Effect.gen(function* () {
      const client = yield* TestClient
      const started = Date.now()
      const response = yield* client.execute(create)
      assert.strictEqual(response.status, 201)
      assert.isAtLeast(Date.now() - started, 190)
      assert.strictEqual(http.requests.length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.live("gives up on 429 after the policy's retries with a RateLimited error", () => {
    const http = fakeHttp(() => ({ status: 429, body: { message: "Quota Exceeded" }, headers: { "retry-after": "0" } }))
    const profile = testProfile("http://crm.test", {
      rateLimitPolicy: () => ({ name: "t", windows: [{ name: "s", limit: 100, window: "1 second" }], maxRetries: 2 }),
    })
    return Effect.gen(function* () {
      const client = yield* TestClient
      const error = yield* Effect.flip(client.execute(get))
      assert.strictEqual(error.reason._tag, "RateLimited")
      assert.include(error.message, "Quota Exceeded")
      assert.strictEqual(http.requests.length, 3)
    }).pipe(Effect.provide(clientLayer(profile).pipe(Layer.provide(http.layer))))
  })

  it.live("maps statuses to typed reasons with the provider's message and trace id", () => {
    const { layer } = withClient((r) => {
      const status = Number(r.url.pathname.split("/").pop())
      return {
        status,
        body: {
          message: `failed with ${status}`,
          traceId: `trace-${status}`,
          fields: [{ field: "email", message: "is invalid" }],
        },
      }
    })
    return Effect.gen(function* () {
      const client = yield* TestClient
      const tags: Record<number, string> = {}
      for (const status of [400, 401, 403, 404, 409, 422]) {
        const error = yield* Effect.flip(client.execute({ method: "POST", path: `/status/${status}` }))
        tags[status] = error.reason._tag
        assert.strictEqual(error.reason.requestId, `trace-${status}`)
        assert.include(error.message, `failed with ${status}`)
        assert.include(error.message, `POST /api/status/${status}`)
      }
      assert.deepStrictEqual(tags, {
        400: "Validation",
        401: "Unauthorized",
        403: "Forbidden",
        404: "NotFound",
        409: "Conflict",
        422: "Validation",
      })
      const validation = yield* Effect.flip(client.execute({ method: "POST", path: "/status/422" }))
      assert.deepStrictEqual(validation.reason._tag === "Validation" ? validation.reason.fields : [], [
        { field: "email", message: "is invalid" },
      ])
    }).pipe(Effect.provide(layer))
  })

  it.live("a malformed body on a GET is resent; on a POST it is a Decode error", () => {
    const { http, layer } = withClient((r, n) =>
      r.method === "GET" && n > 1 ? { status: 200, body: { id: 1 } } : { status: 200, raw: '{"id": 1, "na' },
    )
    return Effect.gen(function* () {
      const client = yield* TestClient
      const ok = yield* client.execute(get)
      assert.deepStrictEqual(ok.body, { id: 1 })
      assert.strictEqual(http.requests.length, 2)
      const error = yield* Effect.flip(client.execute(create))
      assert.strictEqual(error.reason._tag, "Decode")
      assert.strictEqual(http.requests.length, 3, "the POST was sent once")
    }).pipe(Effect.provide(layer))
  })

  it.live("no secret reaches an error, its JSON, its cause or a log line", () => {
    // The provider echoes the token back in its error body and message.
    const { layer } = withClient(() => ({
      status: 401,
      body: { message: `token ${secretToken} is invalid`, access_token: secretToken, traceId: "t-1" },
    }))
    const lines: Array<string> = []
    const capture = Logger.make(({ message }) => lines.push(JSON.stringify(message)))
    return Effect.gen(function* () {
      const client = yield* TestClient
      const exit = yield* Effect.exit(client.execute(get))
      assert.isTrue(Exit.isFailure(exit))
      const cause = Exit.isFailure(exit) ? exit.cause : Cause.empty
      const error = Cause.squash(cause) as Error
      yield* Effect.logError("request failed", error, Cause.pretty(cause))
      const printed = [
        error.message,
        JSON.stringify(error),
        String(error),
        error.stack,
        Cause.pretty(cause),
        ...lines,
      ].join("\n")
      assert.include(printed, "t-1")
      assert.include(printed, "<redacted>")
      assert.notInclude(printed, secretToken)
    }).pipe(
      Effect.provide(layer),
      Effect.provide(Logger.layer([capture])),
      Effect.provideService(References.MinimumLogLevel, "All"),
    )
  })

  it.live("keeps Credentials and rate limits per client: two providers in one program", () => {
    const a = fakeHttp(() => ({ status: 200, body: {} }))
    const b = fakeHttp(() => ({ status: 200, body: {} }))
    const layerFor = (token: string, http: typeof a) =>
      Layer.effect(TestClient, CrmClient.make(testProfile("http://crm.test"))).pipe(
        Layer.provide(Credentials.layerApiKeyHeader({ header: "X-Api-Key", key: Redacted.make(token) })),
        Layer.provide(RateLimit.layerMemory),
        Layer.provide(http.layer),
      )
    return Effect.gen(function* () {
      yield* TestClient.use((c) => c.execute(get)).pipe(Effect.provide(layerFor("key-for-a-123", a)))
      yield* TestClient.use((c) => c.execute(get)).pipe(Effect.provide(layerFor("key-for-b-456", b)))
      assert.strictEqual(a.requests[0]!.headers["x-api-key"], "key-for-a-123")
      assert.strictEqual(b.requests[0]!.headers["x-api-key"], "key-for-b-456")
    })
  })

  it.effect("sends no HTTP span or trace headers unless HttpSpans is set", () =>
    Effect.gen(function* () {
      const traceHeaders = (r: Recorded) => Object.keys(r.headers).filter((h) => h === "traceparent" || h === "b3")
      const quiet = withClient(() => ({ status: 200, body: { id: 1 } }))
      yield* TestClient.use((client) => client.execute(get)).pipe(Effect.provide(quiet.layer))
      assert.deepStrictEqual(traceHeaders(quiet.http.requests[0]!), [])

      const traced = fakeHttp(() => ({ status: 200, body: { id: 1 } }))
      const tracedLayer = clientLayer(testProfile("http://crm.test/api")).pipe(
        Layer.provide(traced.layer),
        Layer.provide(Layer.succeed(CrmClient.HttpSpans, true)),
      )
      yield* TestClient.use((client) => client.execute(get)).pipe(Effect.provide(tracedLayer))
      assert.deepStrictEqual(traceHeaders(traced.requests[0]!).sort(), ["b3", "traceparent"])
    }),
  )
})

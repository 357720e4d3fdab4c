/**
 * The pipeline against a real HTTP server: the sandbox, with undici as the transport.
 * The profile here is generic (see support/testProvider.ts); Keap-shaped routes are
 * only a convenient real server.
 */

import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted, Stream } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { simulator as keapSimulator } from "../../keap/src/sandbox/index.ts"
import { Credentials, CrmClient, OAuth2, Pagination, RateLimit, TokenStore } from "../src/index.ts"
import { TestClient, testProfile } from "./support/testProvider.ts"

let sandbox: SandboxServer

beforeAll(async () => {
  sandbox = await startSandbox({ simulators: { keap: keapSimulator({ contacts: 1_234, rateLimits: false }) } })
})
afterAll(() => sandbox.close())
beforeEach(() => {
  sandbox.faults.clear()
  sandbox.stats.reset()
})

const keapKeyLayer = () =>
  Layer.effect(TestClient, CrmClient.make(testProfile(sandbox.keap.baseUrl))).pipe(
    Layer.provide(
      Credentials.layerApiKeyHeader({
        header: "X-Keap-API-Key",
        key: Redacted.make(sandbox.credentials.keap.personalAccessToken),
      }),
    ),
    Layer.provide(RateLimit.layerMemory),
    Layer.provide(NodeHttpClient.layerUndici),
  )

const run = <A, E>(effect: Effect.Effect<A, E, TestClient>) => Effect.runPromise(Effect.provide(effect, keapKeyLayer()))

const listContacts = { method: "GET", path: "/v2/contacts", query: { page_size: 5 } } as const
const createContact = (email: string) =>
  ({ method: "POST", path: "/v2/contacts", body: { email_addresses: [{ email, field: "EMAIL1" }] } }) as const

describe("transport against the sandbox", () => {
  it("resends a GET after 5xx and after a connection reset", async () => {
    sandbox.faults.inject([
      { kind: "5xx", count: 2, path: "/v2/contacts", status: 503 },
      { kind: "reset", count: 1, path: "/v2/contacts" },
    ])
    const response = await run(TestClient.use((c) => c.execute(listContacts)))
    expect((response.body as { contacts: unknown[] }).contacts).toHaveLength(5)
    expect(sandbox.stats.route("GET /keap/crm/rest/v2/contacts")).toBe(4)
  })

  it("does not resend a POST whose connection was reset: it may have created the contact", async () => {
    sandbox.faults.inject({ kind: "reset", count: 1, path: "/v2/contacts", method: "POST" })
    const error = await run(Effect.flip(TestClient.use((c) => c.execute(createContact("reset@example.com")))))
    expect(error.reason._tag).toBe("Transport")
    expect(error.reason._tag === "Transport" && error.reason.mayHaveReachedServer).toBe(true)
    expect(sandbox.stats.route("POST /keap/crm/rest/v2/contacts")).toBe(1)
  })

  it("resends a POST when the connection was refused: it never left", async () => {
    const closed = testProfile("http://127.0.0.1:9", { retry: { base: "5 millis", max: "10 millis", times: 2 } })
    const error = await Effect.runPromise(
      Effect.flip(TestClient.use((c) => c.execute(createContact("x@example.com")))).pipe(
        Effect.provide(
          Layer.effect(TestClient, CrmClient.make(closed)).pipe(
            Layer.provide(Credentials.layerBearer({ token: Redacted.make("unused-token-1234") })),
            Layer.provide(RateLimit.layerMemory),
            Layer.provide(NodeHttpClient.layerUndici),
          ),
        ),
      ),
    )
    expect(error.reason._tag).toBe("Transport")
    expect(error.reason._tag === "Transport" && error.reason.mayHaveReachedServer).toBe(false)
    expect(error.message).toContain("ECONNREFUSED")
  })

  it("waits out a burst of 429s and succeeds", async () => {
    sandbox.faults.inject({ kind: "429", count: 2, path: "/v2/contacts" })
    const started = Date.now()
    const response = await run(TestClient.use((c) => c.execute(listContacts)))
    expect(response.status).toBe(200)
    expect(sandbox.stats.rateLimited).toBe(2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
  })

  it("resends a GET whose body came back malformed", async () => {
    sandbox.faults.inject({ kind: "malformed", count: 1, path: "/v2/contacts" })
    const response = await run(TestClient.use((c) => c.execute(listContacts)))
    expect((response.body as { contacts: unknown[] }).contacts).toHaveLength(5)
  })

  it("a provider error becomes a typed error with the provider's message and details", async () => {
    const notFound = await run(
      Effect.flip(TestClient.use((c) => c.execute({ method: "GET", path: "/v2/contacts/99999999" }))),
    )
    expect(notFound.reason._tag).toBe("NotFound")
    expect(notFound.reason.status).toBe(404)
    const invalid = await run(Effect.flip(TestClient.use((c) => c.execute(createContact("not-an-email")))))
    expect(invalid.reason._tag).toBe("Validation")
    expect(invalid.reason.body).toMatchObject({ status: "INVALID_ARGUMENT" })
  })

  it("streams every page of a filtered list; the filter survives every page", async () => {
    const style = Pagination.cursorToken({
      items: "contacts",
      tokenParam: "page_token",
      nextToken: "next_page_token",
      sizeParam: "page_size",
      size: 100,
    })
    const all = await run(
      TestClient.use((c) =>
        Stream.runCollect(Pagination.items(c, { method: "GET", path: "/v2/contacts" }, style)).pipe(
          Effect.map(Array.from),
        ),
      ),
    )
    expect(all).toHaveLength(1_234)
    expect(new Set(all.map((c: any) => c.id)).size).toBe(1_234)
    const filtered = await run(
      TestClient.use((c) =>
        Stream.runCollect(
          Pagination.items(
            c,
            { method: "GET", path: "/v2/contacts", query: { filter: "given_name==A*" } },
            {
              ...style,
              first: (r) => ({ ...r, query: { ...r.query, page_size: 10 } }),
            },
          ),
        ).pipe(Effect.map(Array.from)),
      ),
    )
    const expected = all.filter((c: any) => String(c.given_name).toLowerCase().startsWith("a"))
    expect(expected.length).toBeGreaterThan(20)
    expect(filtered.map((c: any) => c.id).sort()).toEqual(expected.map((c: any) => c.id).sort())
  })
})

describe("OAuth against the sandbox token endpoint", () => {
  const endpoint = () => ({
    provider: "testcrm",
    tokenUrl: sandbox.keap.tokenUrl,
    clientId: sandbox.credentials.keap.oauthApp.clientId,
    clientSecret: Redacted.make(sandbox.credentials.keap.oauthApp.clientSecret),
    clientAuthentication: "basic" as const,
  })

  const loggedIn = async () => {
    const code = sandbox.keap.issueAuthorizationCode()
    return Effect.runPromise(
      OAuth2.exchangeCode(
        { ...endpoint(), clientAuthentication: "body" },
        { code, redirectUri: sandbox.credentials.keap.oauthApp.redirectUri },
      ).pipe(Effect.provide(NodeHttpClient.layerUndici)),
    )
  }

  const oauthClient = (store: TokenStore.TokenStoreShape, storeKey: string) =>
    Layer.effect(TestClient, CrmClient.make(testProfile(sandbox.keap.baseUrl))).pipe(
      Layer.provide(
        OAuth2.layerCredentials({ provider: "testcrm", storeKey, renew: OAuth2.renewWithRefreshToken(endpoint()) }),
      ),
      Layer.provide(Layer.succeed(TokenStore.TokenStore, store)),
      Layer.provide(RateLimit.layerMemory),
      Layer.provide(NodeHttpClient.layerUndici),
    )

  it("a hundred concurrent requests on an expired token make exactly one refresh call", async () => {
    const tokens = await loggedIn()
    const store = TokenStore.makeMemory({ k1: { ...tokens, expiresAt: Date.now() - 1000 } })
    sandbox.stats.reset()
    const statuses = await Effect.runPromise(
      Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        () => TestClient.use((c) => c.execute(listContacts)).pipe(Effect.map((r) => r.status)),
        { concurrency: "unbounded" },
      ).pipe(Effect.provide(oauthClient(store, "k1"))),
    )
    expect(statuses.every((s) => s === 200)).toBe(true)
    expect(sandbox.stats.refreshes).toBe(1)
    expect(sandbox.stats.rejectedRefreshes).toBe(0)
    const saved = await Effect.runPromise(store.get("k1"))
    expect(saved._tag).toBe("Some")
  })

  it("a token the server revoked is refreshed once on 401 and the request succeeds", async () => {
    const tokens = await loggedIn()
    // The stored access token looks valid for hours, but the server does not know it.
    const store = TokenStore.makeMemory({
      k2: { ...tokens, accessToken: Redacted.make("revoked-access-token-000"), expiresAt: Date.now() + 3_600_000 },
    })
    sandbox.stats.reset()
    const response = await Effect.runPromise(
      TestClient.use((c) => c.execute(listContacts)).pipe(Effect.provide(oauthClient(store, "k2"))),
    )
    expect(response.status).toBe(200)
    expect(sandbox.stats.unauthorized).toBe(1)
    expect(sandbox.stats.refreshes).toBe(1)
  })

  it("when another process already used the refresh token, says to log in again without leaking it", async () => {
    const tokens = await loggedIn()
    await Effect.runPromise(
      OAuth2.refreshTokens(endpoint(), tokens.refreshToken!).pipe(Effect.provide(NodeHttpClient.layerUndici)),
    )
    const store = TokenStore.makeMemory({ k3: { ...tokens, expiresAt: 0 } })
    const error = await Effect.runPromise(
      Effect.flip(TestClient.use((c) => c.execute(listContacts))).pipe(Effect.provide(oauthClient(store, "k3"))),
    )
    expect(error.reason._tag).toBe("Unauthorized")
    expect(error.message).toContain("invalid_grant")
    const printed = `${error.message} ${JSON.stringify(error)} ${error.stack}`
    expect(printed).not.toContain(Redacted.value(tokens.refreshToken!))
    expect(printed).not.toContain(sandbox.credentials.keap.oauthApp.clientSecret)
  })
})

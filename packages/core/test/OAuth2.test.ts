import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import { Credentials, OAuth2, TokenStore } from "../src/index.ts"
import { fakeHttp } from "./support/fakeHttp.ts"

const endpoint: OAuth2.TokenEndpoint = {
  provider: "test",
  tokenUrl: "https://auth.test/token",
  clientId: "client-1",
  clientSecret: Redacted.make("client-secret-value-123"),
  clientAuthentication: "basic",
}

/** A token endpoint that rotates refresh tokens and accepts each one once. */
const rotatingTokenServer = () => {
  let issued = 0
  const valid = new Set(["refresh-0"])
  return fakeHttp((request) => {
    const form = new URLSearchParams(request.body)
    const presented = form.get("refresh_token") ?? ""
    if (form.get("grant_type") !== "refresh_token" || !valid.delete(presented)) {
      return { status: 400, body: { error: "invalid_grant", error_description: "Invalid Refresh Token" } }
    }
    issued++
    valid.add(`refresh-${issued}`)
    return {
      status: 200,
      body: {
        access_token: `access-${issued}`,
        refresh_token: `refresh-${issued}`,
        expires_in: 3600,
        token_type: "bearer",
      },
    }
  })
}

const expiredPair: TokenStore.TokenSet = {
  accessToken: Redacted.make("access-0"),
  refreshToken: Redacted.make("refresh-0"),
  expiresAt: 0,
}

const oauthLayer = (http: ReturnType<typeof fakeHttp>, store: TokenStore.TokenStoreShape, storeKey: string) =>
  OAuth2.layerCredentials({ provider: "test", storeKey, renew: OAuth2.renewWithRefreshToken(endpoint) }).pipe(
    Layer.provide(Layer.succeed(TokenStore.TokenStore, store)),
    Layer.provide(http.layer),
  )

const authorizeMany = (n: number) =>
  Effect.gen(function* () {
    const credentials = yield* Credentials.Credentials
    return yield* Effect.forEach(
      Array.from({ length: n }, () => HttpClientRequest.get("https://api.test/x")),
      (request) => credentials.authorize(request),
      { concurrency: "unbounded" },
    )
  })

describe("OAuth2.authorizationUrl", () => {
  it("carries state and an S256 PKCE challenge of the returned verifier", () => {
    const start = OAuth2.authorizationUrl({
      authorizeUrl: "https://auth.test/authorize",
      clientId: "client-1",
      redirectUri: "http://127.0.0.1:8976/callback",
      scope: "contacts.readonly contacts.write",
      pkce: true,
    })
    const url = new URL(start.url)
    assert.strictEqual(url.searchParams.get("state"), start.state)
    assert.strictEqual(url.searchParams.get("response_type"), "code")
    assert.strictEqual(url.searchParams.get("scope"), "contacts.readonly contacts.write")
    const verifier = Redacted.value(start.codeVerifier!)
    assert.strictEqual(
      url.searchParams.get("code_challenge"),
      createHash("sha256").update(verifier).digest("base64url"),
    )
    assert.strictEqual(url.searchParams.get("code_challenge_method"), "S256")
    const another = OAuth2.authorizationUrl({ authorizeUrl: "https://a.test", clientId: "c", redirectUri: "http://x" })
    assert.notStrictEqual(start.state, another.state, "each start gets its own state")
    assert.isUndefined(another.codeVerifier, "no PKCE unless asked")
  })
})

describe("OAuth2.layerCredentials", () => {
  it.effect("a hundred concurrent requests on an expired token cause exactly one refresh", () =>
    Effect.gen(function* () {
      const http = rotatingTokenServer()
      const store = TokenStore.makeMemory({ "test:app": expiredPair })
      const results = yield* authorizeMany(100).pipe(Effect.provide(oauthLayer(http, store, "test:app")))
      assert.strictEqual(http.requests.length, 1, "one token call")
      assert.isTrue(results.every((r) => r.request.headers.authorization === "Bearer access-1"))
      const saved = Option.getOrThrow(yield* store.get("test:app"))
      assert.strictEqual(Redacted.value(saved.refreshToken!), "refresh-1", "the rotated pair is saved")
      // Basic client authentication, as Keap's refresh wants.
      const basic = Buffer.from(`client-1:client-secret-value-123`).toString("base64")
      assert.strictEqual(http.requests[0]!.headers.authorization, `Basic ${basic}`)
    }),
  )

  it.effect("refreshes before expiry, not only after", () =>
    Effect.gen(function* () {
      const http = rotatingTokenServer()
      yield* TestClock.setTime(1_000_000)
      const store = TokenStore.makeMemory({
        "test:soon": { ...expiredPair, expiresAt: 1_000_000 + 4 * 60_000 },
      })
      const [result] = yield* authorizeMany(1).pipe(Effect.provide(oauthLayer(http, store, "test:soon")))
      assert.strictEqual(result!.request.headers.authorization, "Bearer access-1")
    }),
  )

  it.effect("after a 401, refreshes once; a second 401 with the same token does not refresh again", () =>
    Effect.gen(function* () {
      const http = rotatingTokenServer()
      yield* TestClock.setTime(0)
      const store = TokenStore.makeMemory({ "test:401": { ...expiredPair, expiresAt: 10_000_000 } })
      yield* Effect.gen(function* () {
        const credentials = yield* Credentials.Credentials
        const first = yield* credentials.authorize(HttpClientRequest.get("https://api.test/x"))
        assert.strictEqual(first.request.headers.authorization, "Bearer access-0")
        // Fifty requests signed with access-0 all come back 401.
        const retried = yield* Effect.forEach(
          Array.from({ length: 50 }, () => first.generation),
          (generation) => credentials.refresh(generation),
          { concurrency: "unbounded" },
        )
        assert.isTrue(retried.every(Boolean))
        const again = yield* credentials.authorize(HttpClientRequest.get("https://api.test/x"))
        assert.strictEqual(again.request.headers.authorization, "Bearer access-1")
      }).pipe(Effect.provide(oauthLayer(http, store, "test:401")))
      assert.strictEqual(http.requests.length, 1)
    }),
  )

  it.effect("a refused refresh is Unauthorized, names the grant, and leaks no secret", () =>
    Effect.gen(function* () {
      const http = rotatingTokenServer()
      const store = TokenStore.makeMemory({
        "test:bad": { ...expiredPair, refreshToken: Redacted.make("refresh-token-already-used") },
      })
      const error = yield* Effect.flip(authorizeMany(1).pipe(Effect.provide(oauthLayer(http, store, "test:bad"))))
      assert.strictEqual(error.reason._tag, "Unauthorized")
      assert.include(error.message, "refresh_token")
      assert.include(error.message, "Invalid Refresh Token")
      const printed = `${error.message} ${JSON.stringify(error)} ${String(error)} ${error.stack}`
      assert.notInclude(printed, "refresh-token-already-used")
      assert.notInclude(printed, "client-secret-value-123")
    }),
  )

  it.effect("with no stored pair, says to log in", () =>
    Effect.gen(function* () {
      const http = rotatingTokenServer()
      const error = yield* Effect.flip(
        authorizeMany(1).pipe(Effect.provide(oauthLayer(http, TokenStore.makeMemory(), "test:none"))),
      )
      assert.include(error.message, "log in")
      assert.strictEqual(http.requests.length, 0)
    }),
  )
})

describe("OAuth2.layerCredentials with other holders of the credential", () => {
  // The server accepts refresh-0 once; a holder outside this layer's lock spends it first.
  const rotatedBehindTheBack = (store: TokenStore.TokenStoreShape, key: string, rotatedExpiresAt: number) => {
    let issued = 0
    const valid = new Set(["refresh-0"])
    let otherHolderRan = false
    const http = fakeHttp((request) => {
      const presented = new URLSearchParams(request.body).get("refresh_token") ?? ""
      if (!otherHolderRan) {
        otherHolderRan = true
        valid.delete("refresh-0")
        valid.add("refresh-other")
        Effect.runSync(
          store.set(key, {
            accessToken: Redacted.make("access-other"),
            refreshToken: Redacted.make("refresh-other"),
            expiresAt: rotatedExpiresAt,
          }),
        )
      }
      if (!valid.delete(presented)) {
        return { status: 400, body: { error: "invalid_grant", error_description: "Invalid Refresh Token" } }
      }
      issued++
      return {
        status: 200,
        body: { access_token: `access-${issued}`, refresh_token: `refresh-${issued}`, expires_in: 3600 },
      }
    })
    return http
  }

  it.effect("a refused refresh re-reads the store and uses the pair another holder saved", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_000_000)
      const store = TokenStore.makeMemory({ "test:shared": expiredPair })
      const http = rotatedBehindTheBack(store, "test:shared", 1_000_000 + 3_600_000)
      const [result] = yield* authorizeMany(1).pipe(Effect.provide(oauthLayer(http, store, "test:shared")))
      assert.strictEqual(result!.request.headers.authorization, "Bearer access-other")
      assert.strictEqual(http.requests.length, 1, "no second refresh: the stored pair is fresh")
    }),
  )

  it.effect("when the pair another holder saved is stale too, renews once with it", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_000_000)
      const store = TokenStore.makeMemory({ "test:shared2": expiredPair })
      const http = rotatedBehindTheBack(store, "test:shared2", 0)
      const [result] = yield* authorizeMany(1).pipe(Effect.provide(oauthLayer(http, store, "test:shared2")))
      assert.strictEqual(result!.request.headers.authorization, "Bearer access-1")
      assert.strictEqual(http.requests.length, 2)
      const saved = Option.getOrThrow(yield* store.get("test:shared2"))
      assert.strictEqual(Redacted.value(saved.refreshToken!), "refresh-1", "the pair renewed from the other's is saved")
    }),
  )

  it.effect("a truly revoked pair fails with the host's sign-in hint", () =>
    Effect.gen(function* () {
      const http = rotatingTokenServer()
      const store = TokenStore.makeMemory({
        "test:revoked": { ...expiredPair, refreshToken: Redacted.make("refresh-revoked-secret") },
      })
      const layer = OAuth2.layerCredentials({
        provider: "test",
        storeKey: "test:revoked",
        renew: OAuth2.renewWithRefreshToken(endpoint),
        signInHint: 'Profile "work" must be signed in again: crmkit auth login test --profile work',
      }).pipe(Layer.provide(Layer.succeed(TokenStore.TokenStore, store)), Layer.provide(http.layer))
      const error = yield* Effect.flip(authorizeMany(1).pipe(Effect.provide(layer)))
      assert.strictEqual(error.reason._tag, "Unauthorized")
      assert.include(error.message, "Invalid Refresh Token")
      assert.include(error.message, 'Profile "work" must be signed in again: crmkit auth login test --profile work')
      assert.notInclude(`${error.message} ${JSON.stringify(error)}`, "refresh-revoked-secret")
      assert.strictEqual(http.requests.length, 1, "the stored pair is the refused one: no second try")
    }),
  )

  it.effect("issues a first pair when the store has none and `issue` is given, under the lock", () =>
    Effect.gen(function* () {
      const store = TokenStore.makeMemory()
      let issued = 0
      const layer = OAuth2.layerCredentials({
        provider: "test",
        storeKey: "test:issued",
        renew: () => Effect.die("not expected"),
        issue: Effect.sync(() => {
          issued++
          return { accessToken: Redacted.make(`minted-${issued}`), expiresAt: Date.now() + 3_600_000 }
        }),
      }).pipe(
        Layer.provide(Layer.succeed(TokenStore.TokenStore, store)),
        Layer.provide(fakeHttp(() => ({ status: 500 })).layer),
      )
      const results = yield* authorizeMany(20).pipe(Effect.provide(layer))
      assert.strictEqual(issued, 1)
      assert.isTrue(results.every((r) => r.request.headers.authorization === "Bearer minted-1"))
      assert.isTrue(Option.isSome(yield* store.get("test:issued")), "the issued pair is saved")
    }),
  )
})

import { Credentials, TokenStore } from "@crmkit/core"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Option, Redacted } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { GhlAuth, GhlClient, GhlOperations } from "../src/index.ts"
import { useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 20, rateLimits: false })
beforeEach(() => {
  sandbox().faults.clear()
  sandbox().stats.reset()
})

const app = () => {
  const registered = sandbox().credentials.ghl.oauthApp
  return {
    clientId: registered.clientId,
    clientSecret: Redacted.make(registered.clientSecret),
    baseUrl: sandbox().ghl.baseUrl,
  }
}

/** An agency pair from the sandbox's consent flow, stored as already expired. */
const expiredAgencyPair = () =>
  Effect.runPromise(
    GhlAuth.exchangeCode(
      app(),
      sandbox().ghl.issueAuthorizationCode({ userType: "Company" }),
      sandbox().credentials.ghl.oauthApp.redirectUri,
      "Company",
    ).pipe(
      Effect.map((tokens) => ({ ...tokens, expiresAt: 0 })),
      Effect.provide(NodeHttpClient.layerUndici),
    ),
  )

describe("agency → location tokens", () => {
  it("mints one location token for many concurrent requests, refreshing the agency pair once", async () => {
    const { companyId, locationId } = sandbox().credentials.ghl
    const agency = await expiredAgencyPair()
    const store = TokenStore.makeMemory({ [GhlAuth.storeKey("Company", companyId)]: agency })
    sandbox().stats.reset()
    const layer = GhlClient.layerWithMemoryRateLimits({ baseUrl: sandbox().ghl.baseUrl }).pipe(
      Layer.provide(GhlAuth.layerLocationFromAgency(app(), { companyId, locationId })),
      Layer.provide(Layer.succeed(TokenStore.TokenStore, store)),
      Layer.provide(NodeHttpClient.layerUndici),
    )
    const pages = await Effect.runPromise(
      Effect.all(
        Array.from({ length: 25 }, () =>
          GhlOperations.call("search-contacts-advanced", { body: { locationId, pageLimit: 1 } }),
        ),
        { concurrency: "unbounded" },
      ).pipe(Effect.provide(layer)),
    )
    expect(pages).toHaveLength(25)
    expect(pages.every((page) => page.contacts?.length === 1)).toBe(true)
    expect(sandbox().stats.route("POST /ghl/oauth/token")).toBe(1)
    expect(sandbox().stats.route("POST /ghl/oauth/locationToken")).toBe(1)
    expect(sandbox().stats.route("POST /ghl/contacts/search")).toBe(25)

    // The token tree is in the store: the rotated agency pair and the minted location token.
    const savedAgency = Option.getOrThrow(await Effect.runPromise(store.get(GhlAuth.storeKey("Company", companyId))))
    expect(Redacted.value(savedAgency.refreshToken as Redacted.Redacted<string>)).not.toBe(
      Redacted.value(agency.refreshToken as Redacted.Redacted<string>),
    )
    expect(savedAgency.expiresAt).toBeGreaterThan(Date.now())
    const location = Option.getOrThrow(await Effect.runPromise(store.get(GhlAuth.storeKey("Location", locationId))))
    expect(location.refreshToken).toBeUndefined()
    expect(location.meta).toMatchObject({ locationId, companyId, mintedBy: "agency" })
    expect(location.scope).toContain("contacts.readonly")
  })

  it("replaces a location token the API refuses as expired, refreshing the expired agency pair on the way", async () => {
    const { companyId, locationId } = sandbox().credentials.ghl
    const agency = await expiredAgencyPair()
    const store = TokenStore.makeMemory({ [GhlAuth.storeKey("Company", companyId)]: agency })
    sandbox().stats.reset()
    const layer = GhlClient.layerWithMemoryRateLimits({ baseUrl: sandbox().ghl.baseUrl }).pipe(
      Layer.provide(GhlAuth.layerLocationFromAgency(app(), { companyId, locationId }, { refreshBefore: "0 millis" })),
      Layer.provide(Layer.succeed(TokenStore.TokenStore, store)),
      Layer.provide(NodeHttpClient.layerUndici),
    )
    const search = GhlOperations.call("search-contacts-advanced", { body: { locationId, pageLimit: 1 } })
    const key = GhlAuth.storeKey("Location", locationId)
    const tokens = await Effect.runPromise(
      Effect.gen(function* () {
        yield* search
        const first = Option.getOrThrow(yield* store.get(key))
        // A day passes on the server: it now refuses both the location token and the agency's access token.
        sandbox().clock.advance(86_400_000 + 1_000)
        yield* search
        const second = Option.getOrThrow(yield* store.get(key))
        return [first, second] as const
      }).pipe(Effect.provide(layer), Effect.ensuring(Effect.sync(() => sandbox().clock.reset()))),
    )
    expect(Redacted.value(tokens[0].accessToken)).not.toBe(Redacted.value(tokens[1].accessToken))
    // search 401 → mint 401 → agency refresh → mint → search again.
    expect(sandbox().stats.route("POST /ghl/oauth/locationToken")).toBe(3)
    expect(sandbox().stats.route("POST /ghl/oauth/token")).toBe(2)
    expect(sandbox().stats.route("POST /ghl/contacts/search")).toBe(3)
  })
})

describe("agency → location tokens with a host-held agency token", () => {
  /** A fresh agency access token, as a host (n8n) holds it: the host adds it and refreshes it. */
  const agencyBearer = async () => {
    const agency = await expiredAgencyPair()
    return Credentials.layerBearer({ token: agency.accessToken, kind: "oauth2" })
  }

  it("mints once with the agency bearer and serves location calls with the location token", async () => {
    const { companyId, locationId } = sandbox().credentials.ghl
    const agency = await agencyBearer()
    sandbox().stats.reset()
    const layer = GhlClient.layerWithMemoryRateLimits({ baseUrl: sandbox().ghl.baseUrl }).pipe(
      Layer.provide(
        GhlAuth.layerLocationFromAgencyCredentials(agency, { companyId, locationId, baseUrl: sandbox().ghl.baseUrl }),
      ),
      Layer.provide(TokenStore.layerMemory()),
      Layer.provide(NodeHttpClient.layerUndici),
    )
    const search = GhlOperations.call("search-contacts-advanced", { body: { locationId, pageLimit: 2 } })
    const pages = await Effect.runPromise(Effect.all([search, search, search]).pipe(Effect.provide(layer)))
    expect(pages.map((page) => page.contacts?.length)).toEqual([2, 2, 2])
    expect(sandbox().stats.route("POST /ghl/oauth/locationToken")).toBe(1)
    expect(sandbox().stats.route("POST /ghl/contacts/search")).toBe(3)
    expect(sandbox().stats.unauthorized).toBe(0)
  })

  it("names the location when the agency cannot get a token for it", async () => {
    const { companyId } = sandbox().credentials.ghl
    const agency = await agencyBearer()
    const layer = GhlClient.layerWithMemoryRateLimits({ baseUrl: sandbox().ghl.baseUrl }).pipe(
      Layer.provide(
        GhlAuth.layerLocationFromAgencyCredentials(agency, {
          companyId,
          locationId: "OtherLocation0000000",
          baseUrl: sandbox().ghl.baseUrl,
        }),
      ),
      Layer.provide(TokenStore.layerMemory()),
      Layer.provide(NodeHttpClient.layerUndici),
    )
    const failure = await Effect.runPromise(
      GhlOperations.call("search-contacts-advanced", {
        body: { locationId: "OtherLocation0000000", pageLimit: 1 },
      }).pipe(Effect.flip, Effect.provide(layer)),
    )
    expect(failure.reason._tag).toBe("Unauthorized")
    expect(failure.message).toContain("OtherLocation0000000")
    expect(failure.message).toContain("does not have access to this location")
    expect(sandbox().stats.route("POST /ghl/contacts/search")).toBe(0)
  })
})

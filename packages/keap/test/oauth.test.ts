/** Keap OAuth on the real sandbox token endpoint: code exchange, then refresh under concurrency. */
import { RateLimit, TokenStore } from "@crmkit/core"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Option, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import * as KeapAuth from "../src/KeapAuth.ts"
import * as KeapClient from "../src/KeapClient.ts"
import * as Contacts from "../src/services/Contacts.ts"
import { useSandbox } from "./support.ts"

const sandbox = useSandbox({ rateLimits: false, contacts: 20 })

describe("Keap OAuth", () => {
  it("a hundred concurrent requests on an expired token make one refresh (Basic client auth), saved before use", async () => {
    const server = sandbox()
    const app: KeapAuth.OAuthApp = {
      clientId: server.credentials.keap.oauthApp.clientId,
      clientSecret: Redacted.make(server.credentials.keap.oauthApp.clientSecret),
      tokenUrl: server.keap.tokenUrl,
    }
    const tokens = await Effect.runPromise(
      KeapAuth.exchangeCode(
        app,
        server.keap.issueAuthorizationCode(),
        server.credentials.keap.oauthApp.redirectUri,
      ).pipe(Effect.provide(NodeHttpClient.layerUndici)),
    )
    const key = KeapAuth.storeKey(app.clientId)
    const store = TokenStore.makeMemory({ [key]: { ...tokens, expiresAt: Date.now() - 1 } })
    const before = server.stats.refreshes
    const layer = KeapClient.layer({ baseUrl: server.keap.baseUrl }).pipe(
      Layer.provide(KeapAuth.layerOAuth(app)),
      Layer.provide(Layer.succeed(TokenStore.TokenStore, store)),
      Layer.provide(RateLimit.layerMemory),
      Layer.provide(NodeHttpClient.layerUndici),
    )
    const contacts = await Effect.runPromise(
      Effect.forEach(
        Array.from({ length: 100 }, (_, i) => String((i % 20) + 1)),
        (id) => Contacts.get(id),
        { concurrency: "unbounded" },
      ).pipe(Effect.provide(layer)),
    )
    expect(contacts).toHaveLength(100)
    expect(server.stats.refreshes - before).toBe(1)
    expect(server.stats.rejectedRefreshes).toBe(0)
    const saved = Option.getOrThrow(await Effect.runPromise(store.get(key)))
    expect(Redacted.value(saved.refreshToken!)).not.toBe(Redacted.value(tokens.refreshToken!))
    expect(saved.expiresAt! > Date.now()).toBe(true)
  })
})

/**
 * The main job until the CLI lands: the core and both providers against the embedded
 * sandbox, with no account. Run with `bash scripts/run.sh`.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { type CrmClient, Pagination, TokenStore } from "@crmkit/core"
import { GhlAuth, GhlClient } from "@crmkit/ghl"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { KeapAuth, KeapClient } from "@crmkit/keap"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { startSandbox } from "@crmkit/sandbox"
import { NodeHttpClient } from "@effect/platform-node"
import { Console, Effect, Layer, Redacted, Stream } from "effect"

const sandbox = await startSandbox({
  simulators: { keap: keapSimulator({ contacts: 2_500 }), ghl: ghlSimulator({ contacts: 600 }) },
})
const http = NodeHttpClient.layerUndici
const line = (text = "") => Console.log(text)

const keapApp: KeapAuth.OAuthApp = {
  clientId: sandbox.credentials.keap.oauthApp.clientId,
  clientSecret: Redacted.make(sandbox.credentials.keap.oauthApp.clientSecret),
  tokenUrl: sandbox.keap.tokenUrl,
  authorizeUrl: sandbox.keap.authorizeUrl,
}

const program = Effect.gen(function* () {
  yield* line(`crmkit demo: sandbox at ${sandbox.url} (Keap under /keap, GHL under /ghl)`)

  // Keap: OAuth login, tokens saved to a 0600 file store.
  const storeFile = path.join(
    yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "crmkit-demo-"))),
    "tokens.json",
  )
  const tokens = yield* KeapAuth.exchangeCode(
    keapApp,
    sandbox.keap.issueAuthorizationCode(),
    sandbox.credentials.keap.oauthApp.redirectUri,
  ).pipe(Effect.provide(http))
  const store = yield* TokenStore.makeFile(storeFile)
  yield* store.set(KeapAuth.storeKey(keapApp.clientId), tokens)
  yield* line(`\n[keap] logged in with OAuth; token pair saved to ${storeFile}`)

  const keapLayer = KeapClient.layerWithMemoryRateLimits({ baseUrl: sandbox.keap.baseUrl }).pipe(
    Layer.provide(KeapAuth.layerOAuth(keapApp)),
    Layer.provide(Layer.succeed(TokenStore.TokenStore, store)),
    Layer.provide(http),
  )
  yield* Effect.gen(function* () {
    const keap = yield* KeapClient.KeapClient
    const style = Pagination.cursorToken<{
      id: number
      given_name: string
      family_name: string
      email_addresses: Array<{ email: string }>
    }>({
      items: "contacts",
      tokenParam: "page_token",
      nextToken: "next_page_token",
      sizeParam: "page_size",
      size: 50,
    })
    let pages = 0
    const matches = yield* Pagination.pages(
      keap,
      { method: "GET", path: "/v2/contacts", query: { filter: "given_name==J*" } },
      style,
    ).pipe(
      Stream.tap(() => Effect.sync(() => pages++)),
      Stream.flatMap((page) => Stream.fromIterable(page.items)),
      Stream.runCollect,
    )
    yield* line(
      `[keap] contacts with given_name J*: ${matches.length} across ${pages} pages (filter kept on every page)`,
    )
    for (const c of Array.from(matches).slice(0, 5)) {
      yield* line(
        `  #${String(c.id).padEnd(6)} ${`${c.given_name} ${c.family_name}`.padEnd(24)} ${c.email_addresses[0]?.email ?? ""}`,
      )
    }

    // A day passes: the access token expires and is refreshed (rotating the refresh token) before use.
    sandbox.clock.advance(25 * 3_600_000)
    const before = sandbox.stats.refreshes
    yield* keap.execute({ method: "GET", path: "/v2/contacts", query: { page_size: 1 } })
    yield* line(
      `[keap] 25 h later the server refused the expired token: ${sandbox.stats.refreshes - before} refresh, rotated pair saved before the retry`,
    )

    // The server fails twice; the GET is resent with backoff.
    sandbox.faults.inject({ kind: "5xx", count: 2, path: "/v2/contacts/" })
    const one = yield* keap.execute({ method: "GET", path: `/v2/contacts/${Array.from(matches)[0]?.id ?? 1}` })
    yield* line(`[keap] two injected 503s, then ${one.status}: transient failures are retried when safe`)
  }).pipe(Effect.provide(keapLayer))

  // GHL: a location Private Integration Token.
  const ghlLayer = (token: string) =>
    GhlClient.layerWithMemoryRateLimits({ baseUrl: sandbox.ghl.baseUrl }).pipe(
      Layer.provide(GhlAuth.layerPrivateIntegrationToken(Redacted.make(token))),
      Layer.provide(http),
    )
  const locationId = sandbox.credentials.ghl.locationId
  yield* Effect.gen(function* () {
    const ghl = yield* GhlClient.GhlClient
    const all = yield* Pagination.items(
      ghl,
      { method: "POST", path: "/contacts/search", body: { locationId } },
      Pagination.bodyCursor({
        items: "contacts",
        cursorParam: "searchAfter",
        itemCursor: "searchAfter",
        sizeParam: "pageLimit",
        size: 100,
      }),
    ).pipe(Stream.runCount)
    yield* line(`\n[ghl] searched location ${locationId}: ${all} contacts via searchAfter pages of 100`)
    const listed = yield* Pagination.pages(
      ghl,
      { method: "GET", path: "/contacts/", query: { locationId } },
      Pagination.keyset({
        items: "contacts",
        cursor: { "meta.startAfter": "startAfter", "meta.startAfterId": "startAfterId" },
        limitParam: "limit",
        limit: 100,
      }),
    ).pipe(Stream.runCollect)
    const last = Array.from(listed).at(-1)
    yield* line(
      `[ghl] listed the same contacts in ${listed.length} keyset pages; rate-limit headers: ${last?.response.headers["x-ratelimit-remaining"]}/${last?.response.headers["x-ratelimit-max"]} left in the 10 s window`,
    )
  }).pipe(Effect.provide(ghlLayer(sandbox.credentials.ghl.privateIntegrationToken)))

  const denied = yield* Effect.flip(
    GhlClient.GhlClient.use((ghl: CrmClient.CrmClient) =>
      ghl.execute({ method: "POST", path: "/contacts/", body: { locationId, email: "new@example.com" } }),
    ).pipe(Effect.provide(ghlLayer(sandbox.credentials.ghl.readOnlyPrivateIntegrationToken))),
  )
  yield* line(`[ghl] a read-only token trying to create a contact: ${denied.message}`)
  yield* line(`\nsandbox saw ${sandbox.stats.requests} requests, ${sandbox.stats.rateLimited} answered 429`)
})

try {
  await Effect.runPromise(program)
} finally {
  await sandbox.close()
}

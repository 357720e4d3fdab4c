import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as path from "node:path"
import { promisify } from "node:util"
import { NodeRedis } from "@effect/platform-node"
import { Effect, Exit, Layer, Option, Redacted } from "effect"
import { Redis } from "effect/persistence"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { TokenStore } from "../src/index.ts"
import * as TokenStoreRedis from "../src/TokenStoreRedis.ts"
import { type RedisServer, startRedis } from "./support/redisServer.ts"
import { startTokenServer } from "./support/tokenServer.ts"

let redis: RedisServer

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  await redis?.stop()
})

const encryptionKey = Redacted.make("a passphrase only the tests know")
const freshPrefix = () => `test-${randomBytes(4).toString("hex")}:`

const pair: TokenStore.TokenSet = {
  accessToken: Redacted.make("access-token-secret-1"),
  refreshToken: Redacted.make("refresh-token-secret-1"),
  expiresAt: 1_900_000_000_000,
  scope: "contacts.readonly",
  meta: { locationId: "loc-1" },
}

/** Each call opens its own connection, as a separate process would. */
const withStore = <A, E>(
  options: TokenStoreRedis.StoreOptions,
  f: (store: TokenStore.TokenStoreShape) => Effect.Effect<A, E>,
) =>
  Effect.runPromise(
    Effect.flatMap(TokenStore.TokenStore, f).pipe(
      Effect.provide(Layer.fresh(TokenStoreRedis.layer({ url: redis.url, ...options }))),
    ),
  )

/** A raw connection, to look at what lands in Redis. */
const raw = <A>(command: string, ...args: Array<string>) =>
  Effect.runPromise(
    Effect.flatMap(Redis.Redis, (r) => r.send<A>(command, ...args)).pipe(
      Effect.provide(Layer.fresh(NodeRedis.layer({ url: redis.url }))),
    ),
  )

/** A lock on credential `k` taken by a holder elsewhere, expiring after `ttlMs` unless renewed. */
const foreignLock = (prefix: string, holder: { pid: number; host: string }, ttlMs: number) =>
  raw("SET", `${prefix}lock:k`, JSON.stringify({ token: "x", ...holder, since: 0 }), "PX", String(ttlMs))

describe("TokenStoreRedis", () => {
  it("saves, lists and removes pairs, and Redis holds only ciphertext", async () => {
    const prefix = freshPrefix()
    await withStore({ prefix, encryptionKey }, (store) =>
      Effect.all([store.set("keap:app-1", pair), store.set("ghl:location:loc*1", pair)]),
    )
    const back = await withStore({ prefix, encryptionKey }, (store) =>
      Effect.all({ got: store.get("keap:app-1"), keys: store.keys, missing: store.get("nope") }),
    )
    const got = Option.getOrThrow(back.got)
    expect(Redacted.value(got.accessToken)).toBe("access-token-secret-1")
    expect(Redacted.value(got.refreshToken!)).toBe("refresh-token-secret-1")
    expect(got).toMatchObject({
      expiresAt: 1_900_000_000_000,
      scope: "contacts.readonly",
      meta: { locationId: "loc-1" },
    })
    expect(back.keys).toEqual(["ghl:location:loc*1", "keap:app-1"])
    expect(Option.isNone(back.missing)).toBe(true)

    const stored = await raw<string>("GET", `${prefix}token:keap:app-1`)
    expect(stored.startsWith("v1:")).toBe(true)
    expect(stored).not.toContain("secret")
    expect(Buffer.from(stored.slice(3), "base64").toString("latin1")).not.toContain("secret")

    await withStore({ prefix, encryptionKey }, (store) => store.remove("keap:app-1"))
    const after = await withStore({ prefix, encryptionKey }, (store) => store.keys)
    expect(after).toEqual(["ghl:location:loc*1"])
  })

  it("a prefix with glob characters lists only its own keys", async () => {
    const prefix = `${freshPrefix()}*`
    const other = `${prefix.slice(0, -1)}x`
    await withStore({ prefix, encryptionKey }, (store) => store.set("a", pair))
    await withStore({ prefix: other, encryptionKey }, (store) => store.set("b", pair))
    expect(await withStore({ prefix, encryptionKey }, (store) => store.keys)).toEqual(["a"])
  })

  it("a wrong key, a missing key or a value moved to another credential is a clear error without the secret", async () => {
    const prefix = freshPrefix()
    await withStore({ prefix, encryptionKey }, (store) => store.set("keap:app-1", pair))
    const attempt = (options: TokenStoreRedis.StoreOptions, key = "keap:app-1") =>
      Effect.runPromiseExit(
        Effect.flatMap(TokenStore.TokenStore, (store) => store.get(key)).pipe(
          Effect.provide(Layer.fresh(TokenStoreRedis.layer({ url: redis.url, ...options }))),
        ),
      )
    const wrong = await attempt({ prefix, encryptionKey: Redacted.make("another passphrase entirely") })
    expect(Exit.isFailure(wrong)).toBe(true)
    const wrongText = String(Exit.isFailure(wrong) ? wrong.cause : "")
    expect(wrongText).toContain("saved with a different encryption key")
    expect(wrongText).not.toContain("secret")
    expect(wrongText).not.toContain("passphrase")

    const unencrypted = await attempt({ prefix, encryptionKey: "none" })
    expect(String(Exit.isFailure(unencrypted) ? unencrypted.cause : "")).toContain("opened without an encryption key")

    // The ciphertext is bound to its Redis key: copied to another credential, it does not open.
    const sealed = await raw<string>("GET", `${prefix}token:keap:app-1`)
    await raw("SET", `${prefix}token:keap:app-2`, sealed)
    const moved = await attempt({ prefix, encryptionKey }, "keap:app-2")
    expect(Exit.isFailure(moved)).toBe(true)

    const short = await attempt({ prefix, encryptionKey: Redacted.make("short") })
    expect(String(Exit.isFailure(short) ? short.cause : "")).toContain("at least 16 characters")
  })

  it('with encryptionKey "none" the pair is plain JSON, as the README warns', async () => {
    const prefix = freshPrefix()
    await withStore({ prefix, encryptionKey: "none" }, (store) => store.set("k", pair))
    const stored = await raw<string>("GET", `${prefix}token:k`)
    expect(stored.startsWith("plain:")).toBe(true)
    expect(JSON.parse(stored.slice("plain:".length)).refreshToken).toBe("refresh-token-secret-1")
  })

  it("the lock on a credential admits one holder at a time across connections", async () => {
    const prefix = freshPrefix()
    let inside = 0
    let most = 0
    const critical = Effect.gen(function* () {
      inside++
      most = Math.max(most, inside)
      yield* Effect.sleep("30 millis")
      inside--
    })
    const holder = () =>
      withStore({ prefix, encryptionKey }, (store) =>
        Effect.forEach([1, 2, 3], () => store.withLock("keap:app-1", critical), { concurrency: "unbounded" }),
      )
    await Promise.all([holder(), holder(), holder()])
    expect(most).toBe(1)
    expect(await raw<string | null>("GET", `${prefix}lock:keap:app-1`)).toBeNull()
  })

  it("a lock left by a crashed holder expires, and one held by a live holder is kept alive", async () => {
    const prefix = freshPrefix()
    // A holder that died: its lock has no one renewing it.
    await foreignLock(prefix, { pid: 1, host: "elsewhere" }, 300)
    const started = Date.now()
    await withStore({ prefix, encryptionKey, lockTtlMs: 300 }, (store) => store.withLock("k", Effect.void))
    const waited = Date.now() - started
    expect(waited).toBeGreaterThanOrEqual(200)

    // A live holder working for 4 TTLs keeps its lock; a waiter meanwhile does not get in.
    let holderDone = 0
    let waiterIn = 0
    const live = withStore({ prefix, encryptionKey, lockTtlMs: 200 }, (store) =>
      store.withLock(
        "k",
        Effect.sleep("800 millis").pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              holderDone = Date.now()
            }),
          ),
        ),
      ),
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    const waiter = withStore({ prefix, encryptionKey, lockTtlMs: 200 }, (store) =>
      store.withLock(
        "k",
        Effect.sync(() => {
          waiterIn = Date.now()
        }),
      ),
    )
    await Promise.all([live, waiter])
    expect(waiterIn).toBeGreaterThanOrEqual(holderDone)
  })

  it("waiting past the timeout names the holder", async () => {
    const prefix = freshPrefix()
    await foreignLock(prefix, { pid: 4242, host: "box-7" }, 60000)
    const exit = await Effect.runPromiseExit(
      Effect.flatMap(TokenStore.TokenStore, (store) => store.withLock("k", Effect.void)).pipe(
        Effect.provide(
          Layer.fresh(TokenStoreRedis.layer({ url: redis.url, prefix, encryptionKey, lockTimeoutMs: 200 })),
        ),
      ),
    )
    expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("pid 4242 on box-7 has held the lock on k")
  })

  it("two processes on one expired credential: exactly one refresh, both succeed", async () => {
    const tokens = await startTokenServer()
    tokens.setLatency(300)
    const prefix = freshPrefix()
    const storeKey = "keap:app-1"
    const key = "a passphrase only the tests know"
    await withStore({ prefix, encryptionKey: Redacted.make(key) }, (store) =>
      store.set(storeKey, {
        accessToken: Redacted.make("access-0"),
        refreshToken: Redacted.make("refresh-0"),
        expiresAt: 0,
      }),
    )
    const worker = path.join(import.meta.dirname, "support", "refreshWorker.ts")
    const config = JSON.stringify({
      store: "redis",
      location: redis.url,
      prefix,
      encryptionKey: key,
      tokenUrl: tokens.url,
      storeKey,
      requests: 5,
    })
    const run = () => promisify(execFile)(process.execPath, [worker, config], { cwd: import.meta.dirname })
    try {
      const results = await Promise.all([run(), run(), run()])
      const used = results.flatMap((result) => JSON.parse(result.stdout).authorizations as Array<string>)
      expect(used).toHaveLength(15)
      expect(new Set(used)).toEqual(new Set(["Bearer access-1"]))
      expect(tokens.refreshes()).toBe(1)
      expect(tokens.rejected()).toBe(0)
      const saved = await withStore({ prefix, encryptionKey: Redacted.make(key) }, (store) => store.get(storeKey))
      expect(Redacted.value(Option.getOrThrow(saved).refreshToken!)).toBe("refresh-1")
    } finally {
      await tokens.stop()
    }
  }, 30_000)
})

/**
 * Token pairs in Redis, for several machines (or containers) that use one credential:
 * the Redis the shared rate limiter already uses. Each credential has a lock in Redis
 * (`SET NX PX`, kept alive while its holder works, released only by its holder), so one
 * refresh happens at a time across every machine, and a holder that crashes loses the
 * lock when it expires.
 *
 * What lands in Redis is encrypted (AES-256-GCM) with a key the caller provides, bound to
 * the Redis key it is saved under. With `encryptionKey: "none"` Redis holds the tokens in
 * plain JSON: then anyone who can read that Redis can act as the user, so keep it on a
 * private network with a password and TLS.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto"
import * as os from "node:os"
import { NodeRedis } from "@effect/platform-node"
import { Duration, Effect, Layer, Option, Redacted, Schedule, Schema } from "effect"
import * as Redis from "effect/persistence/Redis"
import { fromStored, StoredToken, toStored } from "./internal/storedToken.ts"
import { makeProcessLocks, TokenStore, TokenStoreError, type TokenStoreShape } from "./TokenStore.ts"

export interface RedisOptions {
  /** e.g. `redis://127.0.0.1:6379`, or `rediss://` for TLS. */
  readonly url: string
  /**
   * A secret (a passphrase, or 32 random bytes in base64) from which the AES key is
   * derived; every machine sharing the store needs the same one. `"none"` stores the
   * tokens unencrypted, which must be a deliberate choice.
   */
  readonly encryptionKey: Redacted.Redacted<string> | "none"
  /** Key prefix, so that several apps can share one Redis. Default `crmkit:tokens:`. */
  readonly prefix?: string | undefined
  /** A lock whose holder stopped renewing it expires after this long. Default 10 seconds. */
  readonly lockTtlMs?: number | undefined
  /** How long to wait for a lock another holder has. Default 60 seconds. */
  readonly lockTimeoutMs?: number | undefined
}

export type StoreOptions = Omit<RedisOptions, "url">

const decodeStored = Schema.decodeUnknownEffect(Schema.fromJsonString(StoredToken))

/** A lock value names its holder, so that a waiter that gives up can say who holds it. */
interface LockHolder {
  readonly token: string
  readonly pid: number
  readonly host: string
  readonly since: number
}

// Renews the lock only while it is still ours: a holder that paused past the expiry must
// not extend a lock someone else has taken since.
const extendLock = Redis.script((key: string, value: string, ttlMs: number) => [key, value, String(ttlMs)], {
  numberOfKeys: 1,
  lua: `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0
`,
}).withReturnType<number>()

const releaseLock = Redis.script((key: string, value: string) => [key, value], {
  numberOfKeys: 1,
  lua: `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`,
}).withReturnType<number>()

/** `v1:` + base64(iv ‖ tag ‖ ciphertext); the Redis key is the associated data. */
const makeCipher = (encryptionKey: RedisOptions["encryptionKey"]) => {
  if (encryptionKey === "none") {
    return {
      seal: (_key: string, plain: string) => `plain:${plain}`,
      open: (key: string, sealed: string): string => {
        if (sealed.startsWith("plain:")) return sealed.slice("plain:".length)
        throw new Error(`${key} is encrypted, but this store was opened without an encryption key`)
      },
    }
  }
  const secret = Redacted.value(encryptionKey)
  if (secret.length < 16) throw new Error("the encryption key must be at least 16 characters long")
  // A fixed salt: every machine must derive the same key from the same secret.
  const aesKey = scryptSync(secret, "crmkit token store v1", 32)
  return {
    seal: (key: string, plain: string) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv("aes-256-gcm", aesKey, iv)
      cipher.setAAD(Buffer.from(key))
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()])
      return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`
    },
    open: (key: string, sealed: string): string => {
      if (!sealed.startsWith("v1:")) {
        throw new Error(`${key} was saved without encryption; save it again through an encrypted store`)
      }
      const raw = Buffer.from(sealed.slice(3), "base64")
      try {
        const decipher = createDecipheriv("aes-256-gcm", aesKey, raw.subarray(0, 12))
        decipher.setAAD(Buffer.from(key))
        decipher.setAuthTag(raw.subarray(12, 28))
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")
      } catch {
        throw new Error(`${key} cannot be decrypted: it was saved with a different encryption key`)
      }
    },
  }
}

/** SCAN patterns treat these as wildcards; a prefix is matched literally. */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)

const describe = (cause: unknown): string => {
  const inner = (cause as { cause?: unknown } | undefined)?.cause ?? cause
  return inner instanceof Error ? inner.message : String(inner)
}

/** Needs a `Redis` connection; `layer` brings its own. */
export const make = Effect.fnUntraced(function* (options: StoreOptions) {
  const redis = yield* Redis.Redis
  const prefix = options.prefix ?? "crmkit:tokens:"
  const lockTtlMs = options.lockTtlMs ?? 10_000
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000
  const where = `Token store in Redis (prefix ${prefix})`
  const cipher = yield* Effect.try({
    try: () => makeCipher(options.encryptionKey),
    catch: (cause) => new TokenStoreError({ message: `${where}: ${describe(cause)}` }),
  })
  const tokenKey = (key: string) => `${prefix}token:${key}`
  const lockKey = (key: string) => `${prefix}lock:${key}`
  const fail = (action: string) => (cause: unknown) =>
    new TokenStoreError({ message: `${where}: could not ${action}: ${describe(cause)}` })
  const send = <A>(action: string, command: string, ...args: ReadonlyArray<string>) =>
    redis.send<A>(command, ...args).pipe(Effect.mapError(fail(action)))

  const get = (key: string) =>
    send<string | null>(`read ${key}`, "GET", tokenKey(key)).pipe(
      Effect.flatMap((sealed) => {
        if (sealed === null) return Effect.succeedNone
        return Effect.try({
          try: () => cipher.open(tokenKey(key), sealed),
          catch: (cause) => new TokenStoreError({ message: `${where}: ${describe(cause)}` }),
        }).pipe(
          Effect.flatMap((plain) =>
            decodeStored(plain).pipe(
              Effect.mapError(() => new TokenStoreError({ message: `${where}: ${tokenKey(key)} is not a token pair` })),
            ),
          ),
          Effect.map((stored) => Option.some(fromStored(stored))),
        )
      }),
    )

  const keys = Effect.gen(function* () {
    const found = new Set<string>()
    const pattern = `${escapeGlob(prefix)}token:*`
    let cursor = "0"
    do {
      const [next, batch] = yield* send<[string, Array<string>]>(
        "list keys",
        "SCAN",
        cursor,
        "MATCH",
        pattern,
        "COUNT",
        "200",
      )
      for (const name of batch) found.add(name.slice(`${prefix}token:`.length))
      cursor = next
    } while (cursor !== "0")
    return [...found].sort()
  })

  // Fibers of this process queue in memory; only one of them at a time polls Redis.
  const processLocks = makeProcessLocks()
  const holdLock = (key: string) => {
    const holder: LockHolder = {
      token: randomBytes(12).toString("hex"),
      pid: process.pid,
      host: os.hostname(),
      since: Date.now(),
    }
    const value = JSON.stringify(holder)
    const name = lockKey(key)
    const started = Date.now()
    const take: Effect.Effect<void, TokenStoreError> = Effect.gen(function* () {
      for (;;) {
        const taken = yield* send<string | null>(`lock ${key}`, "SET", name, value, "NX", "PX", String(lockTtlMs))
        if (taken === "OK") return
        if (Date.now() - started > lockTimeoutMs) {
          const current = yield* send<string | null>(`lock ${key}`, "GET", name)
          let who = "another holder"
          try {
            const other = JSON.parse(current ?? "") as LockHolder
            who = `pid ${other.pid} on ${other.host}`
          } catch {}
          return yield* Effect.fail(
            new TokenStoreError({
              message: `${where}: ${who} has held the lock on ${key} for over ${Math.round(lockTimeoutMs / 1000)} s`,
            }),
          )
        }
        yield* Effect.sleep(Duration.millis(20 + Math.floor(Math.random() * 60)))
      }
    })
    const keepAlive = redis
      .eval(extendLock)(name, value, lockTtlMs)
      .pipe(Effect.ignore, Effect.repeat(Schedule.spaced(Duration.millis(Math.max(1, Math.floor(lockTtlMs / 3))))))
    return Effect.acquireRelease(take, () => redis.eval(releaseLock)(name, value).pipe(Effect.ignore)).pipe(
      Effect.tap(() => Effect.forkScoped(keepAlive)),
    )
  }

  return TokenStore.of({
    get,
    set: (key, tokens) =>
      send(`save ${key}`, "SET", tokenKey(key), cipher.seal(tokenKey(key), JSON.stringify(toStored(tokens)))).pipe(
        Effect.asVoid,
      ),
    remove: (key) => send(`remove ${key}`, "DEL", tokenKey(key)).pipe(Effect.asVoid),
    keys,
    withLock: (key, effect) => processLocks(key, Effect.scoped(Effect.andThen(holdLock(key), effect))),
  } satisfies TokenStoreShape)
})

/** The store on its own Redis connection. */
export const layer = (options: RedisOptions): Layer.Layer<TokenStore, Redis.RedisError | TokenStoreError> => {
  const { url, ...storeOptions } = options
  return Layer.effect(TokenStore, make(storeOptions)).pipe(Layer.provide(NodeRedis.layer({ url })))
}

/** The store on a `Redis` connection the app already has (e.g. the rate limiter's). */
export const layerRedis = (options: StoreOptions): Layer.Layer<TokenStore, TokenStoreError, Redis.Redis> =>
  Layer.effect(TokenStore, make(options))

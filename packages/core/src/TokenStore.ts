/**
 * Where OAuth token pairs live between requests and between runs. Both CRMs rotate
 * refresh tokens, so a refreshed pair must be saved before anything uses it: losing
 * it means the user has to log in again. Each store also holds a lock per credential,
 * as wide as the store is shared (this process, the processes sharing a file, the
 * machines sharing a Redis), so that only one holder refreshes a pair at a time.
 */
import { createHash } from "node:crypto"
import { constants } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Context, Effect, Layer, Option, type Redacted, Schema, Semaphore } from "effect"
import * as FileLock from "./internal/fileLock.ts"
import { fromStored, StoredToken, toStored } from "./internal/storedToken.ts"

export interface TokenSet {
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken?: Redacted.Redacted<string> | undefined
  /** Epoch milliseconds; absent when the provider did not say. */
  readonly expiresAt?: number | undefined
  readonly scope?: string | undefined
  /** Non-secret facts from the token response (user type, location id, company id...). */
  readonly meta?: Readonly<Record<string, unknown>> | undefined
}

export class TokenStoreError extends Schema.TaggedError<TokenStoreError>()("TokenStoreError", {
  message: Schema.String,
}) {}

export interface TokenStoreShape {
  readonly get: (key: string) => Effect.Effect<Option.Option<TokenSet>, TokenStoreError>
  readonly set: (key: string, tokens: TokenSet) => Effect.Effect<void, TokenStoreError>
  readonly remove: (key: string) => Effect.Effect<void, TokenStoreError>
  readonly keys: Effect.Effect<ReadonlyArray<string>, TokenStoreError>
  /**
   * Runs `effect` holding the exclusive lock on `key`, shared with every holder of this
   * store. A holder that dies loses the lock after a short expiry, so others go on.
   */
  readonly withLock: <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | TokenStoreError, R>
}

export class TokenStore extends Context.Service<TokenStore, TokenStoreShape>()("@crmkit/core/TokenStore") {}

/** One semaphore per key, for locks that only need to hold within this process. */
export const makeProcessLocks = () => {
  const locks = new Map<string, Semaphore.Semaphore>()
  return <A, E, R>(key: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      let lock = locks.get(key)
      if (lock === undefined) {
        lock = Semaphore.makeUnsafe(1)
        locks.set(key, lock)
      }
      return lock.withPermit(effect)
    })
}

/** Kept in this process only: for tests, short scripts and hosts that persist tokens themselves. */
export const makeMemory = (initial: Readonly<Record<string, TokenSet>> = {}): TokenStoreShape => {
  const entries = new Map(Object.entries(initial))
  return {
    get: (key) => Effect.sync(() => Option.fromNullishOr(entries.get(key))),
    set: (key, tokens) => Effect.sync(() => void entries.set(key, tokens)),
    remove: (key) => Effect.sync(() => void entries.delete(key)),
    keys: Effect.sync(() => [...entries.keys()]),
    withLock: makeProcessLocks(),
  }
}

export const layerMemory = (initial?: Readonly<Record<string, TokenSet>>): Layer.Layer<TokenStore> =>
  Layer.sync(TokenStore, () => makeMemory(initial))

/** On-disk form: plain strings, since the file itself is the secret (mode 0600). */
const StoreFile = Schema.Struct({ version: Schema.Literal(1), tokens: Schema.Record(Schema.String, StoredToken) })
type StoreFile = typeof StoreFile.Type
const decodeStoreFile = Schema.decodeUnknownEffect(Schema.fromJsonString(StoreFile))

export interface FileOptions {
  /** A lock left by a holder that stopped touching it is taken over after this long. Default 10 seconds. */
  readonly staleLockMs?: number | undefined
  /** How long to wait for a lock another live process holds. Default 60 seconds. */
  readonly lockTimeoutMs?: number | undefined
}

/**
 * A JSON file readable only by its owner (0600). Every write goes to a temporary file in
 * the same folder, is flushed, then renamed over the old one, so a crash mid-write never
 * leaves a half-written store. The file is re-read on every access so that several
 * processes sharing it see each other's refreshes, and every read-modify-write holds a
 * lock file (`<file>.lock`), so that two processes saving different pairs lose neither.
 * `withLock(key)` holds `<file>.<hash of key>.lock`: one refresh per credential across
 * the processes sharing the file.
 */
// Fibers of one process queue here rather than polling the lock file; shared by every
// store opened on the same file.
const fileLocksInProcess = makeProcessLocks()

export const makeFile = Effect.fnUntraced(function* (filePath: string, options: FileOptions = {}) {
  const fail = (action: string) => (cause: unknown) =>
    new TokenStoreError({ message: `Token store ${filePath}: could not ${action}: ${describe(cause)}` })
  const lockOptions = { staleMs: options.staleLockMs, timeoutMs: options.lockTimeoutMs }
  const holdingFileLock = <A, E, R>(lockPath: string, effect: Effect.Effect<A, E, R>) =>
    fileLocksInProcess(
      lockPath,
      Effect.scoped(
        Effect.flatMap(
          FileLock.acquire(lockPath, lockOptions).pipe(
            Effect.mapError((error) => new TokenStoreError({ message: `Token store ${filePath}: ${error.message}` })),
          ),
          () => effect,
        ),
      ),
    )
  const ensureFolder = Effect.tryPromise({
    try: () => fs.mkdir(path.dirname(filePath), { recursive: true, mode: 0o700 }),
    catch: fail("create the folder of"),
  })

  const read = Effect.tryPromise({
    try: () => fs.readFile(filePath, "utf8"),
    catch: fail("read"),
  }).pipe(
    Effect.catchIf(
      (error) => error.message.includes("ENOENT"),
      () => Effect.succeed(undefined),
    ),
    Effect.flatMap((text) =>
      text === undefined
        ? Effect.succeed<StoreFile>({ version: 1, tokens: {} })
        : decodeStoreFile(text).pipe(
            Effect.mapError(() => new TokenStoreError({ message: `Token store ${filePath} is not valid` })),
          ),
    ),
  )

  const write = (content: StoreFile) =>
    Effect.tryPromise({
      try: async () => {
        await fs.mkdir(path.dirname(filePath), { recursive: true, mode: 0o700 })
        const temporary = `${filePath}.${process.pid}.${Date.now()}.tmp`
        const handle = await fs.open(temporary, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o600)
        try {
          await handle.writeFile(JSON.stringify(content, null, 2))
          await handle.sync()
        } finally {
          await handle.close()
        }
        await fs.chmod(temporary, 0o600)
        await fs.rename(temporary, filePath)
      },
      catch: fail("write"),
    })

  const update = (f: (tokens: StoreFile["tokens"]) => StoreFile["tokens"]) =>
    Effect.andThen(
      ensureFolder,
      holdingFileLock(
        `${filePath}.lock`,
        Effect.flatMap(read, (content) => write({ version: 1, tokens: f(content.tokens) })),
      ),
    )

  return TokenStore.of({
    get: (key) => Effect.map(read, (content) => Option.map(Option.fromNullishOr(content.tokens[key]), fromStored)),
    set: (key, tokens) => update((all) => ({ ...all, [key]: toStored(tokens) })),
    remove: (key) =>
      update((all) => {
        const { [key]: _removed, ...rest } = all
        return rest
      }),
    keys: Effect.map(read, (content) => Object.keys(content.tokens)),
    withLock: (key, effect) => Effect.andThen(ensureFolder, holdingFileLock(credentialLockPath(filePath, key), effect)),
  })
})

/** The lock file of one credential: named by a hash, since store keys may hold any character. */
export const credentialLockPath = (filePath: string, key: string): string =>
  `${filePath}.${createHash("sha256").update(key).digest("hex").slice(0, 16)}.lock`

export const layerFile = (filePath: string, options?: FileOptions): Layer.Layer<TokenStore> =>
  Layer.effect(TokenStore, makeFile(filePath, options))

const describe = (cause: unknown): string => {
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message
  return String(cause)
}

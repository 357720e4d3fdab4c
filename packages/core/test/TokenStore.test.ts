import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { TokenStore } from "../src/index.ts"

const tokens = (n: number): TokenStore.TokenSet => ({
  accessToken: Redacted.make(`access-${n}`),
  refreshToken: Redacted.make(`refresh-${n}`),
  expiresAt: 1_800_000_000_000 + n,
  scope: "full",
  meta: { userType: "Location", n },
})

const temporaryFile = Effect.promise(async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "crmkit-store-"))
  return path.join(dir, "nested", "tokens.json")
})

describe("TokenStore", () => {
  it.effect("memory store keeps, replaces and removes pairs", () =>
    Effect.gen(function* () {
      const store = TokenStore.makeMemory()
      yield* store.set("a", tokens(1))
      yield* store.set("a", tokens(2))
      const got = yield* store.get("a")
      assert.strictEqual(Redacted.value(Option.getOrThrow(got).accessToken), "access-2")
      yield* store.remove("a")
      assert.isTrue(Option.isNone(yield* store.get("a")))
    }),
  )

  it.effect("file store round-trips a pair, with owner-only permissions", () =>
    Effect.gen(function* () {
      const file = yield* temporaryFile
      const store = yield* TokenStore.makeFile(file)
      yield* store.set("keap:app", tokens(7))
      const reopened = yield* TokenStore.makeFile(file)
      const got = Option.getOrThrow(yield* reopened.get("keap:app"))
      assert.strictEqual(Redacted.value(got.accessToken), "access-7")
      assert.strictEqual(Redacted.value(got.refreshToken!), "refresh-7")
      assert.strictEqual(got.expiresAt, 1_800_000_000_007)
      assert.deepStrictEqual(got.meta, { userType: "Location", n: 7 })
      const stat = yield* Effect.promise(() => fs.stat(file))
      assert.strictEqual(stat.mode & 0o777, 0o600)
      const leftovers = yield* Effect.promise(() => fs.readdir(path.dirname(file)))
      assert.deepStrictEqual(leftovers, ["tokens.json"], "no temporary file is left behind")
    }),
  )

  it.effect("concurrent writes to different keys lose none of them", () =>
    Effect.gen(function* () {
      const file = yield* temporaryFile
      const store = yield* TokenStore.makeFile(file)
      yield* Effect.forEach(
        Array.from({ length: 25 }, (_, i) => i),
        (i) => store.set(`key-${i}`, tokens(i)),
        { concurrency: "unbounded" },
      )
      const keys = yield* store.keys
      assert.strictEqual(keys.length, 25)
      yield* store.remove("key-3")
      assert.isFalse((yield* store.keys).includes("key-3"))
    }),
  )

  it.effect("a corrupt file is an error naming the file, not an empty store", () =>
    Effect.gen(function* () {
      const file = yield* temporaryFile
      yield* Effect.promise(async () => {
        await fs.mkdir(path.dirname(file), { recursive: true })
        await fs.writeFile(file, "{ not json")
      })
      const store = yield* TokenStore.makeFile(file)
      const error = yield* Effect.flip(store.get("x"))
      assert.include(error.message, file)
    }),
  )
})

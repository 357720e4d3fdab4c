import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { RateLimit } from "../src/index.ts"
import * as RateLimitRedis from "../src/RateLimitRedis.ts"
import { type RedisServer, startRedis } from "./support/redisServer.ts"

let redis: RedisServer

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  await redis?.stop()
})

const policy: RateLimit.RateLimitPolicy = {
  name: "shared",
  windows: [{ name: "second", limit: 10, window: "1 second" }],
  safetyMargin: 0,
}

// Each worker builds its own layer and its own Redis connection, as two processes would.
const worker = (name: string, requests: number, startedAt: number) =>
  Effect.gen(function* () {
    const limits = yield* RateLimit.RateLimits
    return yield* Effect.forEach(
      Array.from({ length: requests }, (_, i) => i),
      () => Effect.map(limits.admit(policy, "account-1"), () => ({ worker: name, at: Date.now() - startedAt })),
      { concurrency: "unbounded" },
    )
  }).pipe(Effect.provide(Layer.fresh(RateLimitRedis.layer({ url: redis.url, prefix: `test-${startedAt}:` }))))

describe("RateLimitRedis", () => {
  it("two workers on one account share one budget", async () => {
    const startedAt = Date.now()
    const [a, b] = await Effect.runPromise(
      Effect.all([worker("a", 10, startedAt), worker("b", 10, startedAt)], { concurrency: 2 }),
    )
    const all = [...a, ...b]
    const inFirstWindow = all.filter((r) => r.at < 900).length
    // Alone, each worker would admit all ten at once; shared, only ten of twenty go in the first second.
    expect(inFirstWindow).toBe(10)
    expect(all.filter((r) => r.at >= 900).length).toBe(10)
    expect(Math.max(...all.map((r) => r.at))).toBeLessThan(3000)
  })

  const padded: RateLimit.RateLimitPolicy = { ...policy, safetyMargin: "150 millis" }

  it("no second holds more than the limit, however the workers' bursts fall (a window half used, then another worker)", async () => {
    const startedAt = Date.now()
    const prefix = `test-sliding-${startedAt}:`
    const admit = (name: string, requests: number) =>
      Effect.gen(function* () {
        const limits = yield* RateLimit.RateLimits
        return yield* Effect.forEach(
          Array.from({ length: requests }, (_, i) => i),
          () => Effect.map(limits.admit(padded, "account-2"), () => ({ worker: name, at: Date.now() - startedAt })),
          { concurrency: "unbounded" },
        )
      }).pipe(Effect.provide(Layer.fresh(RateLimitRedis.layer({ url: redis.url, prefix }))))
    // The test sees when each admission returned, a few milliseconds after the moment it booked (more on a
    // loaded machine): the margin keeps that jitter from reading as an eleventh request in a second.
    // Six at once, then (a third of a second later, in another process) twelve more, then eight.
    const first = await Effect.runPromise(admit("a", 6))
    await new Promise((r) => setTimeout(r, 300))
    const [second, third] = await Effect.runPromise(Effect.all([admit("b", 12), admit("c", 8)], { concurrency: 2 }))
    const times = [...first, ...second, ...third].map((r) => r.at).sort((x, y) => x - y)
    // A provider counting any second (sliding, or fixed from whenever its window opened) sees at most ten.
    for (const [i, t] of times.entries()) {
      const inSecond = times.filter((u) => u > t - 1000 && u <= t).length
      expect(inSecond, `${inSecond} in the second before ${t} ms (request ${i})`).toBeLessThanOrEqual(10)
    }
    expect(times.length).toBe(26)
    expect(times[25]!).toBeLessThan(4000)
  })

  it("a Redis that cannot be reached is an error, not a silent pass", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        const limits = yield* RateLimit.RateLimits
        return yield* limits.admit(policy, "x")
      }).pipe(Effect.provide(RateLimitRedis.layer({ url: "redis://127.0.0.1:1" })), Effect.timeout("5 seconds")),
    )
    expect(exit._tag).toBe("Failure")
  })
})

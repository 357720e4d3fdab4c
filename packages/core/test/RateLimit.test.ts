import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { RateLimit } from "../src/index.ts"

const collectAdmissionTimes = (policy: RateLimit.RateLimitPolicy, count: number, advanceBy: number, steps: number) =>
  Effect.gen(function* () {
    const limits = yield* RateLimit.make
    const times: Array<number> = []
    const fiber = yield* Effect.forkChild(
      Effect.forEach(
        Array.from({ length: count }, (_, i) => i),
        () =>
          Effect.flatMap(limits.admit(policy, "credential-a"), () =>
            Effect.clockWith((clock) => Effect.sync(() => times.push(clock.currentTimeMillisUnsafe()))),
          ),
        { concurrency: "unbounded" },
      ),
    )
    for (let i = 0; i < steps; i++) yield* TestClock.adjust(advanceBy)
    yield* Fiber.join(fiber)
    return times
  }).pipe(Effect.provide(RateLimit.limiterMemory))

describe("RateLimits", () => {
  it.effect("paces requests through a window instead of letting them through", () =>
    Effect.gen(function* () {
      const policy: RateLimit.RateLimitPolicy = {
        name: "test",
        windows: [{ name: "second", limit: 5, window: "1 second" }],
        safetyMargin: 0,
      }
      const times = yield* collectAdmissionTimes(policy, 12, 100, 30)
      const perSecond = new Map<number, number>()
      for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1)
      assert.deepStrictEqual([...perSecond.entries()].sort(), [
        [0, 5],
        [1, 5],
        [2, 2],
      ])
    }),
  )

  it.effect("enforces every window of a policy at once", () =>
    Effect.gen(function* () {
      const policy: RateLimit.RateLimitPolicy = {
        name: "multi",
        windows: [
          { name: "second", limit: 10, window: "1 second" },
          { name: "minute", limit: 15, window: "1 minute" },
        ],
        safetyMargin: 0,
      }
      const times = yield* collectAdmissionTimes(policy, 20, 1000, 130)
      const firstMinute = times.filter((t) => t < 60_000).length
      assert.strictEqual(firstMinute, 15, "the per-minute window caps the first minute")
      assert.strictEqual(times.filter((t) => t < 1000).length, 10, "the per-second window caps the first second")
      assert.strictEqual(times.filter((t) => t >= 60_000 && t < 61_000).length, 5)
    }),
  )

  it.effect("waits for the reset a provider reports once it says the window is spent", () =>
    Effect.gen(function* () {
      const policy: RateLimit.RateLimitPolicy = {
        name: "headers",
        windows: [{ name: "burst", limit: 100, window: "10 seconds" }],
        readHeaders: (headers) => [
          {
            name: "burst",
            remaining: Number(headers["x-remaining"]),
            resetAfterMillis: Number(headers["x-reset-ms"]),
          },
        ],
      }
      const limits = yield* RateLimit.make
      const ticket = yield* limits.admit(policy, "c")
      // The provider says another client spent the budget: 3 s until it resets.
      yield* limits.observe(policy, ticket, { "x-remaining": "0", "x-reset-ms": "3000" })
      const fiber = yield* Effect.forkChild(limits.admit(policy, "c"))
      yield* TestClock.adjust(2_999)
      assert.isUndefined(fiber.pollUnsafe(), "still waiting before the reset")
      yield* TestClock.adjust(1)
      yield* Fiber.join(fiber)
      const waited = yield* limits.waited
      assert.strictEqual(Duration.toMillis(waited), 3000)
    }).pipe(Effect.provide(RateLimit.limiterMemory)),
  )

  it.effect("without a reset header, the window is assumed to reset one interval after it opened", () =>
    Effect.gen(function* () {
      const policy: RateLimit.RateLimitPolicy = {
        name: "interval",
        windows: [{ name: "burst", limit: 1000, window: "10 seconds" }],
        safetyMargin: 0,
        readHeaders: (headers) => [
          { name: "burst", limit: 3, remaining: Number(headers["x-remaining"]), windowMillis: 10_000 },
        ],
      }
      const limits = yield* RateLimit.make
      for (const remaining of [2, 1, 0]) {
        const ticket = yield* limits.admit(policy, "c")
        yield* limits.observe(policy, ticket, { "x-remaining": String(remaining) })
        yield* TestClock.adjust(1000)
      }
      // Window opened at t=0 (remaining = limit - 1); now t=3000, spent.
      const fiber = yield* Effect.forkChild(limits.admit(policy, "c"))
      yield* TestClock.adjust(6_999)
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust(1)
      yield* Fiber.join(fiber)
    }).pipe(Effect.provide(RateLimit.limiterMemory)),
  )

  it.effect("a 429 waits for Retry-After when the provider sends it, and backs off otherwise", () =>
    Effect.gen(function* () {
      const policy: RateLimit.RateLimitPolicy = {
        name: "retry",
        windows: [{ name: "s", limit: 10, window: "1 second" }],
      }
      const limits = yield* RateLimit.make
      const ticket = yield* limits.admit(policy, "c")
      const asked = yield* limits.delayAfter429(policy, ticket, { "retry-after": "7" }, 1)
      assert.strictEqual(Duration.toMillis(asked), 7000)
      const first = Duration.toMillis(yield* limits.delayAfter429(policy, ticket, {}, 1))
      const third = Duration.toMillis(yield* limits.delayAfter429(policy, ticket, {}, 3))
      assert.isTrue(first >= 400 && first <= 600, `first backoff ${first}`)
      assert.isTrue(third >= 800 && third <= 1200, `third backoff ${third} is capped by the 1 s window`)
    }).pipe(Effect.provide(RateLimit.limiterMemory)),
  )

  it.effect("keeps separate budgets per credential", () =>
    Effect.gen(function* () {
      const policy: RateLimit.RateLimitPolicy = {
        name: "per-key",
        windows: [{ name: "s", limit: 2, window: "1 second" }],
        safetyMargin: 0,
      }
      const limits = yield* RateLimit.make
      yield* limits.admit(policy, "a")
      yield* limits.admit(policy, "a")
      yield* limits.admit(policy, "b")
      yield* limits.admit(policy, "b")
      const third = yield* Effect.forkChild(limits.admit(policy, "a"))
      yield* TestClock.adjust(999)
      assert.isUndefined(third.pollUnsafe(), "a's third request waits")
      yield* TestClock.adjust(1)
      yield* Fiber.join(third)
    }).pipe(Effect.provide(RateLimit.limiterMemory)),
  )
})

describe("retryAfterHeader", () => {
  it("reads seconds and HTTP dates", () => {
    assert.strictEqual(RateLimit.retryAfterHeader({ "retry-after": "2" }, 0), 2000)
    const now = Date.parse("2026-11-23T10:00:00Z")
    assert.strictEqual(RateLimit.retryAfterHeader({ "retry-after": "Mon, 23 Nov 2026 10:00:05 GMT" }, now), 5000)
    assert.isUndefined(RateLimit.retryAfterHeader({}, now))
  })
})

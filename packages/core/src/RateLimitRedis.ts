/**
 * Rate-limit budgets in Redis, so that several processes or workers that use one
 * account share one budget. Each provider window is a sliding log in Redis (a sorted set
 * of booked moments, timed by Redis's own clock so machines need not agree on the time);
 * Effect's `RateLimiter` on Redis serves the app's own budgets (an AI agent's calls per
 * minute). The connection comes from `@effect/platform-node`'s NodeRedis (the `redis` package).
 */
import { randomUUID } from "node:crypto"
import { NodeRedis } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { RateLimiter, Redis } from "effect/persistence"
import type { RedisError } from "effect/persistence/Redis"
import * as RateLimit from "./RateLimit.ts"

export interface RedisOptions {
  /** e.g. `redis://127.0.0.1:6379` */
  readonly url: string
  /** Key prefix, so that several apps can share one Redis. Default `crmkit:ratelimit:`. */
  readonly prefix?: string | undefined
}

/** Effect's `RateLimiter` on Redis: for budgets of the app's own (an AI agent's calls per minute). */
export const limiter = (options: RedisOptions): Layer.Layer<RateLimiter.RateLimiter, RedisError> =>
  RateLimiter.layer.pipe(
    Layer.provide(RateLimiter.layerStoreRedis({ prefix: options.prefix ?? "crmkit:ratelimit:" })),
    Layer.provide(NodeRedis.layer({ url: options.url })),
  )

// Books the first moment at which fewer than `limit` bookings fall in the window before it:
// bookings only move forward in time, so the `limit`-th from the end decides.
const reserveScript = Redis.script(
  (key: string, limit: number, windowMillis: number, member: string) => [key, limit, windowMillis, member],
  {
    numberOfKeys: 1,
    lua: `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call("ZREMRANGEBYSCORE", key, "-inf", now - window)
local booked = redis.call("ZCARD", key)
local at = now
if booked >= limit then
  local decider = redis.call("ZRANGE", key, booked - limit, booked - limit, "WITHSCORES")
  at = math.max(now, tonumber(decider[2]) + window)
end
redis.call("ZADD", key, at, ARGV[3])
redis.call("PEXPIRE", key, at - now + window)
return at - now
`,
  },
).withReturnType<number>()

export const sharedLog = (options: Pick<RedisOptions, "prefix"> = {}) =>
  Layer.effect(
    RateLimit.SharedLog,
    Effect.gen(function* () {
      const redis = yield* Redis.Redis
      const reserve = redis.eval(reserveScript)
      const prefix = `${options.prefix ?? "crmkit:ratelimit:"}log:`
      return RateLimit.SharedLog.of({
        reserve: (key, limit, windowMillis) =>
          reserve(`${prefix}${key}`, limit, Math.ceil(windowMillis), randomUUID()).pipe(
            Effect.map(Number),
            Effect.mapError(
              (cause) =>
                new RateLimiter.RateLimiterError({
                  reason: new RateLimiter.RateLimitStoreError({
                    message: "Failed to book a request in the shared rate-limit log",
                    cause,
                  }),
                }),
            ),
          ),
      })
    }),
  )

/** The provider budgets of every process on this Redis: one sliding log per account and window. */
export const layer = (options: RedisOptions): Layer.Layer<RateLimit.RateLimits, RedisError> =>
  RateLimit.layer.pipe(
    Layer.provide(
      Layer.merge(
        RateLimiter.layer.pipe(
          Layer.provide(RateLimiter.layerStoreRedis({ prefix: options.prefix ?? "crmkit:ratelimit:" })),
        ),
        sharedLog(options),
      ),
    ),
    Layer.provide(NodeRedis.layer({ url: options.url })),
  )

/**
 * Rate-limit budgets in Redis, so that several processes or workers that use one
 * account share one budget. Uses Effect's Redis store for `RateLimiter`; the
 * connection comes from `@effect/platform-node`'s NodeRedis (the `redis` package).
 */
import { NodeRedis } from "@effect/platform-node"
import { Layer } from "effect"
import { RateLimiter } from "effect/persistence"
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

export const layer = (options: RedisOptions): Layer.Layer<RateLimit.RateLimits, RedisError> =>
  RateLimit.layer.pipe(Layer.provide(limiter(options)))

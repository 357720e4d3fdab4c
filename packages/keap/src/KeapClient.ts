/**
 * The Keap client: the core's pipeline with Keap's base URL, quotas and error shapes.
 * It needs an `HttpClient` (the app picks the transport), `Credentials` (see KeapAuth)
 * and `RateLimits` (memory or Redis).
 */
import { CrmClient, RateLimit, Sensitive } from "@crmkit/core"
import { Context, Layer } from "effect"
import { defaults, type KeapClientOptions } from "./KeapConfig.ts"
import * as KeapErrors from "./KeapErrors.ts"
import * as KeapRateLimits from "./KeapRateLimits.ts"

export class KeapClient extends Context.Service<KeapClient, CrmClient.CrmClient>()("@crmkit/keap/KeapClient") {}

export const profile = (options: KeapClientOptions = {}) => ({
  name: "keap",
  baseUrl: options.baseUrl ?? defaults.baseUrl,
  rateLimitPolicy: KeapRateLimits.policyFor,
  decodeError: KeapErrors.decodeError(options.requestIdHeaders),
  requestId: KeapErrors.requestId(options.requestIdHeaders),
})

/** Needs `HttpClient`, `Credentials` and `RateLimits`. */
export const layer = (options: KeapClientOptions = {}) =>
  Layer.effect(KeapClient, CrmClient.make(profile(options))).pipe(
    Layer.provideMerge(Sensitive.layerRedactedHeaders([defaults.apiKeyHeader])),
  )

/** Budgets kept in this process; use `RateLimitRedis.layer` to share them between processes. */
export const layerWithMemoryRateLimits = (options: KeapClientOptions = {}) =>
  layer(options).pipe(Layer.provide(RateLimit.layerMemory))

/**
 * The GHL client: the core's pipeline with GHL's base URL, `Version` header, limits and
 * error shapes. Needs an `HttpClient`, `Credentials` (see GhlAuth) and `RateLimits`.
 */
import { CrmClient, RateLimit } from "@crmkit/core"
import { Context, Layer } from "effect"
import { defaults, type GhlClientOptions } from "./GhlConfig.ts"
import * as GhlErrors from "./GhlErrors.ts"
import * as GhlRateLimits from "./GhlRateLimits.ts"

export class GhlClient extends Context.Service<GhlClient, CrmClient.CrmClient>()("@crmkit/ghl/GhlClient") {}

export const profile = (options: GhlClientOptions = {}) => ({
  name: "ghl",
  baseUrl: options.baseUrl ?? defaults.baseUrl,
  defaultHeaders: { Version: options.version ?? defaults.version },
  rateLimitPolicy: GhlRateLimits.policyFor,
  decodeError: GhlErrors.decodeError,
  requestId: GhlErrors.requestId,
})

/** Needs `HttpClient`, `Credentials` and `RateLimits`. */
export const layer = (options: GhlClientOptions = {}) => Layer.effect(GhlClient, CrmClient.make(profile(options)))

export const layerWithMemoryRateLimits = (options: GhlClientOptions = {}) =>
  layer(options).pipe(Layer.provide(RateLimit.layerMemory))

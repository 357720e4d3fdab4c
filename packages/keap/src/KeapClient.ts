/**
 * The Keap client: the core's pipeline with Keap's base URL, quotas and error shapes.
 * It needs an `HttpClient` (the app picks the transport), `Credentials` (see KeapAuth)
 * and `RateLimits` (memory or Redis).
 */
import { CrmClient, RateLimit, Sensitive } from "@crmkit/core"
import { Config, ConfigProvider, Context, Effect, Layer, Option } from "effect"
import * as KeapAuth from "./KeapAuth.ts"
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

/**
 * The client configured from the environment (or any `ConfigProvider`):
 * `KEAP_ACCESS_TOKEN` (an OAuth access token, not refreshed) or `KEAP_API_KEY` (a Personal
 * Access Token or Service Account Key), and optionally `KEAP_BASE_URL`. Secrets are read as
 * `Redacted`. When both credentials are set the access token wins; when neither is, the layer
 * fails with a `ConfigError` naming both variables. Needs `HttpClient` and `RateLimits`.
 */
export const layerConfig = (options: Omit<KeapClientOptions, "baseUrl"> = {}) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const accessToken = yield* Config.option(Config.Redacted("KEAP_ACCESS_TOKEN"))
      const apiKey = yield* Config.option(Config.Redacted("KEAP_API_KEY"))
      const baseUrl = yield* Config.option(Config.String("KEAP_BASE_URL"))
      const credentials = Option.isSome(accessToken)
        ? KeapAuth.layerAccessToken(accessToken.value)
        : Option.isSome(apiKey)
          ? KeapAuth.layerApiKey(apiKey.value)
          : undefined
      if (credentials === undefined) {
        return yield* Config.fail(
          new ConfigProvider.SourceError({ message: "Set KEAP_ACCESS_TOKEN or KEAP_API_KEY to reach Keap" }),
        )
      }
      return layer({ ...options, baseUrl: Option.getOrUndefined(baseUrl) }).pipe(Layer.provide(credentials))
    }),
  )

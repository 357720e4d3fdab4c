/**
 * The GHL client: the core's pipeline with GHL's base URL, `Version` header, limits and
 * error shapes. Needs an `HttpClient`, `Credentials` (see GhlAuth) and `RateLimits`.
 *
 * It also carries what the credential layer knows of the token's scopes, and the default
 * location, for `GhlOperations` and the hand-written services.
 */
import { CrmClient, type CrmError, RateLimit } from "@crmkit/core"
import { Config, Context, Effect, Layer, Option } from "effect"
import type { HttpClient } from "effect/http"
import * as GhlAuth from "./GhlAuth.ts"
import { defaults, type GhlClientOptions } from "./GhlConfig.ts"
import * as GhlErrors from "./GhlErrors.ts"
import * as GhlRateLimits from "./GhlRateLimits.ts"

export interface GhlClientShape extends CrmClient.CrmClient {
  /** The credential's scopes when known; `undefined` when only GHL can tell. */
  readonly grantedScopes: Effect.Effect<ReadonlyArray<string> | undefined>
  /** The default location (`GHL_LOCATION_ID`, `options.locationId`). */
  readonly locationId: string | undefined
}

export class GhlClient extends Context.Service<GhlClient, GhlClientShape>()("@crmkit/ghl/GhlClient") {}

export const profile = (options: GhlClientOptions = {}) => ({
  name: "ghl",
  baseUrl: options.baseUrl ?? defaults.baseUrl,
  defaultHeaders: { Version: options.version ?? defaults.version },
  rateLimitPolicy: GhlRateLimits.policyFor,
  decodeError: GhlErrors.decodeError,
  requestId: GhlErrors.requestId,
})

/** Needs `HttpClient`, `Credentials` and `RateLimits`. */
export const layer = (options: GhlClientOptions = {}) =>
  Layer.effect(
    GhlClient,
    Effect.gen(function* () {
      // Operations called by id get the location (and agency) wherever they take one.
      const client = yield* CrmClient.make(profile(options), {
        context: { locationId: options.locationId, companyId: options.companyId },
      })
      const scopes = yield* GhlAuth.GrantedScopes
      return GhlClient.of({ ...client, grantedScopes: scopes.get, locationId: options.locationId })
    }),
  )

export const layerWithMemoryRateLimits = (options: GhlClientOptions = {}) =>
  layer(options).pipe(Layer.provide(RateLimit.layerMemory))

/**
 * The client from configuration: `GHL_ACCESS_TOKEN` (an OAuth access token or a Private
 * Integration Token; legacy v1 keys are refused), `GHL_LOCATION_ID` (optional default
 * location), `GHL_BASE_URL` (optional) and `GHL_SCOPES` (optional, space-separated: the
 * scopes of a PIT, so that calls outside them are refused before sending).
 */
export const layerConfig = (
  options: Omit<GhlClientOptions, "baseUrl" | "locationId"> = {},
): Layer.Layer<GhlClient, Config.ConfigError | CrmError, HttpClient.HttpClient> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const token = yield* Config.Redacted("GHL_ACCESS_TOKEN")
      const locationId = yield* Config.option(Config.String("GHL_LOCATION_ID"))
      const baseUrl = yield* Config.option(Config.String("GHL_BASE_URL"))
      const scopes = yield* Config.option(Config.String("GHL_SCOPES"))
      return layerWithMemoryRateLimits({
        ...options,
        baseUrl: Option.getOrUndefined(baseUrl),
        locationId: Option.getOrUndefined(locationId),
      }).pipe(
        Layer.provide(
          GhlAuth.layerAccessToken(token, {
            scopes: Option.getOrUndefined(Option.map(scopes, (s) => s.split(/[\s,]+/).filter((x) => x.length > 0))),
          }),
        ),
      )
    }),
  )

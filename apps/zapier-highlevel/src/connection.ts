/**
 * One GHL client per invocation, for the connected location: an OAuth location token (Zapier
 * refreshes it) or a Private Integration Token. The location id travels in `bundle.authData`.
 */
import { type Credentials, type CrmError, CrmErrors } from "@crmkit/core"
import { GhlAuth, GhlClient } from "@crmkit/ghl"
import { Invocation } from "@crmkit/zapier-shared"
import { Effect, Layer, Redacted } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import * as Config from "./config.ts"

const present = (value: unknown): value is string => typeof value === "string" && value !== ""

const credentials = (authData: Bundle["authData"]): Layer.Layer<Credentials.Credentials, CrmError> => {
  if (present(authData.access_token)) return GhlAuth.layerAccessToken(Redacted.make(authData.access_token))
  if (present(authData.private_integration_token)) {
    return GhlAuth.layerPrivateIntegrationToken(Redacted.make(authData.private_integration_token))
  }
  return Layer.unwrap(
    Effect.fail(CrmErrors.invalidInput("ghl", [{ field: "authData", message: "the connection holds no token" }])),
  )
}

export const connectionKind = (bundle: Bundle) => (present(bundle.authData.access_token) ? "oauth2" : "key")

export const clientLayer = (bundle: Bundle) =>
  GhlClient.layer({
    baseUrl: Config.baseUrl(),
    ...(present(bundle.authData.location_id) ? { locationId: bundle.authData.location_id } : {}),
  }).pipe(Layer.provide(credentials(bundle.authData)))

/** Runs a program against HighLevel as the connected location. */
export const run = <A>(
  z: ZObject,
  bundle: Bundle,
  program: Effect.Effect<A, CrmError, GhlClient.GhlClient | Invocation.Platform>,
): Promise<A> => Invocation.run(z, program, clientLayer(bundle), connectionKind(bundle))

/**
 * One Keap client per invocation, from the connection Zapier hands over in `bundle.authData`:
 * an OAuth access token (Zapier refreshes it), or a Personal Access Token / Service Account Key.
 */
import { type Credentials, type CrmError, CrmErrors } from "@crmkit/core"
import { KeapAuth, KeapClient } from "@crmkit/keap"
import { Invocation } from "@crmkit/zapier-shared"
import { Effect, Layer, Redacted } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import * as Config from "./config.ts"

const credentials = (authData: Bundle["authData"]): Layer.Layer<Credentials.Credentials, CrmError> => {
  if (typeof authData.access_token === "string" && authData.access_token !== "") {
    return KeapAuth.layerAccessToken(Redacted.make(authData.access_token))
  }
  if (typeof authData.api_key === "string" && authData.api_key !== "") {
    return KeapAuth.layerApiKey(Redacted.make(authData.api_key), authData.key_kind === "sak" ? "sak" : "pat")
  }
  return Layer.unwrap(
    Effect.fail(CrmErrors.invalidInput("keap", [{ field: "authData", message: "the connection holds no token" }])),
  )
}

export const connectionKind = (bundle: Bundle) =>
  typeof bundle.authData.access_token === "string" && bundle.authData.access_token !== "" ? "oauth2" : "key"

export const clientLayer = (bundle: Bundle) =>
  KeapClient.layer({ baseUrl: Config.baseUrl() }).pipe(Layer.provide(credentials(bundle.authData)))

/** Runs a program against Keap as the connected account. */
export const run = <A>(
  z: ZObject,
  bundle: Bundle,
  program: Effect.Effect<A, CrmError, KeapClient.KeapClient | Invocation.Platform>,
): Promise<A> => Invocation.run(z, program, clientLayer(bundle), connectionKind(bundle))

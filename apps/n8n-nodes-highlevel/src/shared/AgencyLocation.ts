/**
 * Agency (Company) credentials in n8n: GHL refuses location endpoints to agency tokens, so
 * the session exchanges the agency token for a token of the credential's location
 * (`GhlAuth.layerLocationFromAgencyCredentials`, once per execution) and signs every call with it.
 *
 * n8n keeps the agency token: the mint goes through n8n's authenticated transport (n8n adds
 * the agency bearer and refreshes it on a 401), while calls signed with the minted token go
 * through n8n's plain transport, where the core renews the location token on a 401 itself.
 */
import { Credentials, type CrmError, CrmErrors, TokenStore } from "@crmkit/core"
import { GhlAuth } from "@crmkit/ghl"
import { type Connection, HostHttpClient } from "@crmkit/n8n-shared"
import { Effect, Layer } from "effect"
import type { HttpClient } from "effect/http"

export const isAgency = (connection: Connection): boolean => connection.userType === "Company"

/**
 * What the GHL client needs for an agency connection: the location's credentials and the
 * plain transport. Requires the session's (agency) transport and credentials. Fails, before
 * any request, when the credential does not say which location or agency.
 */
export const layer = (
  connection: Connection,
): Layer.Layer<
  Credentials.Credentials | HttpClient.HttpClient,
  CrmError,
  Credentials.Credentials | HttpClient.HttpClient
> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const { locationId, companyId } = connection
      if (locationId === undefined || companyId === undefined) {
        return yield* Effect.fail(
          CrmErrors.invalidInput("ghl", [
            ...(locationId === undefined
              ? [{ field: "locationId", message: "an Agency (Company) credential needs the Location ID to work in" }]
              : []),
            ...(companyId === undefined
              ? [{ field: "companyId", message: "the agency token names no company: reconnect the credential" }]
              : []),
          ]),
        )
      }
      // The session's credentials stand for the agency token n8n adds and refreshes.
      const hostAgency = Layer.effect(Credentials.Credentials, Effect.service(Credentials.Credentials))
      const location = GhlAuth.layerLocationFromAgencyCredentials(hostAgency, {
        companyId,
        locationId,
        baseUrl: connection.baseUrl,
      }).pipe(Layer.provide(TokenStore.layerMemory()))
      return Layer.merge(location, HostHttpClient.layer(connection.sendUnauthenticated, { hostRefreshes: false }))
    }),
  )

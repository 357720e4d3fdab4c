/**
 * @crmkit/ghl seen through the shared n8n glue: the catalog, calls and streams by
 * operation id, the client over n8n's authenticated transport, and the location the
 * credential works in, filled into every operation that needs one (on every page).
 */
import type { Operation } from "@crmkit/core"
import { catalog, GhlClient, GhlConfig, GhlOperations } from "@crmkit/ghl"
import type { ProviderAdapter } from "@crmkit/n8n-shared"
import { Layer } from "effect"
import * as AgencyLocation from "./AgencyLocation.ts"

export const TOKEN_CREDENTIAL = "crmkitHighLevelApi"
export const CONNECTED_APP_CREDENTIAL = "crmkitHighLevelOAuth2Api"

/** Operations whose JSON body requires the location (GHL puts it there instead of the query). */
const bodyLocationOperations = new Set([
  "create-contact",
  "upsert-contact",
  "search-contacts-advanced",
  "create-opportunity",
  "create-appointment",
  "search-object-records",
])

const locationParameters = ["locationId", "location_id"]

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined

export const highLevel: ProviderAdapter<GhlClient.GhlClient> = {
  name: "ghl",
  title: "HighLevel",
  pageSize: 100,
  catalog: catalog as ReadonlyArray<Operation.CatalogEntry>,
  connection: (credentialType, data) => {
    const tokenData = (data.oauthTokenData ?? {}) as Record<string, unknown>
    return {
      credentialType,
      kind: credentialType === CONNECTED_APP_CREDENTIAL ? "oauth2" : "pit",
      baseUrl: nonEmpty(data.baseUrl) ?? GhlConfig.defaults.baseUrl,
      // A Location token knows its location; an Agency token or a PIT names it in the credential.
      locationId: nonEmpty(data.locationId) ?? nonEmpty(tokenData.locationId),
      ...(credentialType === CONNECTED_APP_CREDENTIAL && data.userType === "Company"
        ? { userType: "Company", companyId: nonEmpty(tokenData.companyId) }
        : {}),
    }
  },
  layer: (connection) => {
    const client = GhlClient.layer({ baseUrl: connection.baseUrl, locationId: connection.locationId })
    return AgencyLocation.isAgency(connection) ? client.pipe(Layer.provide(AgencyLocation.layer(connection))) : client
  },
  call: (id, input) => GhlOperations.call(id, input),
  stream: (id, input, pageSize) => GhlOperations.stream(id, input, { pageSize }),
  complete: (entry, input, connection) => {
    const locationId = connection.locationId
    if (locationId === undefined) return
    for (const parameter of entry.parameters) {
      if (locationParameters.includes(parameter.name) && input[parameter.name] === undefined) {
        input[parameter.name] = locationId
      }
    }
    if (bodyLocationOperations.has(entry.id)) {
      const body = (input.body ?? {}) as Record<string, unknown>
      if (body.locationId === undefined) input.body = { ...body, locationId }
    }
  },
}

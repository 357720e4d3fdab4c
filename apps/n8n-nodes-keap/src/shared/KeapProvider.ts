/**
 * @crmkit/keap seen through the shared n8n glue: the catalog, calls and streams by
 * operation id, and the client built over n8n's authenticated transport.
 */
import type { Operation } from "@crmkit/core"
import { catalog, KeapClient, KeapConfig, KeapOperations } from "@crmkit/keap"
import type { ProviderAdapter } from "@crmkit/n8n-shared"

export const API_KEY_CREDENTIAL = "crmkitKeapApi"
export const CONNECTED_APP_CREDENTIAL = "crmkitKeapOAuth2Api"

export const keap: ProviderAdapter<KeapClient.KeapClient> = {
  name: "keap",
  title: "Keap",
  pageSize: 100,
  catalog: catalog as ReadonlyArray<Operation.CatalogEntry>,
  connection: (credentialType, data) => ({
    credentialType,
    kind: credentialType === CONNECTED_APP_CREDENTIAL ? "oauth2" : data.keyType === "sak" ? "sak" : "pat",
    baseUrl: typeof data.baseUrl === "string" && data.baseUrl !== "" ? data.baseUrl : KeapConfig.defaults.baseUrl,
  }),
  layer: (connection) => KeapClient.layer({ baseUrl: connection.baseUrl }),
  call: (id, input) => KeapOperations.call(id, input),
  stream: (id, input, pageSize) => KeapOperations.stream(id, input, { pageSize }),
}

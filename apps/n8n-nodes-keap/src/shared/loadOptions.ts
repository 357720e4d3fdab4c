/** The Keap node's live dropdowns. */
import { LoadOptions } from "@crmkit/n8n-shared"
import { API_KEY_CREDENTIAL, keap } from "./KeapProvider.ts"

const option = (name: string | undefined, value: string | undefined) =>
  name === undefined || value === undefined ? undefined : { name, value }

export const loadOptions = {
  getCatalogOperations: LoadOptions.catalogMethod(keap),
  getTags: LoadOptions.method(keap, API_KEY_CREDENTIAL, {
    operationId: "listTags",
    option: (r) => option(LoadOptions.text(r, "name"), LoadOptions.text(r, "id")),
  }),
  getStages: LoadOptions.method(keap, API_KEY_CREDENTIAL, {
    operationId: "listOpportunityStages",
    option: (r) => option(LoadOptions.text(r, "name"), LoadOptions.text(r, "id")),
  }),
  getUsers: LoadOptions.method(keap, API_KEY_CREDENTIAL, {
    operationId: "listPaginatedUsers",
    option: (r) =>
      option(
        [LoadOptions.text(r, "given_name"), LoadOptions.text(r, "family_name")].filter(Boolean).join(" ") ||
          LoadOptions.text(r, "email_address"),
        LoadOptions.text(r, "id"),
      ),
  }),
  getContactCustomFields: LoadOptions.method(keap, API_KEY_CREDENTIAL, {
    operationId: "retrieveContactModel",
    items: (response) =>
      ((response as { custom_fields?: ReadonlyArray<unknown> }).custom_fields ?? []) as ReadonlyArray<unknown>,
    option: (r) => option(LoadOptions.text(r, "label") ?? LoadOptions.text(r, "field_name"), LoadOptions.text(r, "id")),
  }),
}

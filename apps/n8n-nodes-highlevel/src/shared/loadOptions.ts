/** The HighLevel node's live dropdowns. */
import { LoadOptions } from "@crmkit/n8n-shared"
import { highLevel, TOKEN_CREDENTIAL } from "./HighLevelProvider.ts"

const option = (name: string | undefined, value: string | undefined) =>
  name === undefined || value === undefined ? undefined : { name, value }

const listAt = (key: string) => (response: unknown) =>
  ((response as Record<string, unknown> | undefined)?.[key] ?? []) as ReadonlyArray<unknown>

const byName = (r: Record<string, unknown>) => option(LoadOptions.text(r, "name"), LoadOptions.text(r, "id"))

export const loadOptions = {
  getCatalogOperations: LoadOptions.catalogMethod(highLevel),
  getTags: LoadOptions.method(highLevel, TOKEN_CREDENTIAL, {
    operationId: "get-location-tags",
    items: listAt("tags"),
    option: (r) => option(LoadOptions.text(r, "name"), LoadOptions.text(r, "name")),
  }),
  getPipelines: LoadOptions.method(highLevel, TOKEN_CREDENTIAL, {
    operationId: "get-pipelines",
    items: listAt("pipelines"),
    option: byName,
  }),
  getPipelineStages: LoadOptions.method(highLevel, TOKEN_CREDENTIAL, {
    operationId: "get-pipelines",
    items: (response, context) => {
      // Stages of the pipeline chosen in the node (all pipelines' stages until one is chosen).
      const chosen = context.getCurrentNodeParameter("pipelineId")
      const pipelines = listAt("pipelines")(response) as ReadonlyArray<{ id?: string; stages?: ReadonlyArray<unknown> }>
      return pipelines.filter((p) => !chosen || p.id === chosen).flatMap((p) => p.stages ?? [])
    },
    option: byName,
  }),
  getCalendars: LoadOptions.method(highLevel, TOKEN_CREDENTIAL, {
    operationId: "get-calendars",
    items: listAt("calendars"),
    option: byName,
  }),
  getUsers: LoadOptions.method(highLevel, TOKEN_CREDENTIAL, {
    operationId: "get-user-by-location",
    items: listAt("users"),
    option: (r) => option(LoadOptions.text(r, "name") ?? LoadOptions.text(r, "email"), LoadOptions.text(r, "id")),
  }),
  getContactCustomFields: LoadOptions.method(highLevel, TOKEN_CREDENTIAL, {
    operationId: "get-custom-fields",
    input: () => ({ model: "contact" }),
    items: listAt("customFields"),
    option: byName,
  }),
  getWorkflows: LoadOptions.method(highLevel, TOKEN_CREDENTIAL, {
    operationId: "get-workflow",
    items: listAt("workflows"),
    option: byName,
  }),
}

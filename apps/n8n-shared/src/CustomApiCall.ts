/**
 * "Custom API Call": any operation of the provider's catalog by id, with its parameters
 * and body as JSON. The provider validates the input against the operation's schema
 * before sending, so a wrong field is named in the error instead of a 400 from the API.
 */
import type { Operation } from "@crmkit/core"
import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from "n8n-workflow"
import { jsonObject } from "./Form.ts"

export const properties = (providerTitle: string): Array<INodeProperties> => [
  {
    displayName: "Operation Name or ID",
    name: "operationId",
    type: "options",
    typeOptions: { loadOptionsMethod: "getCatalogOperations" },
    default: "",
    required: true,
    description: `The ${providerTitle} API operation to run. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
  },
  {
    displayName: "Parameters (JSON)",
    name: "parameters",
    type: "json",
    default: "{}",
    description:
      'Path, query and header parameters of the operation by name, e.g. {"contact_id": "123"}. Unknown names are refused before sending.',
  },
  {
    displayName: "Body (JSON)",
    name: "body",
    type: "json",
    default: "{}",
    description: "The request body, for operations that take one",
  },
]

export const inputOf = (context: IExecuteFunctions, itemIndex: number): Record<string, unknown> => {
  const input: Record<string, unknown> = {
    ...jsonObject("Parameters (JSON)", context.getNodeParameter("parameters", itemIndex, "{}")),
  }
  const body = jsonObject("Body (JSON)", context.getNodeParameter("body", itemIndex, "{}"))
  if (Object.keys(body).length > 0) input.body = body
  return input
}

/** Dropdown entries of every catalog operation, grouped by resource. */
export const catalogOptions = (catalog: ReadonlyArray<Operation.CatalogEntry>): Array<INodePropertyOptions> =>
  catalog
    .map((entry) => ({
      name: `${entry.resource}: ${entry.summary || entry.id}`,
      value: entry.id,
      description: `${entry.method} ${entry.path}${entry.pagination === undefined ? "" : " (paginated)"}`,
    }))
    .sort((a, b) => a.name.localeCompare(b.name))

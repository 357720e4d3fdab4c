/** Field builders for operation tables: the few shapes every CRM operation uses. */
import type { INodeProperties } from "n8n-workflow"
import type { FieldSpec, Target } from "./OperationTable.ts"

type Options = { readonly required?: boolean; readonly placeholder?: string; readonly default?: string }

export const text = (
  name: string,
  displayName: string,
  description: string,
  to: Target,
  options: Options = {},
): FieldSpec => ({
  property: {
    displayName,
    name,
    type: "string",
    default: options.default ?? "",
    required: options.required ?? false,
    description,
    ...(options.placeholder === undefined ? {} : { placeholder: options.placeholder }),
  },
  to,
})

/** A dropdown loaded live from the provider (with the expression escape n8n expects). */
export const dynamic = (
  name: string,
  displayName: string,
  description: string,
  loadOptionsMethod: string,
  to: Target,
  options: { readonly required?: boolean; readonly dependsOn?: ReadonlyArray<string> } = {},
): FieldSpec => ({
  property: {
    displayName: `${displayName} Name or ID`,
    name,
    type: "options",
    typeOptions: {
      loadOptionsMethod,
      ...(options.dependsOn === undefined ? {} : { loadOptionsDependsOn: [...options.dependsOn] }),
    },
    default: "",
    required: options.required ?? false,
    description: `${description}. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
  },
  to,
})

/** A comma-separated list of ids, sent as an array. */
export const idList = (
  name: string,
  displayName: string,
  description: string,
  to: Target,
  required = true,
): FieldSpec => ({
  property: { displayName, name, type: "string", default: "", required, description, placeholder: "e.g. 12, 14, 20" },
  to,
  map: (value) =>
    String(value)
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id.length > 0),
})

export const json = (
  name: string,
  displayName: string,
  description: string,
  to: "bodyJson" | "paramsJson",
): FieldSpec => ({
  property: { displayName, name, type: "json", default: "{}", description },
  to,
})

export const boolean = (name: string, displayName: string, description: string, to: Target): FieldSpec => ({
  property: { displayName, name, type: "boolean", default: false, description },
  to,
})

/**
 * Custom fields as id/value pairs (the id from a live dropdown), reshaped by the provider
 * package's table into its own wire format.
 */
export const customFields = (
  loadOptionsMethod: string,
  to: Target,
  reshape: (pairs: ReadonlyArray<{ readonly id: string; readonly value: unknown }>) => unknown,
): FieldSpec => ({
  property: {
    displayName: "Custom Fields",
    name: "customFields",
    type: "fixedCollection",
    typeOptions: { multipleValues: true },
    placeholder: "Add Custom Field",
    default: {},
    description: "Custom field values to write, on create and on update",
    options: [
      {
        displayName: "Field",
        name: "field",
        values: [
          {
            displayName: "Field Name or ID",
            name: "id",
            type: "options",
            typeOptions: { loadOptionsMethod },
            default: "",
            description:
              'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
          },
          { displayName: "Value", name: "value", type: "string", default: "" },
        ],
      },
    ] as INodeProperties["options"],
  },
  to,
  map: (value) => {
    const pairs = ((value as { field?: Array<{ id: string; value: unknown }> }).field ?? []).filter((p) => p.id !== "")
    return reshape(pairs)
  },
})

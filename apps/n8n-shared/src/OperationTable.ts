/**
 * A node's resources and operations as data: each operation names the provider catalog
 * operation it runs and where each of its fields goes in that operation's input. The
 * n8n properties (resource and operation dropdowns, fields, Return All / Limit) and the
 * input of each item are both derived from this table, so they cannot drift apart.
 */
import type { Operation } from "@crmkit/core"
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from "n8n-workflow"

/** Where a field's value goes in the operation's input. */
export type Target =
  /** A path, query or header parameter of that name. */
  | { readonly param: string }
  /** A key of the JSON body (dotted for nesting: `address.city`). */
  | { readonly body: string }
  /** A JSON object merged into the body (the "Additional Fields" of an operation). */
  | "bodyJson"
  /** A JSON object merged into the parameters. */
  | "paramsJson"

export interface FieldSpec {
  readonly property: Omit<INodeProperties, "displayOptions">
  readonly to: Target
  /** Reshapes the value before it is placed (e.g. an email into Keap's `email_addresses`). */
  readonly map?: (value: unknown) => unknown
}

export interface OperationSpec {
  readonly resource: string
  /** The n8n operation value, e.g. `getAll`. */
  readonly value: string
  readonly name: string
  /** The sentence n8n shows in the node list and gives AI agents, e.g. "Get many contacts". */
  readonly action: string
  readonly description: string
  /** The provider catalog operation id. */
  readonly operationId: string
  readonly fields?: ReadonlyArray<FieldSpec>
  /** Response path whose value is the output (e.g. GHL's `contact`); arrays become one item each. */
  readonly unwrap?: string
}

export interface ResourceSpec {
  readonly value: string
  readonly name: string
  readonly description: string
}

export interface OperationTable {
  readonly resources: ReadonlyArray<ResourceSpec>
  readonly operations: ReadonlyArray<OperationSpec>
}

export const CUSTOM_RESOURCE = "customApiCall"

const show = (resource: string, operation?: string) => ({
  show: operation === undefined ? { resource: [resource] } : { resource: [resource], operation: [operation] },
})

const byName = <T extends { readonly name: string }>(items: ReadonlyArray<T>): Array<T> =>
  [...items].sort((a, b) => a.name.localeCompare(b.name))

/** Return All and Limit, shown for operations that page. */
export const paginationProperties = (displayOptions: INodeProperties["displayOptions"]): Array<INodeProperties> => [
  {
    displayName: "Return All",
    name: "returnAll",
    type: "boolean",
    default: false,
    description: "Whether to return all results or only up to a given limit",
    displayOptions,
  },
  {
    displayName: "Limit",
    name: "limit",
    type: "number",
    typeOptions: { minValue: 1 },
    default: 50,
    description: "Max number of results to return",
    displayOptions: {
      show: { ...(displayOptions?.show ?? {}), returnAll: [false] },
    },
  },
]

/** The n8n properties of a table: resource, operation per resource, each operation's fields. */
export const properties = (
  table: OperationTable,
  catalog: ReadonlyArray<Operation.CatalogEntry>,
  custom: ReadonlyArray<INodeProperties>,
): Array<INodeProperties> => {
  const resources = byName(table.resources)
  const result: Array<INodeProperties> = [
    {
      displayName: "Resource",
      name: "resource",
      type: "options",
      noDataExpression: true,
      options: byName([
        ...resources.map((r) => ({ name: r.name, value: r.value, description: r.description })),
        {
          name: "Custom API Call",
          value: CUSTOM_RESOURCE,
          description: "Run any operation of the API catalog by its ID",
        },
      ]),
      default: resources[0]?.value ?? CUSTOM_RESOURCE,
    },
  ]
  for (const resource of resources) {
    const operations = byName(table.operations.filter((op) => op.resource === resource.value))
    result.push({
      displayName: "Operation",
      name: "operation",
      type: "options",
      noDataExpression: true,
      displayOptions: show(resource.value),
      options: operations.map(
        (op): INodePropertyOptions => ({
          name: op.name,
          value: op.value,
          action: op.action,
          description: op.description,
        }),
      ),
      default: operations[0]?.value ?? "",
    })
  }
  for (const op of table.operations) {
    const displayOptions = show(op.resource, op.value)
    for (const field of op.fields ?? []) result.push({ ...field.property, displayOptions } as INodeProperties)
    if (catalogEntry(catalog, op.operationId).pagination !== undefined) {
      result.push(...paginationProperties(displayOptions))
    }
  }
  result.push(...custom.map((p) => ({ ...p, displayOptions: show(CUSTOM_RESOURCE) }) as INodeProperties))
  result.push(...paginationProperties(show(CUSTOM_RESOURCE)))
  return result
}

export const catalogEntry = (catalog: ReadonlyArray<Operation.CatalogEntry>, id: string): Operation.CatalogEntry => {
  const entry = catalog.find((e) => e.id === id)
  // The tables are checked by the unit tests: a missing id is a bug in this package.
  if (entry === undefined) throw new Error(`unknown catalog operation ${id}`)
  return entry
}

export const findOperation = (table: OperationTable, resource: string, operation: string): OperationSpec | undefined =>
  table.operations.find((op) => op.resource === resource && op.value === operation)

/** Parses a JSON-object field (n8n gives a string for `json` fields typed by hand, an object from expressions). */
export const jsonObject = (name: string, value: unknown): IDataObject => {
  if (value === undefined || value === null || value === "") return {}
  const parsed = typeof value === "string" ? parseJson(name, value) : value
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${name} must be a JSON object`)
  }
  return parsed as IDataObject
}

const parseJson = (name: string, text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    throw new Error(`${name} is not valid JSON`)
  }
}

const setPath = (target: Record<string, unknown>, path: string, value: unknown) => {
  const keys = path.split(".")
  let cursor = target
  for (const key of keys.slice(0, -1)) {
    const next = cursor[key]
    if (typeof next !== "object" || next === null) cursor[key] = {}
    cursor = cursor[key] as Record<string, unknown>
  }
  cursor[keys[keys.length - 1] as string] = value
}

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === "" ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 0)

/** The operation input of one item: parameters by name, the body under `body`. */
export const inputOf = (context: IExecuteFunctions, op: OperationSpec, itemIndex: number): Record<string, unknown> => {
  const input: Record<string, unknown> = {}
  const body: Record<string, unknown> = {}
  for (const field of op.fields ?? []) {
    const raw = context.getNodeParameter(field.property.name, itemIndex, field.property.default)
    if (isEmpty(raw) && field.property.required !== true) continue
    const to = field.to
    if (to === "bodyJson") Object.assign(body, jsonObject(field.property.displayName, raw))
    else if (to === "paramsJson") Object.assign(input, jsonObject(field.property.displayName, raw))
    else {
      const value = field.map === undefined ? raw : field.map(raw)
      if ("param" in to) input[to.param] = value
      else setPath(body, to.body, value)
    }
  }
  if (Object.keys(body).length > 0) input.body = body
  return input
}

/** The items an operation's response becomes. */
export const outputOf = (op: OperationSpec | undefined, response: unknown): ReadonlyArray<unknown> => {
  let value = response
  if (op?.unwrap !== undefined && typeof value === "object" && value !== null) {
    value = (value as Record<string, unknown>)[op.unwrap] ?? value
  }
  if (value === undefined || value === null || value === "") return [{ success: true }]
  return Array.isArray(value) ? value : [value]
}

/**
 * A node's resources, operations and fields, derived from the connector's actions
 * (`Action.describe`), and each item's raw input read back from the same description, so
 * the form and the input cannot drift apart. Required fields sit at the top level, the
 * optional ones in "Additional Fields" (except the few an app promotes). Dropdowns filled
 * from another action (`hints.fields[x].choicesFrom`) get a load-options method whose name
 * is derived from that action; key/value lists (`pairs`) become repeatable pairs.
 */
import { Action } from "@crmkit/core"
import type { IDataObject, INodeProperties, INodePropertyOptions } from "n8n-workflow"
import { type App, camel, operationValue, resourceValue, singular, title } from "./App.ts"

export const CUSTOM_RESOURCE = "customApiCall"
export const ADDITIONAL = "additionalFields"
const reserved = new Set(["resource", "operation", "authentication", "returnAll", "limit", ADDITIONAL, "operationId"])
const EXPRESSION_NOTE =
  'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>'

export type ChoicesFrom = NonNullable<Action.FieldHint["choicesFrom"]>

export interface FormField {
  readonly field: Action.Field
  readonly hint: Action.FieldHint | undefined
  /** The n8n parameter name. */
  readonly parameter: string
  readonly top: boolean
}

export interface FormOperation {
  readonly action: Action.Action
  readonly description: Action.Description
  readonly resource: string
  readonly value: string
  readonly fields: ReadonlyArray<FormField>
}

/** The load-options method of a dropdown filled from a list action. */
export const methodName = (from: ChoicesFrom) =>
  camel(`choices ${from.resource} ${from.name} ${from.items ?? ""} ${from.value} ${[from.label].flat().join(" ")}`)

const parameterName = (name: string) => {
  const candidate = camel(name)
  return reserved.has(candidate) ? `${candidate}Value` : candidate
}

const derived = new WeakMap<App, ReadonlyArray<FormOperation>>()

export const operations = (app: App): ReadonlyArray<FormOperation> => {
  const known = derived.get(app)
  if (known !== undefined) return known
  const result = app.actions.map((action) => {
    const description = Action.describe(action)
    const promoted = new Set(app.words.promote ?? [])
    return {
      action,
      description,
      resource: resourceValue(app, action.resource),
      value: operationValue(action.name),
      fields: description.fields.map((field) => ({
        field,
        hint: description.hints?.fields?.[field.name],
        parameter: parameterName(field.name),
        top: field.required || promoted.has(field.name),
      })),
    }
  })
  derived.set(app, result)
  return result
}

export const find = (app: App, resource: string, operation: string) =>
  operations(app).find((op) => op.resource === resource && op.value === operation)

/** Every dropdown source the actions name, by method name. */
export const choiceSources = (app: App): ReadonlyMap<string, ChoicesFrom> => {
  const sources = new Map<string, ChoicesFrom>()
  for (const op of operations(app)) {
    for (const { hint } of op.fields) {
      if (hint?.choicesFrom !== undefined) sources.set(methodName(hint.choicesFrom), hint.choicesFrom)
    }
  }
  return sources
}

const nounOf = (resource: string) => title(resource.split("-").map(singular).join(" ")).toLowerCase()

const article = (noun: string) => (/^[aeiou]/.test(noun) ? "an" : "a")

/** "Get many contacts", "Create a contact", or the action's own words. */
const sentence = (op: FormOperation) => {
  const { description } = op
  if (description.hints?.label !== undefined) return description.hints.label
  const noun = nounOf(description.resource)
  const verb = description.name
  if (verb === "list") return `Get many ${description.resource.replace(/-/g, " ")}`
  if (verb === "search") return `Search ${description.resource.replace(/-/g, " ")}`
  if (verb.startsWith("list-")) return `Get the ${verb.slice(5).replace(/-/g, " ")} of ${article(noun)} ${noun}`
  if (/^(get|create|update|delete|upsert|complete|book|move)$/.test(verb)) {
    return `${title(verb)} ${article(noun)} ${noun}`
  }
  return description.description.replace(/\s*\(.*\)$/, "")
}

const withDot = (text: string) => (/[.!?]$/.test(text) || text === "" ? text : `${text}.`)

const fieldProperty = (f: FormField, op: FormOperation): INodeProperties => {
  const { field, hint } = f
  const label =
    hint?.label ?? (field.name === "id" ? `${title(nounOf(op.description.resource))} ID` : title(field.name))
  const base = {
    displayName: label,
    name: f.parameter,
    ...(field.description === undefined ? {} : { description: field.description }),
    ...(hint?.placeholder === undefined ? {} : { placeholder: hint.placeholder }),
    ...(f.top && field.required ? { required: true } : {}),
  }
  const from = hint?.choicesFrom as ChoicesFrom | undefined
  if (hint?.pairs !== undefined) {
    const key: INodeProperties =
      from === undefined
        ? { displayName: title(hint.pairs.key), name: hint.pairs.key, type: "string", default: "" }
        : {
            displayName: "Field Name or ID",
            name: hint.pairs.key,
            type: "options",
            typeOptions: { loadOptionsMethod: methodName(from) },
            default: "",
            description: EXPRESSION_NOTE,
          }
    return {
      ...base,
      type: "fixedCollection",
      typeOptions: { multipleValues: true },
      placeholder: `Add ${singular(label)}`,
      default: {},
      options: [
        {
          displayName: singular(label),
          name: "pair",
          values: [key, { displayName: title(hint.pairs.value), name: hint.pairs.value, type: "string", default: "" }],
        },
      ],
    } as INodeProperties
  }
  if (from !== undefined) {
    const dependsOn = Object.values(from.input ?? {}).map(parameterName)
    return {
      ...base,
      displayName: `${label} ${field.type === "list" ? "Names or IDs" : "Name or ID"}`,
      type: field.type === "list" ? "multiOptions" : "options",
      typeOptions: {
        loadOptionsMethod: methodName(from),
        ...(dependsOn.length === 0 ? {} : { loadOptionsDependsOn: dependsOn }),
      },
      default: field.type === "list" ? [] : "",
      description: `${withDot(field.description ?? "")} ${EXPRESSION_NOTE}`.trim(),
    }
  }
  if (field.choices !== undefined && field.type !== "list") {
    return {
      ...base,
      type: "options",
      options: field.choices.map((choice) => ({ name: title(choice) || choice, value: choice })),
      default: field.choices[0] ?? "",
    }
  }
  switch (field.type) {
    case "integer":
    case "number":
      return { ...base, type: "number", default: 0 }
    case "boolean":
      return {
        ...base,
        type: "boolean",
        default: false,
        description: `Whether ${(field.description ?? label).replace(/^./, (c) => c.toLowerCase())}`,
      }
    case "json":
      return { ...base, type: "json", default: "" }
    case "list":
      return {
        ...base,
        type: "string",
        default: "",
        ...(hint?.placeholder === undefined ? { placeholder: "e.g. first, second" } : {}),
        description: `${withDot(field.description ?? label)} Comma-separated.`,
      }
    default:
      return { ...base, type: "string", default: "" }
  }
}

const show = (resource: string, operation?: string) => ({
  show: operation === undefined ? { resource: [resource] } : { resource: [resource], operation: [operation] },
})

const byName = <T extends { readonly name: string }>(items: ReadonlyArray<T>): Array<T> =>
  [...items].sort((a, b) => a.name.localeCompare(b.name))

/** Return All and Limit, shown for operations that stream. */
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
    displayOptions: { show: { ...(displayOptions?.show ?? {}), returnAll: [false] } },
  },
]

/** Resource, Operation per resource, each operation's fields, then Custom API Call's. */
export const properties = (app: App, custom: ReadonlyArray<INodeProperties>): Array<INodeProperties> => {
  const ops = operations(app)
  const resources = [...new Map(ops.map((op) => [op.resource, op.description.resource])).entries()]
  const result: Array<INodeProperties> = [
    {
      displayName: "Resource",
      name: "resource",
      type: "options",
      noDataExpression: true,
      options: byName([
        ...resources.map(([value, resource]) => ({
          name: title(value),
          value,
          description: `${app.connector.title} ${resource.replace(/-/g, " ")}`,
        })),
        {
          name: "Custom API Call",
          value: CUSTOM_RESOURCE,
          description: "Run any operation of the API catalog by its ID",
        },
      ]),
      default: resources[0]?.[0] ?? CUSTOM_RESOURCE,
    },
  ]
  for (const [resource] of resources) {
    const options = byName(
      ops
        .filter((op) => op.resource === resource)
        .map(
          (op): INodePropertyOptions => ({
            name: op.value === "getAll" ? "Get Many" : title(op.description.name),
            value: op.value,
            action: sentence(op),
            description: op.description.description,
          }),
        ),
    )
    result.push({
      displayName: "Operation",
      name: "operation",
      type: "options",
      noDataExpression: true,
      displayOptions: show(resource),
      options,
      default: options[0]?.value ?? "",
    })
  }
  for (const op of ops) {
    const displayOptions = show(op.resource, op.value)
    const top = op.fields.filter((f) => f.top)
    const rest = op.fields.filter((f) => !f.top)
    for (const f of top) result.push({ ...fieldProperty(f, op), displayOptions })
    if (op.description.streams) result.push(...paginationProperties(displayOptions))
    if (rest.length > 0) {
      result.push({
        displayName: "Additional Fields",
        name: ADDITIONAL,
        type: "collection",
        placeholder: "Add Field",
        default: {},
        displayOptions,
        options: byName(rest.map((f) => fieldProperty(f, op))).sort((a, b) =>
          a.displayName.localeCompare(b.displayName),
        ),
      })
    }
  }
  result.push(...custom.map((p) => ({ ...p, displayOptions: show(CUSTOM_RESOURCE) })))
  result.push(...paginationProperties(show(CUSTOM_RESOURCE)))
  return result
}

/** Parses a JSON field (n8n gives a string for `json` fields typed by hand, a value from expressions). */
export const json = (name: string, value: unknown): unknown => {
  if (typeof value !== "string") return value
  try {
    return JSON.parse(value)
  } catch {
    throw new Error(`${name} is not valid JSON`)
  }
}

export const jsonObject = (name: string, value: unknown): IDataObject => {
  if (value === undefined || value === null || value === "") return {}
  const parsed = json(name, value)
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${name} must be a JSON object`)
  }
  return parsed as IDataObject
}

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === "" ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 0)

const scalar = (type: Action.FieldType | undefined, value: unknown): unknown => {
  if ((type === "integer" || type === "number") && typeof value === "string" && value.trim() !== "") {
    const n = Number(value)
    return Number.isFinite(n) ? n : value
  }
  return value
}

/** One field's value as the action takes it: lists split, JSON parsed, pairs reshaped. */
const inputValue = (f: FormField, raw: unknown): unknown => {
  const { field, hint } = f
  if (hint?.pairs !== undefined) {
    const { key, value } = hint.pairs
    const pairs = ((raw as { pair?: ReadonlyArray<Record<string, unknown>> }).pair ?? []).filter(
      (p) => !isEmpty(p[key]),
    )
    return pairs.map((p) => ({ [key]: p[key], [value]: p[value] }))
  }
  switch (field.type) {
    case "list":
      return (Array.isArray(raw) ? raw : String(raw).split(","))
        .map((part) => (typeof part === "string" ? part.trim() : part))
        .filter((part) => part !== "")
        .map((part) => scalar(field.items, part))
    case "json":
      return json(title(field.name), raw)
    default:
      return scalar(field.type, raw)
  }
}

/** The raw input of one item, read from the node's parameters (the action's Schema judges it). */
export const rawInput = (
  op: FormOperation,
  parameter: (name: string, fallback: unknown) => unknown,
): Record<string, unknown> => {
  const additional = (op.fields.some((f) => !f.top) ? parameter(ADDITIONAL, {}) : {}) as Record<string, unknown>
  const input: Record<string, unknown> = {}
  for (const f of op.fields) {
    const raw = f.top ? parameter(f.parameter, undefined) : additional[f.parameter]
    if (isEmpty(raw) && !f.field.required) continue
    if (raw === undefined) continue
    const value = inputValue(f, raw)
    if (!isEmpty(value) || f.field.required) input[f.field.name] = value
  }
  return input
}

/** The items a response becomes: `hints.unwrap` taken, a list one item each. */
export const outputOf = (unwrap: string | undefined, response: unknown): ReadonlyArray<unknown> => {
  let value = response
  if (unwrap !== undefined && typeof value === "object" && value !== null) {
    value = (value as Record<string, unknown>)[unwrap] ?? value
  }
  if (value === undefined || value === null || value === "") return [{ success: true }]
  return Array.isArray(value) ? value : [value]
}

/**
 * Zapier input fields from an action's plain-data description (`Action.describe`) and its
 * hints, and back: what Zapier sends (`bundle.inputData`) as the action's raw input, which
 * the action's Schema then judges (`Action.decodeInput`).
 *
 * - `list` → `list: true` (Zapier's line items; typed text is split on commas);
 * - `json` → a text field parsed as JSON, refused with the field's label when it is not;
 * - `choices` → a static dropdown; `choicesFrom` → a dynamic one (a hidden trigger);
 * - `pairs` → line items with a key (picked from `choicesFrom`) and a value.
 */
import type { Action } from "@crmkit/core"
import type { Bundle, ZObject } from "zapier-platform-core"
import { snake } from "./Connection.ts"
import { invalid } from "./Definitions.ts"

/** The app's words for one field, on top of the action's hints. */
export interface FieldWords {
  /** The Zapier key (default: the action's field name); keeps existing zaps' mappings. */
  readonly key?: string | undefined
  readonly label?: string | undefined
  readonly helpText?: string | undefined
  readonly placeholder?: string | undefined
  /** Zapier's `datetime` (checked as a date, sent as ISO-8601) or `text` (multi-line). */
  readonly type?: "datetime" | "text" | "string" | undefined
  readonly required?: boolean | undefined
  /** Where the dropdown's choices come from, when the action does not say. */
  readonly choicesFrom?: Action.FieldHint["choicesFrom"]
  readonly pairs?: Action.FieldHint["pairs"]
  /** Any other Zapier field property (`dynamic`, `search`, `altersDynamicFields`...). */
  readonly zapier?: Readonly<Record<string, unknown>> | undefined
}

/** A field as the form shows it, with what it maps to. */
export interface FormField {
  readonly name: string
  readonly key: string
  readonly label: string
  readonly field: Action.Field
  readonly words: FieldWords
  readonly hint: Action.FieldHint
}

export const titleCase = (text: string) =>
  text
    .replace(/[_-]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(" ")
    .filter((word) => word !== "")
    .map((word, i) =>
      i > 0 && /^(a|an|and|as|at|by|for|from|in|of|on|or|the|to|with)$/i.test(word)
        ? word.toLowerCase()
        : word.charAt(0).toUpperCase() + word.slice(1),
    )
    .join(" ")
    .replace(/\bId\b/g, "ID")

/** The hidden trigger that lists `choicesFrom` (`tag_list`; by another value: `tag_list_by_name`). */
export const dropdownKey = (from: NonNullable<Action.FieldHint["choicesFrom"]>) => {
  // Records found in an answer (`pipelines.stages`) are named by the innermost list,
  // and those of a `list-<things>` verb by the things (`campaigns list-sequences`: `sequence_list`).
  const listed = from.items
    ? from.items.split(".").at(-1)!
    : from.name.startsWith("list-")
      ? from.name.slice(5)
      : from.resource
  const resource = snake(listed).replace(/ies$/, "y").replace(/s$/, "")
  const verb = from.name === "list" || from.name.startsWith("list-") ? "list" : from.name.replace(/-/g, "_")
  return `${resource}_${verb}${from.value === "id" ? "" : `_by_${from.value}`}`
}

export const formFields = (
  description: Action.Description,
  words: Readonly<Record<string, FieldWords>> = {},
  only?: ReadonlyArray<string>,
  hidden: ReadonlyArray<string> = [],
): Array<FormField> => {
  const byName = new Map(description.fields.map((field) => [field.name, field]))
  // What the connection fills in (GHL's location) is not asked, unless named.
  const names = only ?? description.fields.map((field) => field.name).filter((name) => !hidden.includes(name))
  return names.flatMap((name) => {
    const field = byName.get(name)
    if (field === undefined) return []
    const hint = description.hints?.fields?.[name] ?? {}
    const own = words[name] ?? {}
    return [{ name, key: own.key ?? name, label: own.label ?? hint.label ?? titleCase(name), field, words: own, hint }]
  })
}

const zapierType = (form: FormField) => {
  if (form.words.type !== undefined) return form.words.type
  const type = form.field.type === "list" ? form.field.items : form.field.type
  switch (type) {
    case "integer":
    case "number":
    case "boolean":
      return type
    case "json":
      return "text"
    default:
      return "string"
  }
}

/** The Zapier input field of a form field. */
export const inputField = (form: FormField, defaults: Readonly<Record<string, unknown>> = {}) => {
  const { field, hint, words } = form
  const choicesFrom = words.choicesFrom ?? hint.choicesFrom
  const pairs = words.pairs ?? hint.pairs
  const help = [
    words.helpText ?? field.description,
    field.type === "json" && pairs === undefined ? "JSON." : undefined,
  ].filter((part) => part !== undefined && part !== "")
  const common = {
    key: form.key,
    label: form.label,
    required: words.required ?? (field.required && defaults[form.name] === undefined),
    ...(help.length === 0 ? {} : { helpText: help.join(" ") }),
    ...((words.placeholder ?? hint.placeholder) ? { placeholder: words.placeholder ?? hint.placeholder } : {}),
    ...(defaults[form.name] === undefined || typeof defaults[form.name] === "function"
      ? {}
      : { default: String(defaults[form.name]) }),
  }
  if (pairs !== undefined) {
    return {
      ...common,
      children: [
        {
          key: pairs.key,
          label: titleCase(pairs.key),
          ...(choicesFrom === undefined ? {} : { dynamic: `${dropdownKey(choicesFrom)}.id.name` }),
        },
        { key: pairs.value, label: titleCase(pairs.value) },
      ],
      ...words.zapier,
    }
  }
  return {
    ...common,
    type: zapierType(form),
    ...(field.type === "list" ? { list: true } : {}),
    ...(field.choices === undefined ? {} : { choices: [...field.choices] }),
    ...(choicesFrom === undefined ? {} : { dynamic: `${dropdownKey(choicesFrom)}.id.name` }),
    ...words.zapier,
  }
}

const blank = (value: unknown) =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "")

const scalar = (type: Action.FieldType | undefined, value: unknown): unknown => {
  if (typeof value !== "string") return value
  const text = value.trim()
  if (type === "integer" || type === "number") return Number.isFinite(Number(text)) && text !== "" ? Number(text) : text
  if (type === "boolean") {
    if (/^(true|yes|1)$/i.test(text)) return true
    if (/^(false|no|0)$/i.test(text)) return false
  }
  return text
}

/** One field's value from Zapier's, or a refusal naming the field (before any request). */
const fieldValue = (z: ZObject, form: FormField, value: unknown): unknown => {
  const { field } = form
  if (form.words.type === "datetime") {
    const at = new Date(String(value))
    return Number.isNaN(at.getTime()) ? invalid(z, `${form.label} is not a date: '${value}'.`) : at.toISOString()
  }
  if (field.type === "list") {
    const items = Array.isArray(value) ? value : String(value).split(",")
    return items.filter((item) => !blank(item)).map((item) => scalar(field.items, item))
  }
  if (field.type === "json") {
    if (Array.isArray(value)) return value.filter((row) => !Object.values(row ?? {}).every(blank))
    if (typeof value === "object") return value
    try {
      return JSON.parse(String(value))
    } catch {
      return invalid(z, `${form.label} (${form.key}) must be JSON, e.g. 12, [{"id": "1"}] or {"name": "x"}.`)
    }
  }
  return scalar(field.type, value)
}

/** The action's raw input from what Zapier sends: empty fields left out, defaults filled. */
export const toInput = (
  z: ZObject,
  forms: ReadonlyArray<FormField>,
  inputData: Bundle["inputData"],
  defaults: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> => {
  const input: Record<string, unknown> = {}
  for (const form of forms) {
    const value = inputData[form.key]
    if (blank(value) || (Array.isArray(value) && value.length === 0)) continue
    input[form.name] = fieldValue(z, form, value)
  }
  for (const [name, value] of Object.entries(defaults)) {
    if (input[name] === undefined) input[name] = typeof value === "function" ? value() : value
  }
  return input
}

/** The field issues of a refused input, in the form's words. */
export const issuesText = (
  forms: ReadonlyArray<FormField>,
  issues: ReadonlyArray<{ readonly field: string; readonly message: string }>,
) =>
  issues
    .map((issue) => {
      const [head] = issue.field.split(/[.[]/)
      const form = forms.find((f) => f.name === head)
      return `${form === undefined ? issue.field : `${form.label} (${form.key})`}: ${issue.message}`
    })
    .join("; ")

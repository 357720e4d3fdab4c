import type { SortKey } from "@crmkit/sandbox/collection"
import type { GhlContact } from "./contactStore.ts"

/**
 * `POST /contacts/search` filters and sort. A filter is `{field, operator, value}` or a group
 * `{group: "AND" | "OR", filters: [...]}`; top-level filters are ANDed.
 */

type Predicate = (contact: GhlContact) => boolean

/** Searchable fields. Lower-case variants are the names GHL's search documentation uses. */
const FIELDS: Readonly<Record<string, (contact: GhlContact) => unknown>> = {
  id: (c) => c.id,
  email: (c) => c.email,
  firstName: (c) => c.firstName,
  firstNameLowerCase: (c) => c.firstName,
  lastName: (c) => c.lastName,
  lastNameLowerCase: (c) => c.lastName,
  name: (c) => c.name,
  fullNameLowerCase: (c) => c.name,
  phone: (c) => c.phone,
  tags: (c) => c.tags,
  source: (c) => c.source,
  city: (c) => c.city,
  state: (c) => c.state,
  country: (c) => c.country,
  dateAdded: (c) => Date.parse(c.dateAdded),
  dateUpdated: (c) => Date.parse(c.dateUpdated),
}

const DATE_FIELDS = new Set(["dateAdded", "dateUpdated"])
const OPERATORS = ["eq", "not_eq", "contains", "not_contains", "exists", "not_exists", "range"] as const
type Operator = (typeof OPERATORS)[number]

export type CompiledFilters =
  | { ok: true; predicate: Predicate | undefined; normalized: string }
  | { ok: false; messages: string[] }

const lower = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value)

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)
}

/** Converts a range bound (epoch ms or ISO string) to a number; undefined when invalid. */
function toNumber(value: unknown, isDate: boolean): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value
  if (typeof value === "string") {
    const parsed = isDate ? Date.parse(value) : Number(value)
    return Number.isNaN(parsed) ? undefined : parsed
  }
  return undefined
}

function compileCondition(filter: Record<string, unknown>, path: string, messages: string[]): Predicate | undefined {
  const field = filter.field
  const operator = filter.operator
  if (typeof field !== "string" || FIELDS[field] === undefined) {
    messages.push(`${path}.field must be one of ${Object.keys(FIELDS).join(", ")}`)
    return undefined
  }
  if (typeof operator !== "string" || !(OPERATORS as readonly string[]).includes(operator)) {
    messages.push(`${path}.operator must be one of ${OPERATORS.join(", ")}`)
    return undefined
  }
  const read = FIELDS[field]
  const value = filter.value
  const isDate = DATE_FIELDS.has(field)
  switch (operator as Operator) {
    case "exists":
      return (contact) => !isEmpty(read(contact))
    case "not_exists":
      return (contact) => isEmpty(read(contact))
    case "range": {
      const bounds = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>
      const limits = (["gt", "gte", "lt", "lte"] as const).flatMap((name) => {
        if (bounds[name] === undefined) return []
        const bound = toNumber(bounds[name], isDate)
        if (bound === undefined) messages.push(`${path}.value.${name} must be a number or a date`)
        return bound === undefined ? [] : [{ name, bound }]
      })
      if (limits.length === 0) messages.push(`${path}.value must be an object with gt, gte, lt and/or lte`)
      return (contact) => {
        const actual = toNumber(read(contact), isDate)
        if (actual === undefined) return false
        return limits.every(({ name, bound }) =>
          name === "gt"
            ? actual > bound
            : name === "gte"
              ? actual >= bound
              : name === "lt"
                ? actual < bound
                : actual <= bound,
        )
      }
    }
    default: {
      const wanted = (Array.isArray(value) ? value : [value]).map((v) => (isDate ? toNumber(v, true) : lower(v)))
      if (wanted.length === 0 || wanted.some((v) => v === undefined || v === null || v === "")) {
        messages.push(`${path}.value should not be empty`)
      }
      const contains = operator === "contains" || operator === "not_contains"
      const positive = operator === "eq" || operator === "contains"
      const matchesOne = (actual: unknown) => {
        const candidate = lower(actual)
        return wanted.some((w) =>
          contains ? typeof candidate === "string" && candidate.includes(String(w)) : candidate === w,
        )
      }
      return (contact) => {
        const actual = read(contact)
        // Array fields (tags) match when any element matches.
        const hit = Array.isArray(actual) ? actual.some(matchesOne) : matchesOne(actual)
        return positive ? hit : !hit
      }
    }
  }
}

function compileList(filters: unknown, path: string, mode: "AND" | "OR", messages: string[]): Predicate {
  if (!Array.isArray(filters)) {
    messages.push(`${path} must be an array`)
    return () => false
  }
  const predicates = filters.map((entry, i): Predicate => {
    const itemPath = `${path}.${i}`
    if (typeof entry !== "object" || entry === null) {
      messages.push(`${itemPath} must be an object`)
      return () => false
    }
    const filter = entry as Record<string, unknown>
    if (filter.group !== undefined) {
      if (filter.group !== "AND" && filter.group !== "OR") {
        messages.push(`${itemPath}.group must be one of AND, OR`)
        return () => false
      }
      return compileList(filter.filters, `${itemPath}.filters`, filter.group, messages)
    }
    return compileCondition(filter, itemPath, messages) ?? (() => false)
  })
  return mode === "AND"
    ? (contact) => predicates.every((predicate) => predicate(contact))
    : (contact) => predicates.some((predicate) => predicate(contact))
}

export function compileFilters(filters: unknown): CompiledFilters {
  if (filters === undefined || (Array.isArray(filters) && filters.length === 0)) {
    return { ok: true, predicate: undefined, normalized: "" }
  }
  const messages: string[] = []
  const predicate = compileList(filters, "filters", "AND", messages)
  return messages.length > 0 ? { ok: false, messages } : { ok: true, predicate, normalized: JSON.stringify(filters) }
}

const SORT_FIELDS: Readonly<Record<string, (contact: GhlContact) => string | number>> = {
  dateAdded: (c) => Date.parse(c.dateAdded),
  dateUpdated: (c) => Date.parse(c.dateUpdated),
  firstName: (c) => String(c.firstName ?? "").toLowerCase(),
  firstNameLowerCase: (c) => String(c.firstName ?? "").toLowerCase(),
  lastName: (c) => String(c.lastName ?? "").toLowerCase(),
  lastNameLowerCase: (c) => String(c.lastName ?? "").toLowerCase(),
  email: (c) => String(c.email ?? "").toLowerCase(),
}

export interface CompiledSort {
  readonly keys: readonly (SortKey<GhlContact> & { readonly field: string })[]
  /** True for the default / a single dateAdded key: index order, no sorting needed. */
  readonly byDateAdded: boolean
  readonly direction: "asc" | "desc"
}

/** Sandbox default (GHL does not document one): oldest first, like GET /contacts/. */
const DEFAULT_SORT: CompiledSort = {
  keys: [{ field: "dateAdded", value: SORT_FIELDS.dateAdded as (c: GhlContact) => number, direction: "asc" }],
  byDateAdded: true,
  direction: "asc",
}

export function compileSort(sort: unknown): { ok: true; sort: CompiledSort } | { ok: false; messages: string[] } {
  if (sort === undefined || (Array.isArray(sort) && sort.length === 0)) return { ok: true, sort: DEFAULT_SORT }
  if (!Array.isArray(sort)) return { ok: false, messages: ["sort must be an array"] }
  const messages: string[] = []
  const keys = sort.flatMap((entry, i) => {
    const { field, direction = "asc" } = (entry ?? {}) as { field?: unknown; direction?: unknown }
    const value = typeof field === "string" ? SORT_FIELDS[field] : undefined
    if (value === undefined) messages.push(`sort.${i}.field must be one of ${Object.keys(SORT_FIELDS).join(", ")}`)
    if (direction !== "asc" && direction !== "desc") messages.push(`sort.${i}.direction must be one of asc, desc`)
    if (value === undefined || (direction !== "asc" && direction !== "desc")) return []
    return [{ field: field as string, value, direction: direction as "asc" | "desc" }]
  })
  if (messages.length > 0) return { ok: false, messages }
  const first = keys[0]
  const byDateAdded = keys.length === 1 && first?.field === "dateAdded"
  return { ok: true, sort: { keys, byDateAdded, direction: first?.direction ?? "asc" } }
}

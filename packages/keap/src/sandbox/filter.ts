import type { KeapContact } from "./contactStore.ts"

/**
 * Keap REST v2 `filter` syntax: `field<op>value` conditions joined by `;` (AND), operators
 * `==`, `>`, `<`, `>=`, `<=`; a trailing `*` on a text value is a case-insensitive prefix match;
 * `ids==1,2,3` lists ids. (URLSearchParams has already percent-decoded the value.)
 */

export interface KeapFilter {
  /** Canonical text of the filter, for cache keys and page-token fingerprints. */
  readonly normalized: string
  readonly matches: (contact: KeapContact) => boolean
  /** Ids the filter restricts to, when an id/ids/email equality makes a full scan unnecessary. */
  readonly candidateIds?: readonly string[]
  /** An exact email the filter requires (lets the caller look it up instead of scanning). */
  readonly exactEmail?: string
}

export type FilterParse =
  | { readonly ok: true; readonly filter: KeapFilter | undefined }
  | { readonly ok: false; readonly message: string }

type Operator = "==" | ">" | "<" | ">=" | "<="
type Predicate = (contact: KeapContact) => boolean

const CONDITION = /^([A-Za-z_][A-Za-z0-9_]*)(==|>=|<=|>|<)(.*)$/
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/
const TEXT_FIELDS = ["given_name", "family_name", "middle_name"] as const

function compare(op: Operator, left: number, right: number): boolean {
  switch (op) {
    case "==":
      return left === right
    case ">":
      return left > right
    case "<":
      return left < right
    case ">=":
      return left >= right
    case "<=":
      return left <= right
  }
}

/** Case-insensitive equality, or prefix match when the value ends with `*`. */
function textMatcher(value: string): (candidate: unknown) => boolean {
  const wildcard = value.endsWith("*")
  const needle = (wildcard ? value.slice(0, -1) : value).toLowerCase()
  return (candidate) => {
    if (typeof candidate !== "string") return false
    const text = candidate.toLowerCase()
    return wildcard ? text.startsWith(needle) : text === needle
  }
}

export function parseKeapFilter(raw: string | null): FilterParse {
  if (raw === null || raw.trim() === "") return { ok: true, filter: undefined }
  const predicates: Predicate[] = []
  const normalizedParts: string[] = []
  let candidateIds: string[] | undefined
  let exactEmail: string | undefined
  let phoneNumber: string | undefined
  let phoneFields: ReadonlySet<string> | undefined

  const restrictTo = (ids: string[]) => {
    candidateIds = candidateIds === undefined ? ids : candidateIds.filter((id) => ids.includes(id))
  }

  for (const part of raw.split(";")) {
    const condition = part.trim()
    if (condition === "") continue
    const match = CONDITION.exec(condition)
    if (match === null) return { ok: false, message: `Invalid filter condition '${condition}'` }
    const field = (match[1] as string).toLowerCase()
    const op = match[2] as Operator
    const value = (match[3] as string).trim()
    normalizedParts.push(`${field}${op}${value}`)
    const equalityOnly = (): FilterParse | undefined =>
      op === "==" ? undefined : { ok: false, message: `Operator '${op}' is not supported for filter field '${field}'` }

    if (field === "email") {
      const refused = equalityOnly()
      if (refused) return refused
      const matches = textMatcher(value)
      predicates.push((contact) => contact.email_addresses.some((address) => matches(address.email)))
      if (!value.endsWith("*")) exactEmail = value
    } else if ((TEXT_FIELDS as readonly string[]).includes(field)) {
      const refused = equalityOnly()
      if (refused) return refused
      const matches = textMatcher(value)
      predicates.push((contact) => matches(contact[field]))
    } else if (field === "id" || field === "contact_id") {
      if (!/^\d+$/.test(value)) return { ok: false, message: `Filter field '${field}' needs an integer value` }
      const target = Number(value)
      predicates.push((contact) => compare(op, Number(contact.id), target))
      if (op === "==") restrictTo([String(target)])
    } else if (field === "ids" || field === "contact_ids") {
      const refused = equalityOnly()
      if (refused) return refused
      const ids = value.split(",").map((id) => id.trim())
      if (ids.some((id) => !/^\d+$/.test(id)))
        return { ok: false, message: `Filter field '${field}' needs a comma-separated list of integer ids` }
      const wanted = new Set(ids.map((id) => String(Number(id))))
      predicates.push((contact) => wanted.has(contact.id))
      restrictTo([...wanted])
    } else if (
      field === "create_time" ||
      field === "update_time" ||
      field === "start_update_time" ||
      field === "end_update_time"
    ) {
      if (!ISO_DATE_TIME.test(value)) {
        return {
          ok: false,
          message: `Filter field '${field}' needs a full ISO-8601 date-time, e.g. 2026-01-01T00:00:00.000Z`,
        }
      }
      const target = Date.parse(value)
      if (field === "start_update_time" || field === "end_update_time") {
        const refused = equalityOnly()
        if (refused) return refused
        const bound: Operator = field === "start_update_time" ? ">=" : "<="
        predicates.push((contact) => compare(bound, Date.parse(contact.update_time), target))
      } else {
        predicates.push((contact) => compare(op, Date.parse(contact[field]), target))
      }
    } else if (field === "phone_number" || field === "phone_fields") {
      const refused = equalityOnly()
      if (refused) return refused
      if (field === "phone_number") phoneNumber = value
      else phoneFields = new Set(value.split(",").map((name) => name.trim().toUpperCase()))
    } else {
      return { ok: false, message: `Invalid filter field '${match[1]}'` }
    }
  }
  // Keap searches a phone number only in the phone fields named with it (sandbox choice: digits compared).
  if (phoneNumber !== undefined || phoneFields !== undefined) {
    if (phoneNumber === undefined || phoneFields === undefined) {
      return { ok: false, message: "Filter fields 'phone_number' and 'phone_fields' go together" }
    }
    const digits = (text: string) => text.replace(/\D/g, "")
    const wanted = digits(phoneNumber)
    const fields = phoneFields
    predicates.push((contact) =>
      contact.phone_numbers.some(
        (phone) => fields.has(String(phone.field).toUpperCase()) && digits(phone.number) === wanted,
      ),
    )
  }

  if (predicates.length === 0) return { ok: true, filter: undefined }
  const filter: KeapFilter = {
    normalized: normalizedParts.join(";"),
    matches: (contact) => predicates.every((predicate) => predicate(contact)),
    ...(candidateIds === undefined ? {} : { candidateIds }),
    ...(exactEmail === undefined ? {} : { exactEmail }),
  }
  return { ok: true, filter }
}

export interface KeapOrder {
  readonly field: "id" | "create_time" | "email" | "update_time"
  readonly direction: "asc" | "desc"
}

/** Parses `order_by` ("field" or "field asc|desc"). */
export function parseKeapOrderBy(raw: string | null): { ok: true; order: KeapOrder } | { ok: false; message: string } {
  if (raw === null || raw.trim() === "") return { ok: true, order: { field: "id", direction: "asc" } }
  const [field, direction = "asc", ...rest] = raw.trim().split(/\s+/)
  if (rest.length > 0 || (field !== "id" && field !== "create_time" && field !== "email" && field !== "update_time")) {
    return {
      ok: false,
      message: `Invalid order_by '${raw}': use one of id, create_time, email, update_time followed by asc or desc`,
    }
  }
  const normalizedDirection = direction.toLowerCase()
  if (normalizedDirection !== "asc" && normalizedDirection !== "desc") {
    return { ok: false, message: `Invalid order_by direction '${direction}': use asc or desc` }
  }
  return { ok: true, order: { field, direction: normalizedDirection } }
}

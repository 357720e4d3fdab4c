/**
 * Helpers shared by the Keap REST v2 routes: request checks (body, ids, unknown fields), `filter` and
 * `order_by` parameters, opaque-token pagination and the v2 not-found reply.
 */
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import { invalidArgument, keapError } from "./errors.ts"

export type Json = Record<string, unknown>

export const KEAP_SANDBOX_USER_IDS: ReadonlySet<string> = new Set(["1", "2"])
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/
export const ID = /^[1-9]\d{0,15}$/

const isRecord = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value)

/** Records here never carry a numeric `status`; responses always do. */
export const isResponse = (value: unknown): value is SandboxResponse =>
  isRecord(value) && typeof value.status === "number" && "body" in value

export function pageOf(items: readonly Json[], query: URLSearchParams, key: string): SandboxResponse {
  const rawSize = query.get("page_size")
  if (rawSize !== null && rawSize !== "" && (!/^\d+$/.test(rawSize) || Number(rawSize) > 1000)) {
    return invalidArgument("page_size must be an integer between 0 and 1000", "page_size", "query")
  }
  const size = rawSize === null || rawSize === "" || rawSize === "0" ? 50 : Number(rawSize)
  const rawToken = query.get("page_token")
  let offset = 0
  if (rawToken !== null && rawToken !== "") {
    const decoded = Number(Buffer.from(rawToken, "base64url").toString("utf8"))
    if (!Number.isInteger(decoded) || decoded < 0) return invalidArgument("Invalid page_token", "page_token", "query")
    offset = decoded
  }
  const page = items.slice(offset, offset + size)
  const next = offset + page.length
  return json(200, {
    [key]: page,
    next_page_token: next < items.length ? Buffer.from(String(next)).toString("base64url") : "",
  })
}

/** The simple `field==value` / `field==prefix*` conditions joined by `;`, on top-level string fields. */
export function simpleFilter(
  raw: string | null,
  allowed: ReadonlySet<string>,
): ((item: Json) => boolean) | SandboxResponse {
  if (raw === null || raw.trim() === "") return () => true
  const tests: Array<(item: Json) => boolean> = []
  for (const part of raw.split(";")) {
    const match = /^([a-z_]+)==(.+)$/.exec(part.trim())
    if (match === null) return invalidArgument(`Invalid filter condition '${part}'`, "filter", "query")
    const [, field, value] = match as unknown as [string, string, string]
    if (!allowed.has(field)) return invalidArgument(`Cannot filter on '${field}'`, "filter", "query")
    const prefix = value.endsWith("*")
    const needle = (prefix ? value.slice(0, -1) : value).toLowerCase()
    tests.push((item) => {
      const text = String(item[field] ?? "").toLowerCase()
      return prefix ? text.startsWith(needle) : text === needle
    })
  }
  return (item) => tests.every((test) => test(item))
}

export function orderItems(items: Json[], raw: string | null, allowed: ReadonlySet<string>): Json[] | SandboxResponse {
  if (raw === null || raw.trim() === "") return items
  const match = /^([a-z_]+)(?: (asc|desc))?$/i.exec(raw.trim())
  if (match === null || !allowed.has(match[1] as string)) {
    return invalidArgument(`Invalid order_by '${raw}'`, "order_by", "query")
  }
  const field = match[1] as string
  const sign = (match[2] ?? "asc").toLowerCase() === "desc" ? -1 : 1
  return [...items].sort((a, b) => sign * String(a[field] ?? "").localeCompare(String(b[field] ?? "")))
}

export function unknownFields(body: Json, allowed: ReadonlySet<string>): SandboxResponse | undefined {
  for (const name of Object.keys(body)) {
    if (!allowed.has(name)) return invalidArgument(`Unknown field '${name}'`, name)
  }
  return undefined
}

export function requireBody(body: unknown): Json | SandboxResponse {
  return isRecord(body) ? body : invalidArgument("Request body must be a JSON object", "body")
}

export function checkId(value: string, field: string, domain = "path"): SandboxResponse | undefined {
  return ID.test(value) ? undefined : invalidArgument(`Invalid ${field} '${value}'`, field, domain)
}

/** The v2 404 for a missing `kind` (e.g. "Company") with this id. */
export const notFound = (kind: string, id: string): SandboxResponse =>
  keapError(404, `${kind} with id ${id} not found`, [{ domain: kind.toLowerCase(), resource: id }])

/** The stored record with this id, or the reply for an invalid or unknown id. */
export const lookup = (map: Map<string, Json>, kind: string, field: string, id: string): Json | SandboxResponse =>
  checkId(id, field) ?? map.get(id) ?? notFound(kind, id)

/**
 * A page of the items matching the query's `filter` (on the `filter` fields), in the order of its
 * `order_by` (on the `order` fields; without them, `order_by` is not read), rendered by `render`.
 */
export function listPage(
  items: Iterable<Json>,
  query: URLSearchParams,
  key: string,
  fields: {
    readonly filter: ReadonlySet<string>
    readonly order?: ReadonlySet<string>
    readonly render?: (item: Json) => Json
  },
): SandboxResponse {
  const filter = simpleFilter(query.get("filter"), fields.filter)
  if (typeof filter !== "function") return filter
  const matching = [...items].filter(filter)
  const ordered = fields.order === undefined ? matching : orderItems(matching, query.get("order_by"), fields.order)
  if (isResponse(ordered)) return ordered
  return pageOf(fields.render === undefined ? ordered : ordered.map(fields.render), query, key)
}

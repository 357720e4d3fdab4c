import { slice } from "@crmkit/sandbox/collection"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { KeapContact, KeapContactStore } from "./contactStore.ts"
import { queryContacts } from "./contactsV2.ts"
import type { KeapFilter, KeapOrder } from "./filter.ts"
import type { KeapApiRequest, KeapRoute } from "./types.ts"

/** v1 offset pagination; Keap's usual cap of 1000 per page (larger limits are clamped, as v1 does not refuse them). */
export const KEAP_V1_DEFAULT_LIMIT = 1000
export const KEAP_V1_MAX_LIMIT = 1000

/** v1 errors are a bare `{message}`. */
function v1Error(status: number, message: string): SandboxResponse {
  return json(status, { message })
}

/** The v1 contact shape: numeric ids, `date_created` / `last_updated`, custom fields only on request. */
function toV1Contact(contact: KeapContact, withCustomFields: boolean): Record<string, unknown> {
  const { id, create_time, update_time, tag_ids, custom_fields, email_addresses, phone_numbers, ...rest } = contact
  return {
    ...rest,
    id: Number(id),
    email_addresses: email_addresses.map(({ email, field }) => ({ email, field })),
    phone_numbers: phone_numbers.map(({ number, field, type }) => ({
      number,
      field,
      ...(type === undefined ? {} : { type }),
    })),
    tag_ids: tag_ids.map(Number),
    date_created: create_time,
    last_updated: update_time,
    email_opted_in: false,
    email_status: "UnengagedMarketable",
    ...(withCustomFields
      ? { custom_fields: custom_fields.map(({ id: fieldId, content }) => ({ id: Number(fieldId), content })) }
      : {}),
  }
}

function parseNonNegativeInt(raw: string | null, fallback: number): number | undefined {
  if (raw === null || raw === "") return fallback
  return /^\d+$/.test(raw) ? Number(raw) : undefined
}

const V1_ORDER_FIELDS: Readonly<Record<string, KeapOrder["field"]>> = {
  id: "id",
  date_created: "create_time",
  email: "email",
  last_updated: "update_time",
}

/** v1 query filters: exact (case-insensitive) email / given_name / family_name, and since/until on last_updated. */
function v1Filter(query: URLSearchParams): KeapFilter | string | undefined {
  const conditions: { name: string; test: (contact: KeapContact) => boolean }[] = []
  const email = query.get("email")
  const lower = (value: unknown) => String(value ?? "").toLowerCase()
  if (email !== null) {
    conditions.push({
      name: `email==${email}`,
      test: (c) => c.email_addresses.some((a) => lower(a.email) === lower(email)),
    })
  }
  for (const field of ["given_name", "family_name"] as const) {
    const value = query.get(field)
    if (value !== null) conditions.push({ name: `${field}==${value}`, test: (c) => lower(c[field]) === lower(value) })
  }
  for (const [param, op] of [
    ["since", ">="],
    ["until", "<="],
  ] as const) {
    const value = query.get(param)
    if (value === null) continue
    const bound = Date.parse(value)
    if (Number.isNaN(bound)) return `Invalid ${param} date '${value}'`
    conditions.push({
      name: `last_updated${op}${bound}`,
      test: (c) => (op === ">=" ? Date.parse(c.update_time) >= bound : Date.parse(c.update_time) <= bound),
    })
  }
  if (conditions.length === 0) return undefined
  return {
    normalized: `v1:${conditions.map((c) => c.name).join(";")}`,
    matches: (contact) => conditions.every((condition) => condition.test(contact)),
    ...(email === null ? {} : { exactEmail: email }),
  }
}

export function registerContactsV1(router: Router<KeapRoute>, store: KeapContactStore, base: string): void {
  const list = ({ ctx }: KeapApiRequest): SandboxResponse => {
    const requestedLimit = parseNonNegativeInt(ctx.query.get("limit"), KEAP_V1_DEFAULT_LIMIT)
    const offset = parseNonNegativeInt(ctx.query.get("offset"), 0)
    if (requestedLimit === undefined) return v1Error(400, "limit must be a non-negative integer")
    if (offset === undefined) return v1Error(400, "offset must be a non-negative integer")
    const limit = Math.min(requestedLimit === 0 ? KEAP_V1_DEFAULT_LIMIT : requestedLimit, KEAP_V1_MAX_LIMIT)

    const orderParam = ctx.query.get("order") ?? "id"
    const field = V1_ORDER_FIELDS[orderParam]
    if (field === undefined) return v1Error(400, `Invalid order '${orderParam}'`)
    const directionParam = (ctx.query.get("order_direction") ?? "ASCENDING").toUpperCase()
    if (directionParam !== "ASCENDING" && directionParam !== "DESCENDING") {
      return v1Error(400, "order_direction must be ASCENDING or DESCENDING")
    }
    const filter = v1Filter(ctx.query)
    if (typeof filter === "string") return v1Error(400, filter)

    const view = queryContacts(store, filter, { field, direction: directionParam === "ASCENDING" ? "asc" : "desc" })
    const withCustomFields = (ctx.query.get("optional_properties") ?? "").split(",").includes("custom_fields")
    const pageUrl = (pageOffset: number) => {
      // Keeps every query parameter the caller sent; only limit/offset change.
      const url = new URL(ctx.pathname, ctx.origin)
      for (const [name, value] of ctx.query)
        if (name !== "offset" && name !== "limit") url.searchParams.append(name, value)
      url.searchParams.set("limit", String(limit))
      url.searchParams.set("offset", String(pageOffset))
      return url.toString()
    }
    return json(200, {
      contacts: slice(view, offset, limit).map((index) => toV1Contact(store.at(index), withCustomFields)),
      count: view.length,
      // Like Keap v1, `next` is always present, even past the end: stop on an empty page (or `count`).
      next: pageUrl(offset + limit),
      previous: pageUrl(Math.max(0, offset - limit)),
    })
  }

  const get = ({ ctx, params }: KeapApiRequest): SandboxResponse => {
    const found = store.find(params.id as string)
    if (found === undefined) return v1Error(404, `Contact with id ${params.id} not found`)
    const withCustomFields = (ctx.query.get("optional_properties") ?? "").split(",").includes("custom_fields")
    return json(200, toV1Contact(found.contact, withCustomFields))
  }

  router
    .add("GET", `${base}/v1/contacts`, { auth: "api", handle: list })
    .add("GET", `${base}/v1/contacts/:id`, { auth: "api", handle: get })
}

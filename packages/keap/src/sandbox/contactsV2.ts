import { type IndexView, slice } from "@crmkit/sandbox/collection"
import { json, noContent, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import { hashString } from "@crmkit/sandbox/seed"
import { type KeapContact, type KeapContactStore, primaryEmail, type StoredContact } from "./contactStore.ts"
import { invalidArgument, keapError } from "./errors.ts"
import { type KeapFilter, type KeapOrder, parseKeapFilter, parseKeapOrderBy } from "./filter.ts"
import { isResponse } from "./routeHelpers.ts"
import type { KeapApiRequest, KeapRoute } from "./types.ts"
import { parseUpdateMask, validateContactBody } from "./validation.ts"

/** Sandbox choice (Keap does not document its default): 50 per page; `page_size=0` also means the default. */
export const KEAP_V2_DEFAULT_PAGE_SIZE = 50
export const KEAP_V2_MAX_PAGE_SIZE = 1000

const DUPLICATE_OPTIONS = new Set(["Email", "EmailAndName", "EmailAndNameAndCompany", "None"])

/**
 * The contacts matching a filter, in the requested order. Index order (id / create_time) needs no
 * sort; an exact id or email narrows the scan to a few candidates.
 */
export function queryContacts(store: KeapContactStore, filter: KeapFilter | undefined, order: KeapOrder): IndexView {
  const indexOrder = order.field === "id" || order.field === "create_time"
  let candidates: number[] | undefined
  if (filter?.candidateIds !== undefined) candidates = filter.candidateIds.map((id) => Number(id) - 1)
  else if (filter?.exactEmail !== undefined)
    candidates = store.findByEmail(filter.exactEmail).map((found) => found.index)
  const sortValue =
    order.field === "email"
      ? (contact: KeapContact) => (primaryEmail(contact) ?? "").toLowerCase()
      : (contact: KeapContact) => Date.parse(contact.update_time)
  return store.collection.query({
    cacheKey: `${filter?.normalized ?? ""}|${order.field} ${order.direction}`,
    where: filter === undefined ? undefined : (contact) => filter.matches(contact),
    orderBy: indexOrder ? undefined : [{ value: sortValue, direction: order.direction }],
    reverse: indexOrder && order.direction === "desc",
    candidates,
  })
}

/**
 * Page tokens are opaque to clients: base64url JSON of the next offset and a fingerprint of the
 * filter + order_by, so a token replayed with other query parameters is refused instead of
 * silently returning the wrong page.
 */
interface PageToken {
  readonly offset: number
  readonly fingerprint: string
}

function encodePageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify({ o: token.offset, f: token.fingerprint })).toString("base64url")
}

function decodePageToken(raw: string): PageToken | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as { o?: unknown; f?: unknown }
    if (typeof decoded.o !== "number" || !Number.isInteger(decoded.o) || decoded.o < 0 || typeof decoded.f !== "string")
      return undefined
    return { offset: decoded.o, fingerprint: decoded.f }
  } catch {
    return undefined
  }
}

/** Applies the `fields` projection (comma-separated property names; `id` is always kept). */
function project(contact: KeapContact, fields: string | null): Record<string, unknown> {
  if (fields === null || fields.trim() === "") return contact
  const wanted = new Set(fields.split(",").map((field) => field.trim()))
  wanted.add("id")
  return Object.fromEntries(Object.entries(contact).filter(([name]) => wanted.has(name)))
}

function notFound(id: string): SandboxResponse {
  return keapError(404, `Contact with id ${id} not found`, [{ domain: "contact", resource: id }])
}

function findContact(store: KeapContactStore, id: string): StoredContact | SandboxResponse {
  if (!/^\d+$/.test(id)) return invalidArgument(`Invalid contact_id '${id}'`, "contact_id", "path")
  return store.find(id) ?? notFound(id)
}

function parsePageSize(raw: string | null): number | SandboxResponse {
  if (raw === null || raw === "") return KEAP_V2_DEFAULT_PAGE_SIZE
  if (!/^\d+$/.test(raw) || Number(raw) > KEAP_V2_MAX_PAGE_SIZE) {
    return invalidArgument(`page_size must be an integer between 0 and ${KEAP_V2_MAX_PAGE_SIZE}`, "page_size", "query")
  }
  return Number(raw) === 0 ? KEAP_V2_DEFAULT_PAGE_SIZE : Number(raw)
}

/**
 * A contact's `company` is sent as `{ id }` and answered as `{ id, company_name }`; an unknown
 * company is refused.
 */
function withCompany(
  fields: Readonly<Record<string, unknown>>,
  companyName: (id: string) => string | undefined,
): Readonly<Record<string, unknown>> | SandboxResponse {
  const company = fields.company
  if (company === undefined || company === null) return fields
  const id = (company as { id?: unknown }).id
  if (typeof company !== "object" || (typeof id !== "string" && typeof id !== "number"))
    return invalidArgument("company must be an object with an id", "company")
  const name = companyName(String(id))
  if (name === undefined)
    return keapError(404, `Company with id ${id} not found`, [{ domain: "company", resource: String(id) }])
  return { ...fields, company: { id: String(id), company_name: name } }
}

export function registerContactsV2(
  router: Router<KeapRoute>,
  store: KeapContactStore,
  base: string,
  companyName: (id: string) => string | undefined = () => undefined,
): void {
  const isCustomField = (id: string) => store.isCustomField(id)
  const list = ({ ctx }: KeapApiRequest): SandboxResponse => {
    const pageSize = parsePageSize(ctx.query.get("page_size"))
    if (typeof pageSize !== "number") return pageSize
    const parsedFilter = parseKeapFilter(ctx.query.get("filter"))
    if (!parsedFilter.ok) return invalidArgument(parsedFilter.message, "filter", "query")
    const parsedOrder = parseKeapOrderBy(ctx.query.get("order_by"))
    if (!parsedOrder.ok) return invalidArgument(parsedOrder.message, "order_by", "query")
    const filter = parsedFilter.filter
    const order = parsedOrder.order
    const fingerprint = hashString(`${filter?.normalized ?? ""}|${order.field} ${order.direction}`).toString(36)

    let offset = 0
    const rawToken = ctx.query.get("page_token")
    if (rawToken !== null && rawToken !== "") {
      const token = decodePageToken(rawToken)
      if (token === undefined) return invalidArgument("Invalid page_token", "page_token", "query")
      if (token.fingerprint !== fingerprint) {
        return invalidArgument("page_token was issued for a different filter or order_by", "page_token", "query")
      }
      offset = token.offset
    }

    const view = queryContacts(store, filter, order)
    const indexes = slice(view, offset, pageSize)
    const nextOffset = offset + indexes.length
    const fields = ctx.query.getAll("fields").join(",") || null
    return json(200, {
      contacts: indexes.map((index) => project(store.at(index), fields)),
      // An empty string, not an absent field, marks the last page.
      next_page_token: nextOffset < view.length ? encodePageToken({ offset: nextOffset, fingerprint }) : "",
    })
  }

  const create = ({ ctx }: KeapApiRequest): SandboxResponse => {
    const duplicateOption = ctx.query.get("duplicate_option")
    if (duplicateOption !== null && !DUPLICATE_OPTIONS.has(duplicateOption)) {
      return invalidArgument(`Invalid duplicate_option '${duplicateOption}'`, "duplicate_option", "query")
    }
    const validation = validateContactBody(ctx.body, { requireIdentity: true, isCustomField })
    if (!validation.ok) return validation.response
    const fields = withCompany(validation.fields, companyName)
    if (isResponse(fields)) return fields
    if (duplicateOption !== null && duplicateOption !== "None") {
      const existing = findDuplicate(store, fields, duplicateOption !== "Email")
      if (existing !== undefined) return json(200, store.update(existing.index, fields))
    }
    return json(201, store.create(fields).contact)
  }

  const get = ({ ctx, params }: KeapApiRequest): SandboxResponse => {
    const found = findContact(store, params.id as string)
    if ("status" in found) return found
    return json(200, project(found.contact, ctx.query.getAll("fields").join(",") || null))
  }

  const update = ({ ctx, params }: KeapApiRequest): SandboxResponse => {
    const found = findContact(store, params.id as string)
    if ("status" in found) return found
    const mask = parseUpdateMask(ctx.query)
    if (!mask.ok) return mask.response
    const validation = validateContactBody(ctx.body, { requireIdentity: false, isCustomField })
    if (!validation.ok) return validation.response
    const fields = withCompany(validation.fields, companyName)
    if (isResponse(fields)) return fields
    return json(200, store.update(found.index, fields, mask.mask))
  }

  const remove = ({ params }: KeapApiRequest): SandboxResponse => {
    const found = findContact(store, params.id as string)
    if ("status" in found) return found
    store.delete(found.index)
    return noContent()
  }

  router
    .add("GET", `${base}/v2/contacts`, { auth: "api", handle: list })
    .add("POST", `${base}/v2/contacts`, { auth: "api", handle: create })
    .add("GET", `${base}/v2/contacts/:id`, { auth: "api", handle: get })
    .add("PATCH", `${base}/v2/contacts/:id`, { auth: "api", handle: update })
    .add("DELETE", `${base}/v2/contacts/:id`, { auth: "api", handle: remove })
}

/** `duplicate_option`: match on any given email, and with `byName` also on given and family name. */
function findDuplicate(
  store: KeapContactStore,
  fields: Readonly<Record<string, unknown>>,
  byName: boolean,
): StoredContact | undefined {
  const emails = Array.isArray(fields.email_addresses) ? (fields.email_addresses as { email: string }[]) : []
  const sameName = (a: unknown, b: unknown) => String(a ?? "").toLowerCase() === String(b ?? "").toLowerCase()
  for (const { email } of emails) {
    for (const candidate of store.findByEmail(email)) {
      if (!byName) return candidate
      if (
        sameName(candidate.contact.given_name, fields.given_name) &&
        sameName(candidate.contact.family_name, fields.family_name)
      ) {
        return candidate
      }
    }
  }
  return undefined
}

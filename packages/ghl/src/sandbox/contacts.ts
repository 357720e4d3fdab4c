import { compareValues, firstPositionAfter, type IndexView, slice } from "@crmkit/sandbox/collection"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { GhlContact, GhlContactStore, StoredGhlContact } from "./contactStore.ts"
import { ghlError, noLocationAccess, traceId, unprocessable } from "./errors.ts"
import { type CompiledSort, compileFilters, compileSort } from "./search.ts"
import type { GhlApiRequest, GhlRoute } from "./types.ts"
import { validateContactBody } from "./validation.ts"

export const GHL_LIST_DEFAULT_LIMIT = 20
export const GHL_LIST_MAX_LIMIT = 100
export const GHL_SEARCH_MAX_PAGE_LIMIT = 500
/** `page` x `pageLimit` may not go past this many records; deeper pages need `searchAfter`. */
export const GHL_SEARCH_MAX_PAGED_RECORDS = 10_000
export const GHL_SEARCH_MAX_QUERY_LENGTH = 75

/** The free-text `query`: case-insensitive substring of name, email, phone or company. */
function queryPredicate(query: string | undefined): ((contact: GhlContact) => boolean) | undefined {
  if (query === undefined || query === "") return undefined
  const needle = query.toLowerCase()
  return (contact) =>
    [contact.name, contact.email, contact.phone, contact.companyName].some(
      (value) => typeof value === "string" && value.toLowerCase().includes(needle),
    )
}

function both<T>(a: ((value: T) => boolean) | undefined, b: ((value: T) => boolean) | undefined) {
  if (a === undefined) return b
  if (b === undefined) return a
  return (value: T) => a(value) && b(value)
}

function duplicateContact(existing: StoredGhlContact): SandboxResponse {
  return ghlError(400, "This location does not allow duplicated contacts.", {
    extra: {
      meta: { contactName: existing.contact.name ?? null, contactId: existing.contact.id, matchingField: "email" },
    },
  })
}

const contactNotFound = () => ghlError(404, "Contact not found")

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value)
}

export function registerContacts(router: Router<GhlRoute>, store: GhlContactStore): void {
  /** Resolves a path id to a contact of the caller's location. */
  const resolve = (request: GhlApiRequest): StoredGhlContact | SandboxResponse => {
    const found = store.find(request.params.contactId as string)
    if (found === undefined) return contactNotFound()
    if (found.contact.locationId !== request.principal.locationId) return noLocationAccess()
    return found
  }

  /** GET /contacts/ (deprecated): keyset pagination by (dateAdded, id) with startAfter / startAfterId. */
  const list = ({ ctx, principal }: GhlApiRequest): SandboxResponse => {
    const q = ctx.query
    const messages: string[] = []
    const locationId = q.get("locationId")
    if (locationId === null || locationId === "") messages.push("locationId should not be empty")
    const rawLimit = q.get("limit")
    const limit = rawLimit === null ? GHL_LIST_DEFAULT_LIMIT : Number(rawLimit)
    if (!Number.isInteger(limit) || limit < 1) messages.push("limit must be a positive integer")
    else if (limit > GHL_LIST_MAX_LIMIT) messages.push(`limit must not be greater than ${GHL_LIST_MAX_LIMIT}`)
    const rawStartAfter = q.get("startAfter")
    const startAfter = rawStartAfter === null || rawStartAfter === "" ? undefined : Number(rawStartAfter)
    if (startAfter !== undefined && Number.isNaN(startAfter)) messages.push("startAfter must be a number")
    if (messages.length > 0) return unprocessable(messages)
    if (locationId !== principal.locationId) return noLocationAccess()

    const query = q.get("query") ?? undefined
    const view = store.collection.query({ cacheKey: `list|${query ?? ""}`, where: queryPredicate(query) })
    const startAfterIndex = store.ids.decode(q.get("startAfterId") ?? "")
    let start = 0
    if (startAfterIndex !== undefined) start = firstPositionAfter(view, (index) => index > startAfterIndex)
    else if (startAfter !== undefined)
      start = firstPositionAfter(view, (index) => Date.parse(store.at(index).dateAdded) > startAfter)

    const contacts = slice(view, start, limit).map((index) => store.at(index))
    const last = contacts.at(-1)
    const hasMore = start + contacts.length < view.length
    const currentPage = Math.floor(start / limit) + 1
    let nextPageUrl: string | null = null
    if (hasMore && last !== undefined) {
      // The next page URL keeps every parameter of this request (locationId, query, limit...).
      const url = new URL(ctx.pathname, ctx.origin)
      for (const [name, value] of q)
        if (name !== "startAfter" && name !== "startAfterId") url.searchParams.append(name, value)
      url.searchParams.set("startAfter", String(Date.parse(last.dateAdded)))
      url.searchParams.set("startAfterId", last.id)
      nextPageUrl = url.toString()
    }
    return json(200, {
      contacts,
      meta: {
        total: view.length,
        nextPageUrl,
        startAfterId: last?.id ?? null,
        startAfter: last === undefined ? null : Date.parse(last.dateAdded),
        currentPage,
        nextPage: hasMore ? currentPage + 1 : null,
        prevPage: currentPage > 1 ? currentPage - 1 : null,
      },
    })
  }

  /** POST /contacts/search: page/pageLimit (first 10,000 records) or a searchAfter cursor. */
  const search = ({ ctx, principal }: GhlApiRequest): SandboxResponse => {
    if (typeof ctx.body !== "object" || ctx.body === null || Array.isArray(ctx.body)) {
      return unprocessable(["locationId should not be empty", "pageLimit should not be empty"])
    }
    const body = ctx.body as Record<string, unknown>
    const messages: string[] = []
    if (typeof body.locationId !== "string" || body.locationId === "")
      messages.push("locationId should not be empty", "locationId must be a string")
    if (body.pageLimit === undefined) messages.push("pageLimit should not be empty")
    else if (!isInteger(body.pageLimit) || body.pageLimit < 1) messages.push("pageLimit must be a positive integer")
    else if (body.pageLimit > GHL_SEARCH_MAX_PAGE_LIMIT)
      messages.push(`pageLimit must not be greater than ${GHL_SEARCH_MAX_PAGE_LIMIT}`)
    if (body.page !== undefined && (!isInteger(body.page) || body.page < 1))
      messages.push("page must be a positive integer")
    if (body.query !== undefined && typeof body.query !== "string") messages.push("query must be a string")
    else if (typeof body.query === "string" && body.query.length > GHL_SEARCH_MAX_QUERY_LENGTH) {
      messages.push(`query must be shorter than or equal to ${GHL_SEARCH_MAX_QUERY_LENGTH} characters`)
    }
    const filters = compileFilters(body.filters)
    if (!filters.ok) messages.push(...filters.messages)
    const sorting = compileSort(body.sort)
    if (!sorting.ok) messages.push(...sorting.messages)
    const searchAfter = body.searchAfter
    if (searchAfter !== undefined && sorting.ok && !isValidCursor(searchAfter, sorting.sort)) {
      messages.push(`searchAfter must be the searchAfter array of the last contact of the previous page`)
    }
    if (searchAfter !== undefined && isInteger(body.page) && body.page > 1)
      messages.push("page cannot be combined with searchAfter")
    if (messages.length > 0 || !filters.ok || !sorting.ok) return unprocessable(messages)
    if (body.locationId !== principal.locationId) return noLocationAccess()

    const pageLimit = body.pageLimit as number
    const page = isInteger(body.page) ? body.page : 1
    if (searchAfter === undefined && page * pageLimit > GHL_SEARCH_MAX_PAGED_RECORDS) {
      return ghlError(
        400,
        `page * pageLimit must not exceed ${GHL_SEARCH_MAX_PAGED_RECORDS} records; use searchAfter to paginate beyond them`,
      )
    }

    const sort = sorting.sort
    const query = typeof body.query === "string" ? body.query : undefined
    const view = store.collection.query({
      cacheKey: `search|${filters.normalized}|${query ?? ""}|${sort.keys.map((k) => `${k.field} ${k.direction}`).join(",")}`,
      where: both(filters.predicate, queryPredicate(query)),
      orderBy: sort.byDateAdded ? undefined : sort.keys,
      reverse: sort.byDateAdded && sort.direction === "desc",
    })
    const start =
      searchAfter === undefined
        ? (page - 1) * pageLimit
        : positionAfterCursor(view, store, sort, searchAfter as unknown[])
    const contacts = slice(view, start, pageLimit).map((index) => {
      const contact = store.at(index)
      return { ...contact, searchAfter: [...sort.keys.map((key) => key.value(contact)), contact.id] }
    })
    return json(200, { contacts, total: view.length, traceId: traceId() })
  }

  const create = ({ ctx, principal }: GhlApiRequest): SandboxResponse => {
    const validation = validateContactBody(ctx.body, "create")
    if (!validation.ok) return unprocessable(validation.messages)
    if (validation.locationId !== principal.locationId) return noLocationAccess()
    const email = validation.fields.email
    if (typeof email === "string" && email !== "" && !store.allowDuplicateContact) {
      const existing = store.findByEmail(email)[0]
      if (existing !== undefined) return duplicateContact(existing)
    }
    return json(201, { contact: store.create(validation.fields).contact })
  }

  /** POST /contacts/upsert: updates the contact matching the email (else the phone), or creates one. */
  const upsert = ({ ctx, principal }: GhlApiRequest): SandboxResponse => {
    const validation = validateContactBody(ctx.body, "upsert")
    if (!validation.ok) return unprocessable(validation.messages)
    if (validation.locationId !== principal.locationId) return noLocationAccess()
    const { email, phone } = validation.fields
    const existing =
      typeof email === "string" && email !== ""
        ? store.findByEmail(email)[0]
        : typeof phone === "string" && phone !== ""
          ? store.findByPhone(phone)[0]
          : undefined
    if (existing !== undefined) {
      return json(200, { new: false, contact: store.update(existing.index, validation.fields), traceId: traceId() })
    }
    return json(200, { new: true, contact: store.create(validation.fields).contact, traceId: traceId() })
  }

  const get = (request: GhlApiRequest): SandboxResponse => {
    const found = resolve(request)
    return "status" in found ? found : json(200, { contact: found.contact })
  }

  const update = (request: GhlApiRequest): SandboxResponse => {
    const validation = validateContactBody(request.ctx.body, "update")
    if (!validation.ok) return unprocessable(validation.messages)
    const found = resolve(request)
    if ("status" in found) return found
    const email = validation.fields.email
    if (typeof email === "string" && email !== "") {
      const other = store.findByEmail(email).find((candidate) => candidate.index !== found.index)
      if (other !== undefined) return duplicateContact(other)
    }
    // "succeded" is GHL's own spelling (UpdateContactsSuccessfulResponseDto).
    return json(200, { succeded: true, contact: store.update(found.index, validation.fields) })
  }

  const remove = (request: GhlApiRequest): SandboxResponse => {
    const found = resolve(request)
    if ("status" in found) return found
    store.delete(found.index)
    return json(200, { succeded: true })
  }

  const read = "contacts.readonly"
  const write = "contacts.write"
  router
    .add("GET", "/contacts/", { auth: "api", access: "location", scope: read, handle: list })
    .add("POST", "/contacts/", { auth: "api", access: "location", scope: write, handle: create })
    .add("POST", "/contacts/search", { auth: "api", access: "location", scope: read, handle: search })
    .add("POST", "/contacts/upsert", { auth: "api", access: "location", scope: write, handle: upsert })
    .add("GET", "/contacts/:contactId", { auth: "api", access: "location", scope: read, handle: get })
    .add("PUT", "/contacts/:contactId", { auth: "api", access: "location", scope: write, handle: update })
    .add("DELETE", "/contacts/:contactId", { auth: "api", access: "location", scope: write, handle: remove })
}

/** A cursor is the `searchAfter` of a contact: one value per sort key, then the contact id. */
function isValidCursor(cursor: unknown, sort: CompiledSort): cursor is unknown[] {
  return (
    Array.isArray(cursor) &&
    cursor.length === sort.keys.length + 1 &&
    typeof cursor.at(-1) === "string" &&
    cursor.slice(0, -1).every((value) => typeof value === "number" || typeof value === "string")
  )
}

/** First position strictly after the cursor, by binary search on the sorted view. */
function positionAfterCursor(view: IndexView, store: GhlContactStore, sort: CompiledSort, cursor: unknown[]): number {
  const cursorIndex = store.ids.decode(cursor.at(-1) as string)
  if (sort.byDateAdded) {
    const ascending = sort.direction === "asc"
    if (cursorIndex !== undefined)
      return firstPositionAfter(view, (index) => (ascending ? index > cursorIndex : index < cursorIndex))
    const cursorTime = Number(cursor[0])
    return firstPositionAfter(view, (index) => {
      const time = Date.parse(store.at(index).dateAdded)
      return ascending ? time > cursorTime : time < cursorTime
    })
  }
  return firstPositionAfter(view, (index) => {
    const contact = store.at(index)
    for (let k = 0; k < sort.keys.length; k++) {
      const key = sort.keys[k] as CompiledSort["keys"][number]
      const order = compareValues(key.value(contact), cursor[k] as string | number)
      if (order !== 0) return (key.direction === "desc" ? -order : order) > 0
    }
    // Ties are broken by index ascending, as the collection sorts them.
    return index > (cursorIndex ?? -1)
  })
}

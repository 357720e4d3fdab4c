/**
 * TestCRM's contacts in the simulator: one email, one phone (E.164 only), one address, free
 * labels and a company name. Listed oldest first with a cursor, filtered by `updated_since`,
 * `email` or `phone`; created and patched with validation; an email is held by one contact only.
 */
import type { SandboxClock } from "@crmkit/sandbox/clock"
import { json, type RequestContext, type SandboxResponse } from "@crmkit/sandbox/http"
import { isoString, seedPerson } from "@crmkit/sandbox/seed"

export interface Address {
  readonly street: string | null
  readonly city: string | null
  readonly region: string | null
  readonly postcode: string | null
  /** ISO 3166-1 alpha-2. */
  readonly country: string | null
}

export interface Contact {
  readonly id: string
  readonly firstName: string | null
  readonly lastName: string | null
  readonly email: string | null
  readonly phone: string | null
  readonly company: string | null
  readonly address: Address | null
  readonly labels: ReadonlyArray<string>
  readonly createdAt: string
  readonly updatedAt: string
}

export interface FieldIssue {
  readonly field: string
  readonly message: string
}

export type Handler = (ctx: RequestContext, params: Readonly<Record<string, string>>) => SandboxResponse

export const error = (status: number, message: string, fields?: ReadonlyArray<FieldIssue>) =>
  json(status, { error: { message, ...(fields === undefined ? {} : { fields }) } })

/** `limit` from 1 to 100 (default 20), or the 400 TestCRM answers. */
export const limitOf = (ctx: RequestContext): number | SandboxResponse => {
  const text = ctx.query.get("limit") ?? "20"
  const limit = Number(text)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return error(400, "limit must be an integer from 1 to 100", [{ field: "limit", message: `got ${text}` }])
  }
  return limit
}

/** A position the API gave as a cursor, or the 400 it answers for one it did not give. */
export const cursorOf = (ctx: RequestContext): number | SandboxResponse => {
  const cursor = ctx.query.get("cursor")
  const start = cursor === null ? 0 : Number(Buffer.from(cursor, "base64url").toString("utf8"))
  return Number.isInteger(start) && start >= 0 ? start : error(400, "cursor is not one this API gave")
}

export const cursorFor = (position: number) => Buffer.from(String(position)).toString("base64url")

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const E164 = /^\+[1-9]\d{6,14}$/
const COUNTRY = /^[A-Z]{2}$/
const TEXT_FIELDS = ["firstName", "lastName", "company"] as const
const ADDRESS_FIELDS = ["street", "city", "region", "postcode", "country"] as const
const WRITABLE = new Set<string>([...TEXT_FIELDS, "email", "phone", "address", "labels"])

type Writable = { -readonly [K in Exclude<keyof Contact, "id" | "createdAt" | "updatedAt">]?: Contact[K] }

const optionalText = (value: unknown, field: string, max: number, issues: Array<FieldIssue>): string | null => {
  if (value === null) return null
  if (typeof value !== "string" || value.length > max) {
    issues.push({ field, message: `must be text of at most ${max} characters, or null` })
    return null
  }
  return value
}

/** The fields a body sets, checked; unknown fields are refused so that a typo is not lost quietly. */
const writable = (body: unknown): { readonly fields: Writable; readonly issues: ReadonlyArray<FieldIssue> } => {
  const issues: Array<FieldIssue> = []
  const fields: Writable = {}
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { fields, issues: [{ field: "body", message: "must be a JSON object" }] }
  }
  const input = body as Record<string, unknown>
  for (const key of Object.keys(input)) if (!WRITABLE.has(key)) issues.push({ field: key, message: "unknown field" })
  for (const key of TEXT_FIELDS) if (key in input) fields[key] = optionalText(input[key], key, 100, issues)
  if ("email" in input) {
    const email = input.email
    if (email !== null && (typeof email !== "string" || !EMAIL.test(email))) {
      issues.push({ field: "email", message: "must be an email address, or null" })
    } else fields.email = email
  }
  if ("phone" in input) {
    const phone = input.phone
    if (phone !== null && (typeof phone !== "string" || !E164.test(phone))) {
      issues.push({ field: "phone", message: "must be in E.164 (+14155550100), or null" })
    } else fields.phone = phone
  }
  if ("address" in input) {
    const address = input.address
    if (address === null) fields.address = null
    else if (typeof address !== "object" || Array.isArray(address)) {
      issues.push({ field: "address", message: "must be an object, or null" })
    } else {
      const a = address as Record<string, unknown>
      for (const key of Object.keys(a))
        if (!(ADDRESS_FIELDS as ReadonlyArray<string>).includes(key))
          issues.push({ field: `address.${key}`, message: "unknown field" })
      const part = (key: (typeof ADDRESS_FIELDS)[number]) =>
        a[key] === undefined ? null : optionalText(a[key], `address.${key}`, 100, issues)
      const country = part("country")
      if (country !== null && !COUNTRY.test(country))
        issues.push({ field: "address.country", message: "must be an ISO 3166-1 alpha-2 code (US)" })
      fields.address = {
        street: part("street"),
        city: part("city"),
        region: part("region"),
        postcode: part("postcode"),
        country,
      }
    }
  }
  if ("labels" in input) {
    const labels = input.labels
    if (
      !Array.isArray(labels) ||
      labels.length > 50 ||
      labels.some((l) => typeof l !== "string" || l.length === 0 || l.length > 100)
    ) {
      issues.push({ field: "labels", message: "must be at most 50 labels of 1 to 100 characters" })
    } else fields.labels = [...new Set(labels as Array<string>)]
  }
  return { fields, issues }
}

const seeded = (seed: number, index: number): Contact => {
  const person = seedPerson(seed, index)
  return {
    id: `c${person.number}`,
    firstName: person.firstName,
    lastName: person.lastName,
    email: person.email,
    phone: person.phone,
    company: null,
    address: {
      street: person.streetAddress,
      city: person.city,
      region: person.state,
      postcode: person.postalCode,
      country: "US",
    },
    labels: [...person.tags],
    createdAt: isoString(person.createdAt),
    updatedAt: isoString(person.updatedAt),
  }
}

/** The contacts of one TestCRM account and the routes that serve them. */
export const contactStore = (seed: number, count: number, clock: SandboxClock) => {
  const contacts: Array<Contact> = Array.from({ length: count }, (_, i) => seeded(seed, i))
  const byEmail = new Map<string, string>()
  for (const c of contacts) if (c.email !== null) byEmail.set(c.email.toLowerCase(), c.id)
  const positionOf = (id: string) => {
    const n = /^c([1-9]\d*)$/.exec(id)?.[1]
    return n === undefined || Number(n) > contacts.length ? undefined : Number(n) - 1
  }
  const find = (id: string) => {
    const position = positionOf(id)
    return position === undefined ? undefined : contacts[position]
  }
  /** A 409 when another contact holds the email. */
  const emailTaken = (email: string | null | undefined, self?: string) => {
    if (email === null || email === undefined) return undefined
    const holder = byEmail.get(email.toLowerCase())
    return holder === undefined || holder === self
      ? undefined
      : error(409, "another contact has this email", [{ field: "email", message: `already used by ${holder}` }])
  }

  const list: Handler = (ctx) => {
    const limit = limitOf(ctx)
    if (typeof limit !== "number") return limit
    const start = cursorOf(ctx)
    if (typeof start !== "number") return start
    const sinceText = ctx.query.get("updated_since")
    const since = sinceText === null ? undefined : Date.parse(sinceText)
    if (since !== undefined && !Number.isFinite(since)) {
      return error(400, "updated_since must be an ISO 8601 time", [
        { field: "updated_since", message: `got ${sinceText}` },
      ])
    }
    const email = ctx.query.get("email")?.toLowerCase()
    const phone = ctx.query.get("phone")
    const matches = (c: Contact) =>
      (since === undefined || Date.parse(c.updatedAt) >= since) &&
      (email === undefined || c.email?.toLowerCase() === email) &&
      (phone === null || c.phone === phone)
    const page: Array<Contact> = []
    let position = start
    for (; position < contacts.length && page.length < limit; position++) {
      const contact = contacts[position] as Contact
      if (matches(contact)) page.push(contact)
    }
    return json(200, { data: page, next_cursor: position < contacts.length ? cursorFor(position) : null })
  }
  const get: Handler = (_ctx, params) => {
    const contact = find(params.id as string)
    return contact === undefined ? error(404, `no contact ${params.id}`) : json(200, contact)
  }
  const create: Handler = (ctx) => {
    const { fields, issues } = writable(ctx.body ?? {})
    if (issues.length > 0) return error(422, "the contact is not valid", issues)
    if (!fields.firstName && !fields.lastName && !fields.email && !fields.phone) {
      return error(422, "the contact is not valid", [
        { field: "body", message: "a contact needs a name, an email or a phone" },
      ])
    }
    const taken = emailTaken(fields.email)
    if (taken !== undefined) return taken
    const now = isoString(clock.now())
    const contact: Contact = {
      id: `c${contacts.length + 1}`,
      firstName: fields.firstName ?? null,
      lastName: fields.lastName ?? null,
      email: fields.email ?? null,
      phone: fields.phone ?? null,
      company: fields.company ?? null,
      address: fields.address ?? null,
      labels: fields.labels ?? [],
      createdAt: now,
      updatedAt: now,
    }
    contacts.push(contact)
    if (contact.email !== null) byEmail.set(contact.email.toLowerCase(), contact.id)
    return json(201, contact)
  }
  /** Sets the fields given, leaves the others. */
  const patch: Handler = (ctx, params) => {
    const position = positionOf(params.id as string)
    const current = position === undefined ? undefined : contacts[position]
    if (position === undefined || current === undefined) return error(404, `no contact ${params.id}`)
    const { fields, issues } = writable(ctx.body ?? {})
    if (issues.length > 0) return error(422, "the contact is not valid", issues)
    const taken = emailTaken(fields.email, current.id)
    if (taken !== undefined) return taken
    const updated: Contact = { ...current, ...fields, updatedAt: isoString(clock.now()) }
    contacts[position] = updated
    if (current.email !== null) byEmail.delete(current.email.toLowerCase())
    if (updated.email !== null) byEmail.set(updated.email.toLowerCase(), updated.id)
    return json(200, updated)
  }
  return { exists: (id: string) => find(id) !== undefined, list, get, create, patch }
}

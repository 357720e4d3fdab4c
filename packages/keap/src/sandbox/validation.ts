import type { SandboxResponse } from "@crmkit/sandbox/http"
import type { KeapContactFields } from "./contactStore.ts"
import { invalidArgument } from "./errors.ts"

/** Properties of `CreateUpdateContactRequest` in the v2 spec. */
const WRITABLE_FIELDS: ReadonlySet<string> = new Set([
  "addresses",
  "company",
  "origin",
  "prefix",
  "suffix",
  "website",
  "anniversary_date",
  "birth_date",
  "contact_type",
  "custom_fields",
  "email_addresses",
  "family_name",
  "fax_numbers",
  "given_name",
  "job_title",
  "leadsource_id",
  "middle_name",
  "owner_id",
  "phone_numbers",
  "preferred_locale",
  "preferred_name",
  "referral_code",
  "social_accounts",
  "source_type",
  "spouse_name",
  "time_zone",
  "utm_parameters",
  "assistant_name",
  "assistant_phone",
  "billing_information",
])

/** Output-only properties a client may echo back from a GET; accepted and ignored. */
const READ_ONLY_FIELDS: ReadonlySet<string> = new Set([
  "id",
  "create_time",
  "update_time",
  "tag_ids",
  "links",
  "score_value",
  "groups",
  "created_by",
  "last_updated_by",
  "account_id",
])

/** Values allowed in `update_mask` (the v2 spec's enum). */
export const UPDATE_MASK_FIELDS: ReadonlySet<string> = new Set([...WRITABLE_FIELDS, ...READ_ONLY_FIELDS])

const EMAIL_FIELDS = new Set(["EMAIL1", "EMAIL2", "EMAIL3"])
const PHONE_FIELDS = new Set(["PHONE1", "PHONE2", "PHONE3", "PHONE4", "PHONE5"])
const ADDRESS_FIELDS = new Set(["BILLING", "SHIPPING", "OTHER"])
const NAME_LIMITS: Readonly<Record<string, number>> = { given_name: 40, family_name: 40, middle_name: 100 }
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export type ValidationResult =
  | { readonly ok: true; readonly fields: KeapContactFields }
  | { readonly ok: false; readonly response: SandboxResponse }

const fail = (message: string, resource: string): ValidationResult => ({
  ok: false,
  response: invalidArgument(message, resource),
})

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

/**
 * Validates a create/update body and returns the writable fields. Unknown properties are refused
 * (a typo should fail loudly rather than be silently dropped).
 */
export function validateContactBody(
  body: unknown,
  options: { requireIdentity: boolean; isCustomField: (id: string) => boolean },
): ValidationResult {
  if (!isObject(body)) return fail("Request body must be a JSON object", "body")
  const fields: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(body)) {
    if (READ_ONLY_FIELDS.has(name)) continue
    if (!WRITABLE_FIELDS.has(name)) return fail(`Unknown field '${name}'`, name)
    fields[name] = value
  }

  for (const [name, limit] of Object.entries(NAME_LIMITS)) {
    const value = fields[name]
    if (value === undefined) continue
    if (typeof value !== "string") return fail(`${name} must be a string`, name)
    if (value.length > limit) return fail(`${name} must be at most ${limit} characters`, name)
  }

  const emails = fields.email_addresses
  if (emails !== undefined) {
    if (!Array.isArray(emails) || emails.length > 3)
      return fail("email_addresses must be an array of at most 3 items", "email_addresses")
    const slots = new Set<string>()
    for (const entry of emails) {
      if (!isObject(entry) || typeof entry.email !== "string")
        return fail("Each email address needs an 'email' string", "email_addresses")
      if (!EMAIL_PATTERN.test(entry.email)) return fail(`Invalid email address: '${entry.email}'`, "email_addresses")
      const field = entry.field ?? "EMAIL1"
      if (typeof field !== "string" || !EMAIL_FIELDS.has(field))
        return fail(`Invalid email field '${String(field)}'`, "email_addresses")
      if (entry.email.length > (field === "EMAIL1" ? 75 : 100))
        return fail("Email address is too long", "email_addresses")
      if (slots.has(field)) return fail(`Duplicate email field '${field}'`, "email_addresses")
      slots.add(field)
    }
    fields.email_addresses = emails.map((entry: Record<string, unknown>) => ({
      ...entry,
      field: entry.field ?? "EMAIL1",
    }))
  }

  const phones = fields.phone_numbers
  if (phones !== undefined) {
    if (!Array.isArray(phones) || phones.length > 5)
      return fail("phone_numbers must be an array of at most 5 items", "phone_numbers")
    const slots = new Set<string>()
    for (const entry of phones) {
      if (!isObject(entry) || typeof entry.number !== "string" || entry.number.length > 40) {
        return fail("Each phone number needs a 'number' string of at most 40 characters", "phone_numbers")
      }
      const field = entry.field ?? "PHONE1"
      if (typeof field !== "string" || !PHONE_FIELDS.has(field))
        return fail(`Invalid phone field '${String(field)}'`, "phone_numbers")
      if (slots.has(field)) return fail(`Duplicate phone field '${field}'`, "phone_numbers")
      slots.add(field)
    }
    fields.phone_numbers = phones.map((entry: Record<string, unknown>) => ({
      ...entry,
      field: entry.field ?? "PHONE1",
    }))
  }

  const addresses = fields.addresses
  if (addresses !== undefined) {
    if (!Array.isArray(addresses)) return fail("addresses must be an array", "addresses")
    for (const entry of addresses) {
      if (!isObject(entry) || typeof entry.field !== "string" || !ADDRESS_FIELDS.has(entry.field)) {
        return fail("Each address needs a field of BILLING, SHIPPING or OTHER", "addresses")
      }
    }
  }

  const customFields = fields.custom_fields
  if (customFields !== undefined) {
    if (!Array.isArray(customFields)) return fail("custom_fields must be an array", "custom_fields")
    const normalized = []
    for (const entry of customFields) {
      if (!isObject(entry) || (typeof entry.id !== "string" && typeof entry.id !== "number")) {
        return fail("Each custom field needs an 'id'", "custom_fields")
      }
      if (!options.isCustomField(String(entry.id)))
        return fail(`Unknown custom field id '${entry.id}'`, "custom_fields")
      normalized.push({ id: String(entry.id), content: entry.content ?? null })
    }
    fields.custom_fields = normalized
  }

  if (options.requireIdentity) {
    const hasIdentity =
      (typeof fields.given_name === "string" && fields.given_name.length > 0) ||
      (typeof fields.family_name === "string" && fields.family_name.length > 0) ||
      (Array.isArray(fields.email_addresses) && fields.email_addresses.length > 0) ||
      (Array.isArray(fields.phone_numbers) && fields.phone_numbers.length > 0)
    if (!hasIdentity) {
      return fail(
        "A contact needs at least one of given_name, family_name, email_addresses or phone_numbers",
        "email_addresses",
      )
    }
  }
  return { ok: true, fields }
}

/** Parses `update_mask` (comma-separated and/or repeated). `undefined` when absent. */
export function parseUpdateMask(
  query: URLSearchParams,
): { ok: true; mask: string[] | undefined } | { ok: false; response: SandboxResponse } {
  const raw = query.getAll("update_mask")
  if (raw.length === 0) return { ok: true, mask: undefined }
  const mask = raw
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value.length > 0)
  for (const field of mask) {
    if (!UPDATE_MASK_FIELDS.has(field))
      return { ok: false, response: invalidArgument(`Invalid update_mask field '${field}'`, "update_mask") }
  }
  return { ok: true, mask: mask.filter((field) => WRITABLE_FIELDS.has(field)) }
}

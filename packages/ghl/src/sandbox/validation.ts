/**
 * Contact body validation in GHL's style (NestJS class-validator with a whitelist): every problem
 * becomes one message in a 422 `message: string[]`, and unknown properties are refused with
 * "property X should not exist".
 */

const STRING_FIELDS = [
  "firstName",
  "lastName",
  "name",
  "email",
  "phone",
  "address1",
  "city",
  "state",
  "postalCode",
  "website",
  "timezone",
  "source",
  "country",
  "companyName",
  "assignedTo",
  "gender",
  "dateOfBirth",
] as const

const UPDATE_FIELDS: ReadonlySet<string> = new Set([
  ...STRING_FIELDS,
  "dnd",
  "dndSettings",
  "inboundDndSettings",
  "tags",
  "customFields",
])
const CREATE_FIELDS: ReadonlySet<string> = new Set([...UPDATE_FIELDS, "locationId"])
const UPSERT_FIELDS: ReadonlySet<string> = new Set([...CREATE_FIELDS, "createNewIfDuplicateAllowed"])

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export type ContactBodyKind = "create" | "update" | "upsert"

export type ContactBodyResult =
  | { readonly ok: true; readonly fields: Record<string, unknown>; readonly locationId?: string }
  | { readonly ok: false; readonly messages: string[] }

export function validateContactBody(body: unknown, kind: ContactBodyKind): ContactBodyResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, messages: ["body must be a JSON object"] }
  }
  const input = body as Record<string, unknown>
  const allowed = kind === "update" ? UPDATE_FIELDS : kind === "create" ? CREATE_FIELDS : UPSERT_FIELDS
  const messages: string[] = []
  for (const name of Object.keys(input)) if (!allowed.has(name)) messages.push(`property ${name} should not exist`)

  for (const name of STRING_FIELDS) {
    const value = input[name]
    if (value !== undefined && value !== null && typeof value !== "string") messages.push(`${name} must be a string`)
  }
  if (typeof input.email === "string" && input.email !== "" && !EMAIL_PATTERN.test(input.email)) {
    messages.push("email must be an email")
  }
  if (input.dnd !== undefined && typeof input.dnd !== "boolean") messages.push("dnd must be a boolean value")
  if (input.tags !== undefined && (!Array.isArray(input.tags) || input.tags.some((tag) => typeof tag !== "string"))) {
    messages.push("each value in tags must be a string")
  }

  let customFields: { id: string; value: unknown }[] | undefined
  if (input.customFields !== undefined) {
    if (!Array.isArray(input.customFields)) {
      messages.push("customFields must be an array")
    } else {
      customFields = []
      for (const entry of input.customFields as unknown[]) {
        const field = entry as Record<string, unknown> | null
        const id = field?.id ?? field?.key
        if (typeof field !== "object" || field === null || typeof id !== "string") {
          messages.push("each value in customFields must have an id")
          continue
        }
        // GHL accepts both `value` and `field_value` on input; it always answers with `value`.
        customFields.push({ id, value: field.value ?? field.field_value ?? null })
      }
    }
  }

  let locationId: string | undefined
  if (kind !== "update") {
    if (typeof input.locationId !== "string" || input.locationId === "") {
      messages.push("locationId should not be empty", "locationId must be a string")
    } else {
      locationId = input.locationId
    }
  }
  if (messages.length > 0) return { ok: false, messages }

  const fields: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(input)) {
    if (name !== "locationId" && name !== "createNewIfDuplicateAllowed") fields[name] = value
  }
  if (customFields !== undefined) fields.customFields = customFields
  return locationId === undefined ? { ok: true, fields } : { ok: true, fields, locationId }
}

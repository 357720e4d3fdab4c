/** Input fields several Keap actions share, with their live dropdowns. */
import { Contacts } from "@crmkit/keap"
import { Effect } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import { run } from "./connection.ts"

export const contactId = {
  key: "contact_id",
  label: "Contact",
  required: true,
  dynamic: "new_contact.id.email",
  search: "find_contact.id",
  helpText: "The contact's id; use a Find Contact step to look it up by email.",
}

export const tagId = { key: "tag_id", label: "Tag", required: true, dynamic: "tag_list.id.name", search: "find_tag.id" }
export const stageId = { key: "stage_id", label: "Stage", required: true, dynamic: "stage_list.id.name" }
export const userId = (required: boolean) => ({ key: "user_id", label: "User", required, dynamic: "user_list.id.name" })

export const contactFields = [
  { key: "email", label: "Email", type: "string" },
  { key: "given_name", label: "First Name" },
  { key: "family_name", label: "Last Name" },
  { key: "phone", label: "Phone" },
]

const CUSTOM_PREFIX = "custom_field__"

/** The account's contact custom fields, as dynamic input fields. */
export const customFields = async (z: ZObject, bundle: Bundle) =>
  run(
    z,
    bundle,
    Effect.map(Contacts.model(), (model) =>
      (model.custom_fields ?? []).map((field) => ({
        key: `${CUSTOM_PREFIX}${field.id}`,
        label: field.label ?? `Custom Field ${field.id}`,
        required: false,
      })),
    ),
  )

/** Custom field values from the dynamic fields, by field id. */
export const customFieldValues = (bundle: Bundle) =>
  Object.entries(bundle.inputData)
    .filter(([key, value]) => key.startsWith(CUSTOM_PREFIX) && value !== undefined && value !== "")
    .map(([key, value]) => ({ id: key.slice(CUSTOM_PREFIX.length), value }))

/** A Keap contact body from the contact fields (only those given); the shaping is the provider's. */
export const contactBody = (bundle: Bundle) => {
  const get = (key: string) => {
    const value = bundle.inputData[key]
    return value === undefined || value === null || String(value).trim() === "" ? undefined : String(value).trim()
  }
  return Contacts.withShorthands(
    { email: get("email"), phone: get("phone"), customFields: customFieldValues(bundle) },
    {
      ...(get("given_name") === undefined ? {} : { given_name: get("given_name") }),
      ...(get("family_name") === undefined ? {} : { family_name: get("family_name") }),
    } as Contacts.ContactInput,
  )
}

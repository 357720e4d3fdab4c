/** Input fields several HighLevel actions share, with their live dropdowns. */
import { Locations } from "@crmkit/ghl"
import { Effect } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import { run } from "./connection.ts"

export const contactId = {
  key: "contact_id",
  label: "Contact",
  required: true,
  dynamic: "new_contact.id.email",
  search: "find_contact.id",
  helpText: "Use a Find Contact step to look the contact up by email or phone.",
}

export const userId = { key: "assigned_to", label: "Assigned User", required: false, dynamic: "user_list.id.name" }
export const pipelineId = {
  key: "pipeline_id",
  label: "Pipeline",
  required: true,
  dynamic: "pipeline_list.id.name",
  altersDynamicFields: true,
}
export const stageId = {
  key: "stage_id",
  label: "Stage",
  required: true,
  dynamic: "stage_list.id.name",
  helpText: "Stages of the chosen pipeline.",
}

export const contactFields = [
  { key: "email", label: "Email" },
  { key: "phone", label: "Phone" },
  { key: "firstName", label: "First Name" },
  { key: "lastName", label: "Last Name" },
  { key: "companyName", label: "Company Name" },
  { key: "source", label: "Source" },
  { key: "tags", label: "Tags", list: true, helpText: "Tags to add to the contact." },
]

const CUSTOM_PREFIX = "custom_field__"

/** The location's contact custom fields, as dynamic input fields. */
export const customFields = async (z: ZObject, bundle: Bundle) =>
  run(
    z,
    bundle,
    Effect.map(Locations.customFields(), (answer) =>
      ((answer as { customFields?: ReadonlyArray<{ id?: string; name?: string; model?: string }> }).customFields ?? [])
        .filter((field) => field.model === undefined || field.model === "contact")
        .map((field) => ({
          key: `${CUSTOM_PREFIX}${field.id}`,
          label: field.name ?? `Custom Field ${field.id}`,
          required: false,
        })),
    ),
  )

/** A GHL contact body from the contact fields (only those given), with custom field values. */
export const contactBody = (bundle: Bundle) => {
  const body: Record<string, unknown> = {}
  for (const field of contactFields) {
    const value = bundle.inputData[field.key]
    if (field.key === "tags") {
      const tags = (Array.isArray(value) ? value : value === undefined ? [] : String(value).split(","))
        .map((t) => String(t).trim())
        .filter((t) => t !== "")
      if (tags.length > 0) body.tags = tags
    } else if (value !== undefined && value !== null && String(value).trim() !== "") {
      body[field.key] = String(value).trim()
    }
  }
  const custom = Object.entries(bundle.inputData)
    .filter(([key, value]) => key.startsWith(CUSTOM_PREFIX) && value !== undefined && value !== "")
    .map(([key, value]) => ({ id: key.slice(CUSTOM_PREFIX.length), field_value: value }))
  if (custom.length > 0) body.customFields = custom
  return body
}

/**
 * Keap records as Zapier shows them: the API's own fields, plus the primary email and phone
 * at the top level so that a Zap can map them without digging into arrays.
 */
import type { Contacts } from "@crmkit/keap"

export type Row = Record<string, unknown> & { readonly id: string }

export const contactRow = (contact: Contacts.Contact): Row => {
  const c = contact as Contacts.Contact & Record<string, unknown>
  return {
    ...c,
    id: String(c.id),
    email: c.email_addresses?.[0]?.email ?? null,
    phone: c.phone_numbers?.[0]?.number ?? null,
  }
}

export const row = (record: { readonly id?: string | number | null | undefined }): Row => ({
  ...(record as Record<string, unknown>),
  id: String(record.id),
})

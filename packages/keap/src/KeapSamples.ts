/**
 * One realistic Keap record per resource, and the results of the actions that answer
 * something else, as `hints.sample` of the actions: what hosts show before a first run
 * (Zapier requires one, with the primary key and ISO-8601 dates).
 */
const at = { create_time: "2026-01-05T14:30:00.000Z", update_time: "2026-01-06T09:00:00.000Z" }
const ann = {
  id: "1234",
  given_name: "Ann",
  family_name: "Lee",
  email_addresses: [{ email: "ann.lee@example.com", field: "EMAIL1" }],
}

export const resources = {
  contacts: {
    ...ann,
    phone_numbers: [{ number: "555-0100", field: "PHONE1", type: "Mobile" }],
    tag_ids: ["100"],
    ...at,
  },
  tags: {
    id: "100",
    name: "Customer",
    description: "Bought at least once",
    category: { id: "10", name: "Lifecycle" },
    ...at,
  },
  opportunities: {
    id: "55",
    opportunity_title: "Annual plan",
    contact: ann,
    stage: { id: "2", name: "Qualified" },
    ...at,
  },
  orders: {
    id: "700",
    title: "Order #700",
    status: "UNPAID",
    contact: ann,
    total: { amount: 49, currency_code: "USD" },
    ...at,
  },
  tasks: {
    id: "88",
    title: "Call Ann",
    contact_id: "1234",
    assigned_to_user_id: "1",
    completed: false,
    due_time: at.update_time,
    ...at,
  },
  notes: {
    id: "300",
    title: "Discovery call",
    text: "Interested in the annual plan.",
    contact_id: "1234",
    ...at,
  },
} as const

export const actions = {
  "tags.apply": { id: "100", results: { 1234: "SUCCESS" } },
  "tags.remove": { id: "100", results: { 1234: "SUCCESS" } },
  "campaigns.add-to-sequence": { id: "1", sent: true },
  "emails.send": { id: "1234", sent: true, contacts: ["1234"] },
} as const

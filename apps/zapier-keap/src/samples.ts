/** One realistic record per noun, with the primary key and ISO-8601 dates (Zapier's checks D010, D023). */
const at = { create_time: "2026-01-05T14:30:00.000Z", update_time: "2026-01-06T09:00:00.000Z" }
const ann = {
  id: "1234",
  given_name: "Ann",
  family_name: "Lee",
  email_addresses: [{ email: "ann.lee@example.com", field: "EMAIL1" }],
}

export const contact = {
  ...ann,
  phone_numbers: [{ number: "555-0100", field: "PHONE1", type: "Mobile" }],
  tag_ids: ["100"],
  ...at,
}
export const tag = {
  id: "100",
  name: "Customer",
  description: "Bought at least once",
  category: { id: "10", name: "Lifecycle" },
  ...at,
}
export const opportunity = {
  id: "55",
  opportunity_title: "Annual plan",
  contact: ann,
  stage: { id: "2", name: "Qualified" },
  ...at,
}
export const order = {
  id: "700",
  title: "Order #700",
  status: "UNPAID",
  contact: ann,
  total: { amount: 49, currency_code: "USD" },
  ...at,
}
export const task = {
  id: "88",
  title: "Call Ann",
  contact_id: "1234",
  assigned_to_user_id: "1",
  completed: false,
  due_time: at.update_time,
  ...at,
}
export const note = {
  id: "300",
  title: "Discovery call",
  text: "Interested in the annual plan.",
  contact_id: "1234",
  ...at,
}
export const email = { id: "1234", sent: true, contacts: ["1234"] }
export const apiResponse = { id: "getContact", status: 200, body: { id: "1234", given_name: "Ann" } }

export const of = (noun: string) =>
  ({ Contact: contact, Tag: tag, Opportunity: opportunity, Order: order, Task: task })[noun] ?? note

/** One realistic record per noun, with the primary key and ISO-8601 dates (Zapier's checks D010, D023). */
export const contact = {
  id: "1234",
  given_name: "Ann",
  family_name: "Lee",
  email: "ann.lee@example.com",
  phone: "555-0100",
  email_addresses: [{ email: "ann.lee@example.com", field: "EMAIL1" }],
  phone_numbers: [{ number: "555-0100", field: "PHONE1", type: "Mobile" }],
  tag_ids: ["100"],
  create_time: "2026-01-05T14:30:00.000Z",
  update_time: "2026-01-06T09:00:00.000Z",
}

export const tag = {
  id: "100",
  name: "Customer",
  description: "Bought at least once",
  category: { id: "10", name: "Lifecycle" },
  create_time: "2025-11-01T10:00:00.000Z",
  update_time: "2025-11-01T10:00:00.000Z",
}

export const tagEvent = {
  id: "100-2026-01-05T14:30:00.000Z",
  tag_id: "100",
  tag_name: "Customer",
  contact_ids: ["1234"],
  timestamp: "2026-01-05T14:30:00.000Z",
}

export const opportunity = {
  id: "55",
  opportunity_title: "Annual plan",
  contact: { id: "1234", first_name: "Ann", last_name: "Lee", email: "ann.lee@example.com" },
  stage: { id: "2", name: "Qualified" },
  projected_revenue_high: 1200,
  create_time: "2026-01-05T14:30:00.000Z",
  update_time: "2026-01-06T09:00:00.000Z",
}

export const order = {
  id: "700",
  title: "Order #700",
  status: "UNPAID",
  contact: { id: "1234", given_name: "Ann", family_name: "Lee", email: "ann.lee@example.com" },
  total: { amount: 49, currency_code: "USD", formatted_amount: "$49.00" },
  create_time: "2026-01-05T14:30:00.000Z",
  order_time: "2026-01-05T14:30:00.000Z",
}

export const task = {
  id: "88",
  title: "Call Ann",
  description: "Follow up on the proposal",
  contact_id: "1234",
  assigned_to_user_id: "1",
  completed: false,
  due_time: "2026-01-08T15:00:00.000Z",
  create_time: "2026-01-05T14:30:00.000Z",
}

export const note = {
  id: "300",
  title: "Discovery call",
  text: "Interested in the annual plan.",
  contact_id: "1234",
  create_time: "2026-01-05T14:30:00.000Z",
  update_time: "2026-01-05T14:30:00.000Z",
}

export const sequenceEnrolment = {
  id: "1-2-1234",
  campaign_id: "1",
  sequence_id: "2",
  contact_id: "1234",
  result: "SUCCESS",
}

export const email = { id: "1234-2026-01-05T14:30:00.000Z", contact_ids: ["1234"], subject: "Welcome", sent: true }

export const apiResponse = { id: "getContact", status: 200, body: { id: "1234", given_name: "Ann" } }

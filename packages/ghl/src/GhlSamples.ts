/**
 * One realistic HighLevel record per resource, and the results of the actions that answer
 * something else, as `hints.sample` of the actions: what hosts show before a first run
 * (Zapier requires one, with the primary key and ISO-8601 dates).
 */
const contactId = "ocQHyuzHvysMo5N5VsXc"
const at = { dateAdded: "2026-01-05T14:30:00.000Z", dateUpdated: "2026-01-06T09:00:00.000Z" }

const appointment = { id: "ap1QbCRIhRguQtD2llvk", calendarId: "cal1", contactId, title: "Discovery call", ...at }
const message = {
  id: "ms1QbCRIhRguQtD2llvk",
  conversationId: "cv1QbCRIhRguQtD2llvk",
  messageId: "ms1QbCRIhRguQtD2llvk",
}

export const resources = {
  contacts: {
    id: contactId,
    firstName: "Ann",
    lastName: "Lee",
    email: "ann.lee@example.com",
    tags: ["customer"],
    ...at,
  },
  opportunities: {
    ...{ id: "yWQobCRIhRguQtD2llvk", name: "Annual plan", monetaryValue: 1200, status: "open", contactId },
    ...{ pipelineId: "VDm7RPYC2GLUvdpKmBfC", pipelineStageId: "e93ba92e", lastStageChangeAt: at.dateUpdated },
  },
  tasks: { id: "tk1QbCRIhRguQtD2llvk", title: "Call Ann", contactId, dueDate: at.dateUpdated, completed: false },
  notes: { id: "nt1QbCRIhRguQtD2llvk", body: "Interested in the annual plan.", contactId, ...at },
  tags: { id: "tg1QbCRIhRguQtD2llvk", name: "customer", locationId: "ve9EPM428h8vShlRW1KT" },
  appointments: appointment,
} as const

export const actions = {
  "contacts.add-tags": { id: contactId, tags: ["customer"] },
  "contacts.remove-tags": { id: contactId, tags: [] },
  "contacts.add-to-workflow": { id: "wf1", succeded: true },
  "calendars.list-events": appointment,
  "messages.send": message,
  "messages.send-sms": message,
  "messages.send-email": message,
} as const

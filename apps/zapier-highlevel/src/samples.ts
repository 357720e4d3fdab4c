/** One realistic record per noun, with the primary key and ISO-8601 dates (Zapier's checks D010, D023). */
const contactId = "ocQHyuzHvysMo5N5VsXc"
const at = { dateAdded: "2026-01-05T14:30:00.000Z", dateUpdated: "2026-01-06T09:00:00.000Z" }

export const contact = {
  id: contactId,
  firstName: "Ann",
  lastName: "Lee",
  email: "ann.lee@example.com",
  tags: ["customer"],
  ...at,
}
export const contactUpdate = { ...contact, id: `${contactId}-${at.dateUpdated}`, contactId }
export const opportunity = {
  ...{ id: "yWQobCRIhRguQtD2llvk", name: "Annual plan", monetaryValue: 1200, status: "open", contactId },
  ...{ pipelineId: "VDm7RPYC2GLUvdpKmBfC", pipelineStageId: "e93ba92e", lastStageChangeAt: at.dateUpdated },
}
export const stageChange = {
  ...opportunity,
  id: `${opportunity.id}-e93ba92e-${at.dateUpdated}`,
  opportunityId: opportunity.id,
}
export const task = {
  id: "tk1QbCRIhRguQtD2llvk",
  title: "Call Ann",
  contactId,
  dueDate: at.dateUpdated,
  completed: false,
}
export const note = { id: "nt1QbCRIhRguQtD2llvk", body: "Interested in the annual plan.", contactId, ...at }
export const tag = { id: "tg1QbCRIhRguQtD2llvk", name: "customer", locationId: "ve9EPM428h8vShlRW1KT" }
export const appointment = { id: "ap1QbCRIhRguQtD2llvk", calendarId: "cal1", contactId, title: "Discovery call", ...at }
export const message = {
  id: "ms1QbCRIhRguQtD2llvk",
  conversationId: "cv1QbCRIhRguQtD2llvk",
  messageId: "ms1QbCRIhRguQtD2llvk",
}
export const workflowEnrolment = { id: "wf1", succeded: true }
export const tagChange = { id: contactId, tags: ["customer"] }
export const apiResponse = { id: "get-contact", status: 200, body: { contact: { id: contactId } } }

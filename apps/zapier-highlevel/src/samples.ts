/** One realistic record per noun, with the primary key and ISO-8601 dates (Zapier's checks D010, D023). */
export const contact = {
  id: "ocQHyuzHvysMo5N5VsXc",
  locationId: "ve9EPM428h8vShlRW1KT",
  firstName: "Ann",
  lastName: "Lee",
  name: "Ann Lee",
  email: "ann.lee@example.com",
  phone: "+15550100",
  tags: ["customer"],
  source: "zapier",
  dateAdded: "2026-01-05T14:30:00.000Z",
  dateUpdated: "2026-01-06T09:00:00.000Z",
}

export const contactUpdate = { ...contact, id: "ocQHyuzHvysMo5N5VsXc-2026-01-06T09:00:00.000Z", contactId: contact.id }

export const opportunity = {
  id: "yWQobCRIhRguQtD2llvk",
  name: "Annual plan",
  monetaryValue: 1200,
  pipelineId: "VDm7RPYC2GLUvdpKmBfC",
  pipelineStageId: "e93ba92e-4ba9-4d3f-8ed4-0d3a2d6e7f2e",
  status: "open",
  contactId: "ocQHyuzHvysMo5N5VsXc",
  createdAt: "2026-01-05T14:30:00.000Z",
  updatedAt: "2026-01-06T09:00:00.000Z",
  lastStageChangeAt: "2026-01-06T09:00:00.000Z",
}

export const stageChange = {
  ...opportunity,
  id: "yWQobCRIhRguQtD2llvk-e93ba92e-4ba9-4d3f-8ed4-0d3a2d6e7f2e-2026-01-06T09:00:00.000Z",
  opportunityId: opportunity.id,
}

export const task = {
  id: "tk1QbCRIhRguQtD2llvk",
  title: "Call Ann",
  body: "Follow up on the proposal",
  contactId: "ocQHyuzHvysMo5N5VsXc",
  dueDate: "2026-01-08T15:00:00.000Z",
  completed: false,
}

export const note = {
  id: "nt1QbCRIhRguQtD2llvk",
  body: "Interested in the annual plan.",
  contactId: "ocQHyuzHvysMo5N5VsXc",
  dateAdded: "2026-01-05T14:30:00.000Z",
}

export const tag = { id: "tg1QbCRIhRguQtD2llvk", name: "customer", locationId: "ve9EPM428h8vShlRW1KT" }

export const appointment = {
  id: "ap1QbCRIhRguQtD2llvk",
  calendarId: "cal1QbCRIhRguQtD2llv",
  contactId: "ocQHyuzHvysMo5N5VsXc",
  title: "Discovery call",
  startTime: "2026-01-08T15:00:00.000Z",
  endTime: "2026-01-08T16:00:00.000Z",
  appointmentStatus: "confirmed",
}

export const message = {
  id: "ms1QbCRIhRguQtD2llvk",
  conversationId: "cv1QbCRIhRguQtD2llvk",
  contactId: "ocQHyuzHvysMo5N5VsXc",
  type: "SMS",
}

export const workflowEnrolment = {
  id: "wf1-ocQHyuzHvysMo5N5VsXc",
  workflow_id: "wf1",
  contact_id: "ocQHyuzHvysMo5N5VsXc",
  succeded: true,
}

export const tagChange = { id: "ocQHyuzHvysMo5N5VsXc", contact_id: "ocQHyuzHvysMo5N5VsXc", tags: ["customer"] }

export const apiResponse = { id: "get-contact", status: 200, body: { contact: { id: "ocQHyuzHvysMo5N5VsXc" } } }

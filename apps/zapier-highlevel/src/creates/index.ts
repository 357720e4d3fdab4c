/** HighLevel actions. Each is a thin call to a provider service; inputs are checked before sending. */
import { Calendars, Contacts, Conversations, catalog, GhlOperations, Opportunities } from "@crmkit/ghl"
import { ApiRequest, Definitions } from "@crmkit/zapier-shared"
import { Effect } from "effect"
import { run } from "../connection.ts"
import * as Fields from "../fields.ts"
import { row } from "../records.ts"
import * as Samples from "../samples.ts"

const { required, text, invalid } = Definitions

export const createContact = Definitions.create({
  key: "create_contact",
  noun: "Contact",
  label: "Create or Update Contact",
  description: "Creates a new contact, or updates the contact with the same email or phone.",
  inputFields: [...Fields.contactFields, Fields.customFields],
  sample: Samples.contact,
  perform: (z, bundle) => {
    const body = Fields.contactBody(bundle)
    if (body.email === undefined && body.phone === undefined) {
      return invalid(z, "Give an Email or a Phone: HighLevel matches contacts on them.")
    }
    return run(
      z,
      bundle,
      Effect.map(Contacts.upsert(body as never), (answer) => ({
        ...row(answer.contact ?? {}),
        new: answer.new ?? false,
      })),
    )
  },
})

export const updateContact = Definitions.create({
  key: "update_contact",
  noun: "Contact",
  label: "Update Contact",
  description: "Updates an existing contact's details.",
  inputFields: [Fields.contactId, ...Fields.contactFields, Fields.customFields],
  sample: Samples.contact,
  perform: (z, bundle) => {
    const id = required(z, bundle, "contact_id", "Contact")
    const body = Fields.contactBody(bundle)
    if (Object.keys(body).length === 0) return invalid(z, "Give at least one field to update.")
    return run(
      z,
      bundle,
      Effect.map(Contacts.update(id, body as never), (answer) => row(answer.contact ?? { id })),
    )
  },
})

const tagAction = (mode: "apply" | "remove") =>
  Definitions.create({
    key: `${mode}_tag`,
    noun: "Tag",
    label: mode === "apply" ? "Apply Tag to Contact" : "Remove Tag From Contact",
    description: mode === "apply" ? "Applies tags to a contact." : "Removes tags from a contact.",
    inputFields: [
      Fields.contactId,
      { key: "tags", label: "Tags", required: true, list: true, dynamic: "tag_list.id.name" },
    ],
    sample: Samples.tagChange,
    perform: (z, bundle) => {
      const contactId = required(z, bundle, "contact_id", "Contact")
      const tags = Definitions.list(bundle, "tags")
      if (tags.length === 0) return invalid(z, "Tags is required.")
      const effect = mode === "apply" ? Contacts.addTags(contactId, tags) : Contacts.removeTags(contactId, tags)
      return run(
        z,
        bundle,
        Effect.map(effect, (answer) => ({
          id: contactId,
          contact_id: contactId,
          tags: (answer as { tags?: unknown }).tags ?? tags,
        })),
      )
    },
  })

export const applyTag = tagAction("apply")
export const removeTag = tagAction("remove")

export const createTask = Definitions.create({
  key: "create_task",
  noun: "Task",
  label: "Create Task",
  description: "Creates a task on a contact.",
  inputFields: [
    Fields.contactId,
    { key: "title", label: "Title", required: true },
    { key: "body", label: "Description", type: "text" },
    { key: "dueDate", label: "Due Date", type: "datetime", required: true },
    Fields.userId,
  ],
  sample: Samples.task,
  perform: (z, bundle) => {
    const contactId = required(z, bundle, "contact_id", "Contact")
    const task = {
      title: required(z, bundle, "title", "Title"),
      dueDate: Definitions.isoDate(z, bundle, "dueDate", "Due Date") ?? required(z, bundle, "dueDate", "Due Date"),
      completed: false,
      ...(text(bundle, "body") === undefined ? {} : { body: text(bundle, "body") }),
      ...(text(bundle, "assigned_to") === undefined ? {} : { assignedTo: text(bundle, "assigned_to") }),
    }
    return run(
      z,
      bundle,
      Effect.map(Contacts.createTask(contactId, task as never), (answer) => row({ contactId, ...(answer.task ?? {}) })),
    )
  },
})

export const completeTask = Definitions.create({
  key: "complete_task",
  noun: "Task",
  label: "Complete Task",
  description: "Marks a contact's task as completed.",
  inputFields: [Fields.contactId, { key: "task_id", label: "Task", required: true, dynamic: "new_task.id.title" }],
  sample: { ...Samples.task, completed: true },
  perform: (z, bundle) => {
    const contactId = required(z, bundle, "contact_id", "Contact")
    const taskId = required(z, bundle, "task_id", "Task")
    return run(
      z,
      bundle,
      Effect.map(Contacts.completeTask(contactId, taskId), (answer) =>
        row({ contactId, id: taskId, ...(answer.task ?? {}) }),
      ),
    )
  },
})

export const createNote = Definitions.create({
  key: "create_note",
  noun: "Note",
  label: "Create Note",
  description: "Creates a note on a contact.",
  inputFields: [Fields.contactId, { key: "body", label: "Note", type: "text", required: true }],
  sample: Samples.note,
  perform: (z, bundle) => {
    const contactId = required(z, bundle, "contact_id", "Contact")
    const body = required(z, bundle, "body", "Note")
    return run(
      z,
      bundle,
      Effect.map(Contacts.createNote(contactId, { body } as never), (answer) =>
        row({ contactId, ...(answer.note ?? {}) }),
      ),
    )
  },
})

const opportunityFields = [
  { key: "name", label: "Name", required: true },
  Fields.pipelineId,
  Fields.stageId,
  { key: "status", label: "Status", choices: ["open", "won", "lost", "abandoned"], default: "open" },
  { key: "monetaryValue", label: "Value", type: "number" },
  Fields.userId,
]

const number = (z: Parameters<typeof required>[0], value: string | undefined, label: string) => {
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (!Number.isFinite(parsed)) return invalid(z, `${label} is not a number: '${value}'.`)
  return parsed
}

export const createOpportunity = Definitions.create({
  key: "create_opportunity",
  noun: "Opportunity",
  label: "Create Opportunity",
  description: "Creates an opportunity for a contact in a pipeline stage.",
  inputFields: [Fields.contactId, ...opportunityFields],
  sample: Samples.opportunity,
  perform: (z, bundle) => {
    const value = number(z, text(bundle, "monetaryValue"), "Value")
    const body = {
      name: required(z, bundle, "name", "Name"),
      contactId: required(z, bundle, "contact_id", "Contact"),
      pipelineId: required(z, bundle, "pipeline_id", "Pipeline"),
      pipelineStageId: required(z, bundle, "stage_id", "Stage"),
      status: text(bundle, "status") ?? "open",
      ...(value === undefined ? {} : { monetaryValue: value }),
      ...(text(bundle, "assigned_to") === undefined ? {} : { assignedTo: text(bundle, "assigned_to") }),
    }
    return run(
      z,
      bundle,
      Effect.map(Opportunities.create(body as never), (answer) => row(answer.opportunity ?? {})),
    )
  },
})

export const updateOpportunity = Definitions.create({
  key: "update_opportunity",
  noun: "Opportunity",
  label: "Update Opportunity",
  description: "Updates an opportunity's name, stage, status or value.",
  inputFields: [
    {
      key: "opportunity_id",
      label: "Opportunity",
      required: true,
      dynamic: "new_opportunity.id.name",
      search: "find_opportunity.id",
    },
    ...opportunityFields.map((field) => ({ ...field, required: false })),
  ],
  sample: Samples.opportunity,
  perform: (z, bundle) => {
    const id = required(z, bundle, "opportunity_id", "Opportunity")
    const value = number(z, text(bundle, "monetaryValue"), "Value")
    const body = {
      ...(text(bundle, "name") === undefined ? {} : { name: text(bundle, "name") }),
      ...(text(bundle, "pipeline_id") === undefined ? {} : { pipelineId: text(bundle, "pipeline_id") }),
      ...(text(bundle, "stage_id") === undefined ? {} : { pipelineStageId: text(bundle, "stage_id") }),
      ...(text(bundle, "status") === undefined ? {} : { status: text(bundle, "status") }),
      ...(value === undefined ? {} : { monetaryValue: value }),
      ...(text(bundle, "assigned_to") === undefined ? {} : { assignedTo: text(bundle, "assigned_to") }),
    }
    if (Object.keys(body).length === 0) return invalid(z, "Give at least one field to update.")
    return run(
      z,
      bundle,
      Effect.map(Opportunities.update(id, body as never), (answer) => row(answer.opportunity ?? { id })),
    )
  },
})

export const addToWorkflow = Definitions.create({
  key: "add_to_workflow",
  noun: "Workflow",
  label: "Add Contact to Workflow",
  description: "Adds a contact to a workflow.",
  inputFields: [
    Fields.contactId,
    { key: "workflow_id", label: "Workflow", required: true, dynamic: "workflow_list.id.name" },
  ],
  sample: Samples.workflowEnrolment,
  perform: (z, bundle) => {
    const contactId = required(z, bundle, "contact_id", "Contact")
    const workflowId = required(z, bundle, "workflow_id", "Workflow")
    return run(
      z,
      bundle,
      Effect.map(Contacts.addToWorkflow(contactId, workflowId), (answer) => ({
        id: `${workflowId}-${contactId}`,
        workflow_id: workflowId,
        contact_id: contactId,
        succeded: (answer as { succeded?: boolean }).succeded ?? true,
      })),
    )
  },
})

const messageRow = (answer: object, contactId: string, type: string) => {
  const a = answer as { messageId?: string; conversationId?: string; msg?: string }
  return { id: String(a.messageId ?? a.conversationId), conversationId: a.conversationId ?? null, contactId, type }
}

export const sendSms = Definitions.create({
  key: "send_sms",
  noun: "Message",
  label: "Send SMS",
  description: "Sends an SMS to a contact.",
  inputFields: [Fields.contactId, { key: "message", label: "Message", type: "text", required: true }],
  sample: Samples.message,
  perform: (z, bundle) => {
    const contactId = required(z, bundle, "contact_id", "Contact")
    const message = required(z, bundle, "message", "Message")
    return run(
      z,
      bundle,
      Effect.map(Conversations.sendSms(contactId, message), (a) => messageRow(a, contactId, "SMS")),
    )
  },
})

export const sendEmail = Definitions.create({
  key: "send_email",
  noun: "Message",
  label: "Send Email",
  description: "Sends an email to a contact.",
  inputFields: [
    Fields.contactId,
    { key: "subject", label: "Subject", required: true },
    { key: "html", label: "Body (HTML)", type: "text", required: true },
  ],
  sample: { ...Samples.message, type: "Email" },
  perform: (z, bundle) => {
    const contactId = required(z, bundle, "contact_id", "Contact")
    const email = {
      subject: required(z, bundle, "subject", "Subject"),
      html: required(z, bundle, "html", "Body (HTML)"),
    }
    return run(
      z,
      bundle,
      Effect.map(Conversations.sendEmail(contactId, email), (a) => messageRow(a, contactId, "Email")),
    )
  },
})

export const bookAppointment = Definitions.create({
  key: "book_appointment",
  noun: "Appointment",
  label: "Book Appointment",
  description: "Books an appointment for a contact in a calendar.",
  inputFields: [
    Fields.contactId,
    { key: "calendar_id", label: "Calendar", required: true, dynamic: "calendar_list.id.name" },
    { key: "startTime", label: "Start Time", type: "datetime", required: true },
    { key: "endTime", label: "End Time", type: "datetime" },
    { key: "title", label: "Title" },
  ],
  sample: Samples.appointment,
  perform: (z, bundle) => {
    const body = {
      contactId: required(z, bundle, "contact_id", "Contact"),
      calendarId: required(z, bundle, "calendar_id", "Calendar"),
      startTime:
        Definitions.isoDate(z, bundle, "startTime", "Start Time") ?? required(z, bundle, "startTime", "Start Time"),
      ...(Definitions.isoDate(z, bundle, "endTime", "End Time") === undefined
        ? {}
        : { endTime: Definitions.isoDate(z, bundle, "endTime", "End Time") }),
      ...(text(bundle, "title") === undefined ? {} : { title: text(bundle, "title") }),
    }
    return run(
      z,
      bundle,
      Effect.map(Calendars.createAppointment(body as never), (answer) => row(answer)),
    )
  },
})

/** Operations that take a `locationId` get the connected location when the input leaves it out. */
export const apiRequest = ApiRequest.action({
  provider: "HighLevel",
  catalog,
  example: '{"contactId": "abc"}',
  sample: Samples.apiResponse,
  complete: (entry, input, bundle) =>
    entry?.parameters.some((p) => p.name === "locationId") &&
    input.locationId === undefined &&
    bundle.authData.location_id
      ? { ...input, locationId: bundle.authData.location_id }
      : input,
  call: (z, bundle, id, input) => run(z, bundle, GhlOperations.call(id as never, input as never)),
})

export const creates = [
  createContact,
  updateContact,
  applyTag,
  removeTag,
  createTask,
  completeTask,
  createNote,
  createOpportunity,
  updateOpportunity,
  addToWorkflow,
  sendSms,
  sendEmail,
  bookAppointment,
  apiRequest,
]

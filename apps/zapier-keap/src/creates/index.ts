/** Keap actions. Each is a thin call to a provider service; inputs are checked before sending. */
import { Campaigns, Contacts, catalog, Emails, KeapOperations, Notes, Opportunities, Tags, Tasks } from "@crmkit/keap"
import { ApiRequest, Definitions } from "@crmkit/zapier-shared"
import { Effect } from "effect"
import { run } from "../connection.ts"
import * as Fields from "../fields.ts"
import { contactRow, row } from "../records.ts"
import * as Samples from "../samples.ts"

const { required, text, invalid } = Definitions

export const createContact = Definitions.create({
  key: "create_contact",
  noun: "Contact",
  label: "Create or Update Contact",
  description: "Creates a new contact, or updates the contact with the same email.",
  inputFields: [
    ...Fields.contactFields,
    {
      key: "update_existing",
      label: "Update Contact With the Same Email",
      type: "boolean",
      default: "yes",
      helpText: "If yes, a contact whose email matches is updated instead of created twice.",
    },
    Fields.customFields,
  ],
  sample: Samples.contact,
  perform: (z, bundle) => {
    const body = Fields.contactBody(bundle)
    if (body.email_addresses === undefined && body.given_name === undefined && body.family_name === undefined) {
      return invalid(z, "Give at least an Email, a First Name or a Last Name.")
    }
    const update =
      String(bundle.inputData.update_existing ?? "yes") !== "no" && String(bundle.inputData.update_existing) !== "false"
    return run(z, bundle, Effect.map(Contacts.create(body, update ? { duplicateOption: "Email" } : {}), contactRow))
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
    const mask = Object.keys(body) as Array<Contacts.UpdateMaskField>
    if (mask.length === 0) return invalid(z, "Give at least one field to update.")
    return run(z, bundle, Effect.map(Contacts.update(id, body, { updateMask: mask }), contactRow))
  },
})

const tagAction = (mode: "apply" | "remove") =>
  Definitions.create({
    key: `${mode}_tag`,
    noun: "Tag",
    label: mode === "apply" ? "Apply Tag to Contact" : "Remove Tag From Contact",
    description: mode === "apply" ? "Applies a tag to a contact." : "Removes a tag from a contact.",
    inputFields: [Fields.contactId, Fields.tagId],
    sample: { id: "100-1234", tag_id: "100", contact_id: "1234", result: "SUCCESS" },
    perform: (z, bundle) => {
      const contactId = required(z, bundle, "contact_id", "Contact")
      const tagId = required(z, bundle, "tag_id", "Tag")
      const effect =
        mode === "apply"
          ? Effect.map(Tags.applyToContacts(tagId, [contactId]), (answer) =>
              String((answer as { results?: Record<string, unknown> }).results?.[contactId] ?? "SUCCESS"),
            )
          : Effect.as(Tags.removeFromContacts(tagId, [contactId]), "SUCCESS")
      return run(
        z,
        bundle,
        Effect.map(effect, (result) => ({ id: `${tagId}-${contactId}`, tag_id: tagId, contact_id: contactId, result })),
      )
    },
  })

export const applyTag = tagAction("apply")
export const removeTag = tagAction("remove")

export const createTask = Definitions.create({
  key: "create_task",
  noun: "Task",
  label: "Create Task",
  description: "Creates a new task, optionally for a contact.",
  inputFields: [
    { key: "title", label: "Title", required: true },
    { key: "description", label: "Description", type: "text" },
    { key: "due_time", label: "Due Date", type: "datetime" },
    { ...Fields.contactId, required: false },
    { ...Fields.userId(true), key: "assigned_to_user_id", label: "Assigned To" },
  ],
  sample: Samples.task,
  perform: (z, bundle) => {
    const task = {
      title: required(z, bundle, "title", "Title"),
      assigned_to_user_id: required(z, bundle, "assigned_to_user_id", "Assigned To"),
      ...(text(bundle, "description") === undefined ? {} : { description: text(bundle, "description") }),
      ...(text(bundle, "contact_id") === undefined ? {} : { contact_id: text(bundle, "contact_id") }),
      ...(Definitions.isoDate(z, bundle, "due_time", "Due Date") === undefined
        ? {}
        : { due_time: Definitions.isoDate(z, bundle, "due_time", "Due Date") }),
    } as Tasks.TaskInput
    return run(z, bundle, Effect.map(Tasks.create(task), row))
  },
})

export const completeTask = Definitions.create({
  key: "complete_task",
  noun: "Task",
  label: "Complete Task",
  description: "Marks a task as completed.",
  inputFields: [{ key: "task_id", label: "Task", required: true, dynamic: "new_task.id.title" }],
  sample: { ...Samples.task, completed: true, completion_time: "2026-01-08T16:00:00.000Z" },
  perform: (z, bundle) => run(z, bundle, Effect.map(Tasks.complete(required(z, bundle, "task_id", "Task")), row)),
})

export const createNote = Definitions.create({
  key: "create_note",
  noun: "Note",
  label: "Create Note",
  description: "Creates a note on a contact.",
  inputFields: [
    Fields.contactId,
    { key: "title", label: "Title" },
    { key: "text", label: "Text", type: "text", required: true },
    { ...Fields.userId(true), helpText: "The Keap user the note is recorded for." },
  ],
  sample: Samples.note,
  perform: (z, bundle) => {
    const contactId = required(z, bundle, "contact_id", "Contact")
    const note = {
      text: required(z, bundle, "text", "Text"),
      user_id: required(z, bundle, "user_id", "User"),
      ...(text(bundle, "title") === undefined ? {} : { title: text(bundle, "title") }),
    } as Notes.NoteInput
    return run(
      z,
      bundle,
      Effect.map(Notes.create(contactId, note), (n) => ({ ...row(n), contact_id: contactId })),
    )
  },
})

export const createOpportunity = Definitions.create({
  key: "create_opportunity",
  noun: "Opportunity",
  label: "Create Opportunity",
  description: "Creates a new opportunity for a contact in a pipeline stage.",
  inputFields: [
    { key: "opportunity_title", label: "Title", required: true },
    Fields.contactId,
    Fields.stageId,
    { ...Fields.userId(false), helpText: "The owner of the opportunity." },
    { key: "projected_revenue_high", label: "Projected Revenue", type: "number" },
  ],
  sample: Samples.opportunity,
  perform: (z, bundle) => {
    const revenue = text(bundle, "projected_revenue_high")
    if (revenue !== undefined && !Number.isFinite(Number(revenue))) {
      return invalid(z, `Projected Revenue is not a number: '${revenue}'.`)
    }
    const opportunity = {
      opportunity_title: required(z, bundle, "opportunity_title", "Title"),
      contact_id: required(z, bundle, "contact_id", "Contact"),
      stage_id: required(z, bundle, "stage_id", "Stage"),
      ...(text(bundle, "user_id") === undefined ? {} : { user_id: text(bundle, "user_id") }),
      ...(revenue === undefined ? {} : { projected_revenue_high: Number(revenue) }),
    }
    return run(z, bundle, Effect.map(Opportunities.create(opportunity as never), row))
  },
})

export const updateOpportunity = Definitions.create({
  key: "update_opportunity",
  noun: "Opportunity",
  label: "Update Opportunity",
  description: "Updates an opportunity's title or moves it to another stage.",
  inputFields: [
    {
      key: "opportunity_id",
      label: "Opportunity",
      required: true,
      dynamic: "new_opportunity.id.opportunity_title",
      search: "find_opportunity.id",
    },
    { key: "opportunity_title", label: "Title" },
    { ...Fields.stageId, required: false },
  ],
  sample: Samples.opportunity,
  perform: (z, bundle) => {
    const id = required(z, bundle, "opportunity_id", "Opportunity")
    const title = text(bundle, "opportunity_title")
    const stage = text(bundle, "stage_id")
    if (title === undefined && stage === undefined) {
      return invalid(z, "Give a Title or a Stage to change.")
    }
    const program = Effect.gen(function* () {
      let current =
        title === undefined ? undefined : yield* Opportunities.update(id, { opportunity_title: title } as never)
      if (stage !== undefined) current = yield* Opportunities.moveToStage(id, stage)
      return row(current!)
    })
    return run(z, bundle, program)
  },
})

export const addToSequence = Definitions.create({
  key: "add_to_sequence",
  noun: "Sequence",
  label: "Add Contact to Campaign Sequence",
  description: "Adds a contact to a campaign sequence.",
  inputFields: [
    Fields.contactId,
    { key: "sequence", label: "Campaign Sequence", required: true, dynamic: "sequence_list.id.name" },
  ],
  sample: Samples.sequenceEnrolment,
  perform: (z, bundle) => {
    const contactId = required(z, bundle, "contact_id", "Contact")
    const [campaignId, sequenceId, ...rest] = required(z, bundle, "sequence", "Campaign Sequence").split(":")
    if (campaignId === undefined || sequenceId === undefined || rest.length > 0) {
      return invalid(z, "Campaign Sequence must be '<campaign id>:<sequence id>'.")
    }
    return run(
      z,
      bundle,
      Effect.as(Campaigns.addToSequence(campaignId, sequenceId, [contactId]), {
        id: `${campaignId}-${sequenceId}-${contactId}`,
        campaign_id: campaignId,
        sequence_id: sequenceId,
        contact_id: contactId,
        result: "SUCCESS",
      }),
    )
  },
})

export const sendEmail = Definitions.create({
  key: "send_email",
  noun: "Email",
  label: "Send Email",
  description: "Sends an email to a contact from Keap.",
  inputFields: [
    Fields.contactId,
    { key: "subject", label: "Subject", required: true },
    { key: "html_content", label: "Body (HTML)", type: "text" },
    { key: "plain_content", label: "Body (Plain Text)", type: "text" },
    { ...Fields.userId(false), helpText: "The Keap user the email is sent as." },
  ],
  sample: Samples.email,
  perform: (z, bundle) => {
    const contactId = required(z, bundle, "contact_id", "Contact")
    const html = text(bundle, "html_content")
    const plain = text(bundle, "plain_content")
    if (html === undefined && plain === undefined) {
      return invalid(z, "Give a Body (HTML) or a Body (Plain Text).")
    }
    const subject = required(z, bundle, "subject", "Subject")
    const email = {
      contacts: [contactId],
      subject,
      html,
      plain,
      ...(text(bundle, "user_id") === undefined ? {} : { user_id: text(bundle, "user_id") }),
    }
    return run(
      z,
      bundle,
      Effect.as(Emails.sendText(email as Emails.TextEmail), {
        id: `${contactId}-${new Date().toISOString()}`,
        contact_ids: [contactId],
        subject,
        sent: true,
      }),
    )
  },
})

export const apiRequest = ApiRequest.action({
  provider: "Keap",
  catalog,
  example: '{"contact_id": "12"}',
  sample: Samples.apiResponse,
  call: (z, bundle, id, input) => run(z, bundle, KeapOperations.call(id, input)),
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
  addToSequence,
  sendEmail,
  apiRequest,
]

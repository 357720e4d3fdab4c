/**
 * The hand-written services as actions (`contacts search`, `contacts add-tags`, ...): one
 * table that the CLI turns into commands and flags, and that any app or agent can read.
 * Inputs reuse the generated request Schemas, so fields keep the spec's names; the
 * `locationId` they require may be left to the client's default location.
 */
import { Action, type Operation } from "@crmkit/core"
import { Effect, Schema, Stream } from "effect"
import type { GhlClient } from "./GhlClient.ts"
import { registry } from "./GhlOperations.ts"
import * as Samples from "./GhlSamples.ts"
import * as Op from "./generated/operations.ts"
import * as S from "./generated/schemas.ts"
import * as Calendars from "./services/Calendars.ts"
import * as Contacts from "./services/Contacts.ts"
import * as Conversations from "./services/Conversations.ts"
import * as Locations from "./services/Locations.ts"
import * as Opportunities from "./services/Opportunities.ts"
import * as Users from "./services/Users.ts"
import * as Workflows from "./services/Workflows.ts"

const id = (what: string) => Schema.String.annotate({ description: `The ${what} id` })
const locationId = Schema.optional(
  Schema.String.annotate({ description: "Location (sub-account) id; default: the client's location" }),
)
const pageSize = Schema.optional(Schema.Int.annotate({ description: "Records per request" }))
const names = (what: string) => Schema.Array(Schema.String).annotate({ description: what })

const ContactSearch = Schema.Struct({
  query: Schema.optional(Schema.String.annotate({ description: "Free text matched against name, email, phone" })),
  filters: S.SearchBodyV2DTO.fields.filters,
  sort: S.SearchBodyV2DTO.fields.sort,
  locationId,
  page_size: pageSize,
})
const ContactCreate = Schema.Struct({ ...S.CreateContactDto.fields, locationId })
const ContactUpsert = Schema.Struct({ ...S.UpsertContactDto.fields, locationId })
const ContactUpdate = Schema.Struct({ id: id("contact"), ...S.UpdateContactDto.fields })
const ContactTags = Schema.Struct({ contact: id("contact"), tags: names("Tag names") })
const OfContact = Schema.Struct({ contact: id("contact") })
const NoteCreate = Schema.Struct({ contact: id("contact"), ...S.ContactsNotesDTO.fields })
const TaskCreate = Schema.Struct({ contact: id("contact"), ...S.CreateTaskParams.fields })
const TaskComplete = Schema.Struct({ contact: id("contact"), task: id("task") })
const OpportunitySearch = Schema.Struct({
  q: Schema.optional(Schema.String.annotate({ description: "Free text" })),
  pipeline_id: Schema.optional(Schema.String.annotate({ description: "Only this pipeline" })),
  pipeline_stage_id: Schema.optional(Schema.String.annotate({ description: "Only this stage" })),
  status: Schema.optional(Schema.Literals(["open", "won", "lost", "abandoned", "all"])),
  contact_id: Schema.optional(Schema.String.annotate({ description: "Only this contact's opportunities" })),
  location_id: locationId,
  page_size: pageSize,
})
const OpportunityCreate = Schema.Struct({ ...S.CreateDto.fields, locationId })
const OpportunityUpdate = Schema.Struct({ id: id("opportunity"), ...S.UpdateOpportunityDto.fields })
const AppointmentCreate = Schema.Struct({ ...S.AppointmentCreateSchema.fields, locationId })
const Sms = Schema.Struct({ contact: id("contact"), message: Schema.String.annotate({ description: "Text to send" }) })
const Email = Schema.Struct({
  contact: id("contact"),
  subject: Schema.String.annotate({ description: "Subject line" }),
  html: Schema.optionalKey(Schema.String.annotate({ description: "HTML body" })),
  message: Schema.optionalKey(Schema.String.annotate({ description: "Plain-text body" })),
})
const Enrol = Schema.Struct({ contact: id("contact"), workflow: id("workflow") })
const AtLocation = Schema.Struct({ locationId })
const EveryRecord = Schema.Struct({ locationId, page_size: pageSize })

type Located = { readonly locationId?: string | undefined }

/** One catalog operation as an action, with the operation's own fields. */
const fromOperation = (operation: Operation.Operation, spec: Action.FromOperation) =>
  Action.fromOperation(registry, operation, spec)

const choice = (resource: string, items: string, label = "name") =>
  ({ resource, name: "list", value: "id", label, items }) as const
const userChoice = choice("users", "users")
const pipelineChoice = choice("pipelines", "pipelines")
const stageChoice = {
  resource: "pipelines",
  name: "list-stages",
  value: "id",
  label: "name",
  input: { pipeline: "pipelineId" },
} as const
/** Custom fields as GHL takes them: `[{ id, field_value }]`, the id picked from the location's fields. */
const customFields = {
  label: "Custom Fields",
  choicesFrom: choice("custom-fields", "customFields"),
  pairs: { key: "id", value: "field_value" },
}
const contactHints = {
  fields: {
    firstName: { label: "First Name" },
    lastName: { label: "Last Name" },
    email: { label: "Email", placeholder: "name@email.com" },
    tags: { label: "Tags" },
    assignedTo: { label: "Owner", choicesFrom: userChoice },
    customFields,
  },
} as const
const opportunityHints = {
  fields: {
    pipelineId: { label: "Pipeline", choicesFrom: pipelineChoice },
    pipelineStageId: { label: "Stage", choicesFrom: stageChoice },
    assignedTo: { label: "Owner", choicesFrom: userChoice },
    monetaryValue: { label: "Value" },
    customFields,
  },
} as const
const PipelineStages = Schema.Struct({
  pipeline: Schema.optional(Schema.String.annotate({ description: "Only this pipeline's stages" })),
  locationId,
})

const FindContact = Schema.Struct({
  id: Schema.optional(id("contact")),
  email: Schema.optional(Schema.String.annotate({ description: "Matches the contact's email exactly" })),
  phone: Schema.optional(Schema.String.annotate({ description: "Matches the contact's phone" })),
  locationId,
}).check(Action.atLeastOne(["id", "email", "phone"]))
const FindOpportunity = Schema.Struct({
  id: Schema.optional(id("opportunity")),
  contact: Schema.optional(id("contact")),
  locationId,
}).check(Action.atLeastOne(["id", "contact"]))
const FindTag = Schema.Struct({
  name: Schema.String.annotate({ description: "The tag's name, in any case" }),
  locationId,
})

const defined: ReadonlyArray<Action.Action<any, unknown, GhlClient>> = [
  // `list` is every record, with the verb Keap uses; `search` narrows it.
  Action.stream({
    resource: "contacts",
    name: "list",
    description: "Every contact of the location, all pages",
    operations: ["search-contacts-advanced"],
    access: "read",
    input: EveryRecord,
    run: ({ page_size, ...body }: typeof EveryRecord.Type) =>
      Contacts.searchAll(body as Contacts.SearchBody, { pageSize: page_size }),
  }),
  Action.stream({
    resource: "contacts",
    name: "search",
    description: "Every contact matching the query and filters, all pages (searchAfter paging)",
    operations: ["search-contacts-advanced"],
    access: "read",
    input: ContactSearch,
    run: ({ page_size, ...body }: typeof ContactSearch.Type) =>
      Contacts.searchAll(body as Contacts.SearchBody, { pageSize: page_size }),
  }),
  Action.single({
    resource: "contacts",
    name: "get",
    description: "Get one contact by id",
    operations: ["get-contact"],
    hints: { unwrap: "contact" },
    access: "read",
    input: Schema.Struct({ id: id("contact") }),
    run: (input: { readonly id: string }) => Contacts.get(input.id),
  }),
  Action.single({
    resource: "contacts",
    name: "find",
    description: "Contacts with this id, email or phone",
    access: "read",
    input: FindContact,
    operations: ["get-contact", "search-contacts-advanced"],
    run: ({ id: contactId, email, phone, locationId: at }: typeof FindContact.Type) =>
      contactId !== undefined
        ? Action.foundOrNone(Effect.map(Contacts.get(contactId), (answer) => answer.contact))
        : Effect.map(
            Contacts.search({
              ...(at === undefined ? {} : { locationId: at }),
              filters: [
                email !== undefined
                  ? { field: "email", operator: "eq", value: email.trim().toLowerCase() }
                  : { field: "phone", operator: "eq", value: String(phone) },
              ],
              pageLimit: Action.findLimit,
            } as Contacts.SearchBody),
            (answer) => answer.contacts ?? [],
          ),
  }),
  Action.single({
    resource: "contacts",
    name: "create",
    description: "Create a contact (custom fields with --custom-fields JSON)",
    operations: ["create-contact"],
    hints: { unwrap: "contact", ...contactHints },
    access: "write",
    input: ContactCreate,
    run: (input: typeof ContactCreate.Type) => Contacts.create(input as Parameters<typeof Contacts.create>[0]),
  }),
  Action.single({
    resource: "contacts",
    name: "upsert",
    description: "Create or update a contact, matched on email or phone by the location's duplicate settings",
    operations: ["upsert-contact"],
    hints: { unwrap: "contact", label: "Create or update a contact", ...contactHints },
    access: "write",
    input: ContactUpsert,
    run: (input: typeof ContactUpsert.Type) => Contacts.upsert(input as Parameters<typeof Contacts.upsert>[0]),
  }),
  Action.single({
    resource: "contacts",
    name: "update",
    description: "Update the given fields of a contact",
    operations: ["update-contact"],
    hints: { unwrap: "contact", ...contactHints },
    access: "write",
    input: ContactUpdate,
    run: ({ id: contactId, ...body }: typeof ContactUpdate.Type) => Contacts.update(contactId, body),
  }),
  Action.single({
    resource: "contacts",
    name: "delete",
    description: "Delete a contact",
    operations: ["delete-contact"],
    access: "write",
    input: Schema.Struct({ id: id("contact") }),
    run: (input: { readonly id: string }) => Contacts.remove(input.id),
  }),
  Action.single({
    resource: "contacts",
    name: "add-tags",
    description: "Add tags to a contact",
    operations: ["add-tags"],
    access: "write",
    input: ContactTags,
    run: (input: typeof ContactTags.Type) => Contacts.addTags(input.contact, input.tags),
  }),
  Action.single({
    resource: "contacts",
    name: "remove-tags",
    description: "Remove tags from a contact",
    operations: ["remove-tags"],
    access: "write",
    input: ContactTags,
    run: (input: typeof ContactTags.Type) => Contacts.removeTags(input.contact, input.tags),
  }),
  Action.single({
    resource: "contacts",
    name: "add-to-workflow",
    description: "Enrol a contact in a workflow",
    operations: ["add-contact-to-workflow"],
    hints: { fields: { workflow: { label: "Workflow", choicesFrom: choice("workflows", "workflows") } } },
    access: "write",
    input: Enrol,
    run: (input: typeof Enrol.Type) => Contacts.addToWorkflow(input.contact, input.workflow),
  }),
  fromOperation(Op.deleteContactFromWorkflow, {
    resource: "contacts",
    name: "remove-from-workflow",
    description: "Remove a contact from a workflow",
  }),
  Action.single({
    resource: "notes",
    name: "list",
    description: "The notes of a contact",
    operations: ["get-all-notes"],
    hints: { unwrap: "notes" },
    access: "read",
    input: OfContact,
    run: (input: typeof OfContact.Type) => Contacts.notes(input.contact),
  }),
  Action.single({
    resource: "notes",
    name: "create",
    description: "Add a note to a contact",
    operations: ["create-note"],
    hints: { unwrap: "note" },
    access: "write",
    input: NoteCreate,
    run: ({ contact, ...body }: typeof NoteCreate.Type) => Contacts.createNote(contact, body as S.ContactsNotesDTO),
  }),
  fromOperation(Op.updateNote, { resource: "notes", name: "update", description: "Update a note of a contact" }),
  fromOperation(Op.deleteNote, { resource: "notes", name: "delete", description: "Delete a note of a contact" }),
  Action.single({
    resource: "tasks",
    name: "list",
    description: "The tasks of a contact",
    operations: ["get-all-tasks"],
    hints: { unwrap: "tasks" },
    access: "read",
    input: OfContact,
    run: (input: typeof OfContact.Type) => Contacts.tasks(input.contact),
  }),
  Action.single({
    resource: "tasks",
    name: "create",
    description: "Create a task on a contact",
    operations: ["create-task"],
    hints: { unwrap: "task", fields: { assignedTo: { label: "Assigned To", choicesFrom: userChoice } } },
    access: "write",
    input: TaskCreate,
    run: ({ contact, ...body }: typeof TaskCreate.Type) => Contacts.createTask(contact, body as S.CreateTaskParams),
  }),
  Action.single({
    resource: "tasks",
    name: "complete",
    description: "Mark a contact's task completed",
    operations: ["update-task-completed"],
    access: "write",
    input: TaskComplete,
    run: (input: typeof TaskComplete.Type) => Contacts.completeTask(input.contact, input.task),
  }),
  fromOperation(Op.updateTask, { resource: "tasks", name: "update", description: "Update a task of a contact" }),
  fromOperation(Op.deleteTask, { resource: "tasks", name: "delete", description: "Delete a task of a contact" }),
  Action.stream({
    resource: "opportunities",
    name: "list",
    description: "Every opportunity of the location, all pages",
    operations: ["search-opportunity"],
    access: "read",
    input: EveryRecord,
    run: ({ page_size, locationId }: typeof EveryRecord.Type) =>
      Opportunities.searchAll(
        (locationId === undefined ? {} : { location_id: locationId }) as Opportunities.SearchQuery,
        { pageSize: page_size },
      ),
  }),
  Action.stream({
    resource: "opportunities",
    name: "search",
    description: "Every opportunity matching the filters, all pages",
    operations: ["search-opportunity"],
    access: "read",
    input: OpportunitySearch,
    run: ({ page_size, ...query }: typeof OpportunitySearch.Type) =>
      Opportunities.searchAll(query as Opportunities.SearchQuery, { pageSize: page_size }),
  }),
  Action.single({
    resource: "opportunities",
    name: "get",
    description: "Get one opportunity by id",
    operations: ["get-opportunity"],
    hints: { unwrap: "opportunity" },
    access: "read",
    input: Schema.Struct({ id: id("opportunity") }),
    run: (input: { readonly id: string }) => Opportunities.get(input.id),
  }),
  Action.single({
    resource: "opportunities",
    name: "find",
    description: "The opportunity with this id, or a contact's opportunities",
    access: "read",
    input: FindOpportunity,
    operations: ["get-opportunity", "search-opportunity"],
    run: ({ id: opportunityId, contact, locationId: at }: typeof FindOpportunity.Type) =>
      opportunityId !== undefined
        ? Action.foundOrNone(Effect.map(Opportunities.get(opportunityId), (answer) => answer.opportunity))
        : Effect.map(
            Stream.runCollect(
              Stream.take(
                Opportunities.searchAll({
                  contact_id: contact,
                  ...(at === undefined ? {} : { location_id: at }),
                } as Opportunities.SearchQuery),
                Action.findLimit,
              ),
            ),
            (chunk) => Array.from(chunk),
          ),
  }),
  Action.single({
    resource: "opportunities",
    name: "create",
    description: "Create an opportunity in a pipeline stage",
    operations: ["create-opportunity"],
    hints: { unwrap: "opportunity", ...opportunityHints },
    access: "write",
    input: OpportunityCreate,
    run: (input: typeof OpportunityCreate.Type) =>
      Opportunities.create(input as Parameters<typeof Opportunities.create>[0]),
  }),
  Action.single({
    resource: "opportunities",
    name: "update",
    description: "Update the given fields of an opportunity (stage, status, value, ...)",
    operations: ["update-opportunity"],
    hints: { unwrap: "opportunity", ...opportunityHints },
    access: "write",
    input: OpportunityUpdate,
    run: ({ id: opportunityId, ...body }: typeof OpportunityUpdate.Type) =>
      Opportunities.update(opportunityId, body as S.UpdateOpportunityDto),
  }),
  Action.single({
    resource: "pipelines",
    name: "list",
    description: "The opportunity pipelines of a location, with their stages",
    operations: ["get-pipelines"],
    hints: { unwrap: "pipelines" },
    access: "read",
    input: AtLocation,
    run: (input: Located) => Opportunities.pipelines(input.locationId),
  }),
  fromOperation(Op.deleteOpportunity, {
    resource: "opportunities",
    name: "delete",
    description: "Delete one opportunity by id",
  }),
  Action.single({
    resource: "pipelines",
    name: "list-stages",
    description: "The stages of a pipeline (of every pipeline when none is named)",
    access: "read",
    input: PipelineStages,
    operations: ["get-pipelines"],
    run: (input: typeof PipelineStages.Type) =>
      Effect.map(Opportunities.pipelines(input.locationId), (answer) =>
        (answer.pipelines ?? [])
          .filter((pipeline) => input.pipeline === undefined || pipeline.id === input.pipeline)
          .flatMap((pipeline) => pipeline.stages ?? []),
      ),
  }),
  Action.single({
    resource: "calendars",
    name: "list",
    description: "The calendars of a location",
    operations: ["get-calendars"],
    hints: { unwrap: "calendars" },
    access: "read",
    input: AtLocation,
    run: (input: Located) => Calendars.list(input.locationId === undefined ? {} : { locationId: input.locationId }),
  }),
  Action.single({
    resource: "appointments",
    name: "book",
    description: "Book an appointment in a calendar",
    operations: ["create-appointment"],
    hints: { fields: { calendarId: { label: "Calendar", choicesFrom: choice("calendars", "calendars") } } },
    access: "write",
    input: AppointmentCreate,
    run: (input: typeof AppointmentCreate.Type) =>
      Calendars.createAppointment(input as Parameters<typeof Calendars.createAppointment>[0]),
  }),
  fromOperation(Op.getCalendarEvents, {
    resource: "calendars",
    name: "list-events",
    description: "The events of a calendar, a user or a group between two times",
    hints: { unwrap: "events" },
  }),
  fromOperation(Op.getAppointment, {
    resource: "appointments",
    name: "get",
    description: "Get one appointment by id",
    hints: { unwrap: "event" },
  }),
  fromOperation(Op.editAppointment, { resource: "appointments", name: "update", description: "Update an appointment" }),
  fromOperation(Op.searchConversation, {
    resource: "conversations",
    name: "search",
    description: "Conversations of the location matching the filters",
    hints: { unwrap: "conversations" },
  }),
  fromOperation(Op.getMessages, {
    resource: "conversations",
    name: "list-messages",
    description: "Every message of a conversation, all pages",
  }),
  fromOperation(Op.sendANewMessage, {
    resource: "messages",
    name: "send",
    description: "Send a message on any channel (SMS, email, WhatsApp, ...)",
  }),
  Action.single({
    resource: "messages",
    name: "send-sms",
    description: "Send an SMS to a contact",
    operations: ["send-a-new-message"],
    access: "write",
    input: Sms,
    run: (input: typeof Sms.Type) => Conversations.sendSms(input.contact, input.message),
  }),
  Action.single({
    resource: "messages",
    name: "send-email",
    description: "Send an email to a contact",
    operations: ["send-a-new-message"],
    access: "write",
    input: Email,
    run: ({ contact, ...email }: typeof Email.Type) => Conversations.sendEmail(contact, email),
  }),
  Action.single({
    resource: "workflows",
    name: "list",
    description: "The workflows of a location",
    operations: ["get-workflow"],
    hints: { unwrap: "workflows" },
    access: "read",
    input: AtLocation,
    run: (input: Located) => Workflows.list(input.locationId),
  }),
  Action.single({
    resource: "tags",
    name: "find",
    description: "The location's tags with this name, in any case",
    access: "read",
    input: FindTag,
    operations: ["get-location-tags"],
    run: (input: typeof FindTag.Type) =>
      Effect.map(Locations.tags(input.locationId), (answer) =>
        (answer.tags ?? []).filter((tag) => tag.name?.toLowerCase() === input.name.trim().toLowerCase()),
      ),
  }),
  Action.single({
    resource: "tags",
    name: "list",
    description: "The tags of a location",
    operations: ["get-location-tags"],
    hints: { unwrap: "tags" },
    access: "read",
    input: AtLocation,
    run: (input: Located) => Locations.tags(input.locationId),
  }),
  Action.single({
    resource: "custom-fields",
    name: "list",
    description: "The custom fields of a location",
    operations: ["get-custom-fields"],
    hints: { unwrap: "customFields" },
    access: "read",
    input: AtLocation,
    run: (input: Located) =>
      Locations.customFields(input.locationId === undefined ? {} : { locationId: input.locationId }),
  }),
  fromOperation(Op.searchObjectRecords, {
    resource: "custom-objects",
    name: "search",
    description: "Every record of a custom object matching the query, all pages",
  }),
  fromOperation(Op.getRecordById, {
    resource: "custom-objects",
    name: "get",
    description: "Get one record of a custom object by id",
    hints: { unwrap: "record" },
  }),
  fromOperation(Op.createObjectRecord, {
    resource: "custom-objects",
    name: "create",
    description: "Create a record of a custom object",
    hints: { unwrap: "record" },
  }),
  Action.single({
    resource: "users",
    name: "list",
    description: "The users of a location",
    operations: ["get-user-by-location"],
    hints: { unwrap: "users" },
    access: "read",
    input: AtLocation,
    run: (input: Located) => Users.list(input.locationId),
  }),
]

/** With a typical result each (`hints.sample`), for hosts that show one. */
export const actions: ReadonlyArray<Action.Action<any, unknown, GhlClient>> = Action.withSamples(defined, Samples)

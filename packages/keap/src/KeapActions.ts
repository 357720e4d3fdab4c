/**
 * The hand-written services as actions (`tags apply`, `contacts list`, ...): one table
 * that the CLI turns into commands and flags, and that any app or agent can read. Inputs
 * reuse the generated request Schemas where a service takes a request body, so the
 * fields stay those of the official spec; ids and filters are added around them.
 */
import { Action, type CrmError, type Operation } from "@crmkit/core"
import { Effect, Schema, Stream } from "effect"
import * as Op from "./generated/operations.ts"
import * as S from "./generated/schemas.ts"
import type { KeapClient } from "./KeapClient.ts"
import * as KeapFilter from "./KeapFilter.ts"
import { registry } from "./KeapOperations.ts"
import * as Samples from "./KeapSamples.ts"
import * as Campaigns from "./services/Campaigns.ts"
import * as Companies from "./services/Companies.ts"
import * as Contacts from "./services/Contacts.ts"
import * as Emails from "./services/Emails.ts"
import * as Notes from "./services/Notes.ts"
import * as Opportunities from "./services/Opportunities.ts"
import * as Orders from "./services/Orders.ts"
import * as Products from "./services/Products.ts"
import * as Subscriptions from "./services/Subscriptions.ts"
import * as Tags from "./services/Tags.ts"
import * as Tasks from "./services/Tasks.ts"
import * as Users from "./services/Users.ts"

const id = (what: string) => Schema.String.annotate({ description: `The ${what} id` })
const ids = (what: string) => Schema.Array(Schema.String).annotate({ description: `${what} ids` })

/** One catalog operation as an action, with the operation's own fields. */
const fromOperation = (operation: Operation.Operation, spec: Action.FromOperation) =>
  Action.fromOperation(registry, operation as Operation.Operation, spec)

const tagChoice = { resource: "tags", name: "list", value: "id", label: "name" } as const
const userChoice = { resource: "users", name: "list", value: "id", label: ["given_name", "family_name"] } as const
const stageChoice = { resource: "stages", name: "list", value: "id", label: "name" } as const
const customFieldChoice = {
  resource: "custom-fields",
  name: "list",
  value: "id",
  label: "label",
  items: "custom_fields",
} as const
/** Custom fields as Keap takes them: `[{ id, content }]`, the id picked from the contact model. */
const customFields = { label: "Custom Fields", choicesFrom: customFieldChoice, pairs: { key: "id", value: "content" } }

const listInput = {
  filter: Schema.optional(
    Schema.Array(Schema.String).annotate({
      description: "Conditions that must all hold: field==value, field>value, field<=value, field==prefix*",
    }),
  ),
  order_by: Schema.optional(Schema.String.annotate({ description: "Field to sort by" })),
  order: Schema.optional(Schema.Literals(["asc", "desc"]).annotate({ description: "Sort direction" })),
  page_size: Schema.optional(Schema.Int.annotate({ description: "Records per request (up to 1000)" })),
}
const ListInput = Schema.Struct(listInput)
type ListInput = typeof ListInput.Type

const listOptions = (input: ListInput) =>
  Effect.map(KeapFilter.parseAll(input.filter ?? []), (filter) => ({
    filter,
    orderBy: input.order_by === undefined ? undefined : { field: input.order_by, direction: input.order },
    pageSize: input.page_size,
  }))

const listOf = <A>(
  resource: string,
  operation: string,
  description: string,
  run: (options: Effect.Success<ReturnType<typeof listOptions>>) => Stream.Stream<A, any, KeapClient>,
) =>
  Action.stream({
    resource,
    name: "list",
    description,
    access: "read",
    input: ListInput,
    operations: [operation],
    run: (input: ListInput) => Stream.unwrap(Effect.map(listOptions(input), run)),
  })

const getOf = <A>(
  resource: string,
  operation: string,
  what: string,
  run: (id: string) => Effect.Effect<A, any, KeapClient>,
) =>
  Action.single({
    resource,
    name: "get",
    description: `Get one ${what} by id`,
    access: "read",
    operations: [operation],
    input: Schema.Struct({ id: id(what) }),
    run: (input: { readonly id: string }) => run(input.id),
  })

const removeOf = (
  resource: string,
  operation: string,
  what: string,
  run: (id: string) => Effect.Effect<void, any, KeapClient>,
) =>
  Action.single({
    resource,
    name: "delete",
    description: `Delete one ${what} by id`,
    access: "write",
    operations: [operation],
    input: Schema.Struct({ id: id(what) }),
    run: (input: { readonly id: string }) => Effect.as(run(input.id), { deleted: input.id }),
  })

const ContactCreate = Schema.Struct({
  email: Schema.optional(Schema.String.annotate({ description: "Primary email address (EMAIL1)" })),
  phone: Schema.optional(Schema.String.annotate({ description: "Primary phone number (PHONE1)" })),
  duplicate_option: Schema.optional(
    Schema.Literals(["Email", "EmailAndName", "EmailAndNameAndCompany"]).annotate({
      description: "Match an existing contact instead of creating a duplicate",
    }),
  ),
  ...S.CreateUpdateContactRequest.fields,
})
type ContactCreate = typeof ContactCreate.Type
const contactHints = {
  fields: {
    email: { label: "Email", placeholder: "name@email.com" },
    phone: { label: "Phone" },
    given_name: { label: "First Name" },
    family_name: { label: "Last Name" },
    owner_id: { label: "Owner", choicesFrom: userChoice },
    custom_fields: customFields,
  },
} as const

/** `--email`/`--phone` are shorthands for the first entry of the spec's lists. */
const contactBody = ({ email, phone, duplicate_option: _, ...body }: ContactCreate): Contacts.ContactInput =>
  Contacts.withShorthands({ email, phone }, body as Contacts.ContactInput)

const ContactGet = Schema.Struct({
  id: id("contact"),
  fields: Schema.optional(
    Schema.Array(Schema.String).annotate({
      description: "Only these properties (e.g. given_name,tag_ids,custom_fields); default: Keap's",
    }),
  ),
})
const ContactUpdate = Schema.Struct({ id: id("contact"), ...ContactCreate.fields })

const TaskUpdate = Schema.Struct({ id: id("task"), ...S.CreateUpdateTaskRequest.fields })
const NoteCreate = Schema.Struct({ contact: id("contact"), ...S.CreateNoteRequest.fields })
const NoteList = Schema.Struct({ contact: id("contact"), ...listInput })
const OpportunityUpdate = Schema.Struct({ id: id("opportunity"), ...S.UpdateOpportunityRequestV2.fields })
const TagsToContacts = Schema.Struct({ tag: id("tag"), contact: ids("Contact") })
const tagsToContactsHints = {
  fields: { tag: { label: "Tag", choicesFrom: tagChoice }, contact: { label: "Contact IDs" } },
} as const
const EmailSend = Schema.Struct({
  contact: ids("Contact"),
  subject: Schema.String.annotate({ description: "Subject line" }),
  html: Schema.optional(Schema.String.annotate({ description: "HTML body" })),
  plain: Schema.optional(Schema.String.annotate({ description: "Plain-text body" })),
  user_id: Schema.optional(Schema.String.annotate({ description: "The Keap user it is sent as" })),
})
const Sequence = Schema.Struct({ campaign: id("campaign"), sequence: id("sequence"), contact: ids("Contact") })

const firstOf = <A, R>(stream: Stream.Stream<A, CrmError, R>) =>
  Effect.map(Stream.runCollect(Stream.take(stream, Action.findLimit)), (chunk) => Array.from(chunk))

const FindContact = Schema.Struct({
  id: Schema.optional(id("contact")),
  email: Schema.optional(Schema.String.annotate({ description: "Matches the contact's email exactly" })),
  phone: Schema.optional(Schema.String.annotate({ description: "Matches any of the contact's five phone numbers" })),
}).check(Action.atLeastOne(["id", "email", "phone"]))
const FindOpportunity = Schema.Struct({
  id: Schema.optional(id("opportunity")),
  contact: Schema.optional(id("contact")),
}).check(Action.atLeastOne(["id", "contact"]))
const FindTag = Schema.Struct({ name: Schema.String.annotate({ description: "The tag's exact name" }) })

const defined: ReadonlyArray<Action.Action<any, unknown, KeapClient>> = [
  listOf("contacts", "listContacts", "Every contact matching the filter, all pages", (o) => Contacts.list(o)),
  Action.single({
    resource: "contacts",
    name: "get",
    description: "Get one contact by id",
    access: "read",
    operations: ["getContact"],
    input: ContactGet,
    run: (input: typeof ContactGet.Type) =>
      Contacts.get(input.id, input.fields === undefined ? {} : { fields: input.fields }),
  }),
  Action.single({
    resource: "contacts",
    name: "create",
    description: "Create a contact (or match a duplicate with --duplicate-option)",
    access: "write",
    input: ContactCreate,
    operations: ["createContact"],
    hints: { label: "Create a contact", ...contactHints },
    run: (input: ContactCreate) => Contacts.create(contactBody(input), { duplicateOption: input.duplicate_option }),
  }),
  Action.single({
    resource: "contacts",
    name: "update",
    description: "Update the given fields of a contact",
    access: "write",
    input: ContactUpdate,
    operations: ["updateContact"],
    hints: contactHints,
    run: ({ id: contactId, ...changes }: typeof ContactUpdate.Type) => Contacts.update(contactId, contactBody(changes)),
  }),
  removeOf("contacts", "deleteContact", "contact", Contacts.remove),
  Action.single({
    resource: "contacts",
    name: "find",
    description: "Contacts with this id, email or phone",
    access: "read",
    input: FindContact,
    operations: ["getContact", "listContacts"],
    run: (input: typeof FindContact.Type) =>
      input.id !== undefined
        ? Action.foundOrNone(Contacts.get(input.id))
        : input.email !== undefined
          ? firstOf(Contacts.list({ filter: KeapFilter.eq("email", input.email.trim()), pageSize: Action.findLimit }))
          : // Keap searches a phone number only in the phone fields named with it: all five.
            firstOf(
              Contacts.list({
                filter: KeapFilter.and(
                  KeapFilter.eq("phone_number", String(input.phone)),
                  KeapFilter.oneOf("phone_fields", ["PHONE1", "PHONE2", "PHONE3", "PHONE4", "PHONE5"]),
                ),
                pageSize: Action.findLimit,
              }),
            ),
  }),
  fromOperation(Op.listTagsForContact, {
    resource: "contacts",
    name: "list-tags",
    description: "The tags applied to a contact",
  }),
  fromOperation(Op.retrieveContactModel, {
    resource: "custom-fields",
    name: "list",
    description: "The custom fields of contacts",
    hints: { unwrap: "custom_fields" },
  }),

  listOf("tags", "listTags", "Every tag matching the filter, all pages", (o) => Tags.list(o)),
  Action.single({
    resource: "tags",
    name: "find",
    description: "The tags with this exact name",
    access: "read",
    input: FindTag,
    operations: ["listTags"],
    run: (input: typeof FindTag.Type) => firstOf(Tags.list({ filter: KeapFilter.eq("name", input.name) })),
  }),
  getOf("tags", "getTag", "tag", Tags.get),
  Action.single({
    resource: "tags",
    name: "create",
    description: "Create a tag",
    access: "write",
    operations: ["createTag"],
    input: S.CreateUpdateTagRequest,
    run: (input: S.CreateUpdateTagRequest) => Tags.create(input),
  }),
  Action.single({
    resource: "tags",
    name: "apply",
    description: "Apply a tag to many contacts in one request",
    access: "write",
    input: TagsToContacts,
    operations: ["applyTags"],
    hints: tagsToContactsHints,
    run: (input: typeof TagsToContacts.Type) => Tags.applyToContacts(input.tag, input.contact),
  }),
  Action.single({
    resource: "tags",
    name: "remove",
    description: "Remove a tag from many contacts in one request",
    access: "write",
    input: TagsToContacts,
    operations: ["removeTags"],
    hints: tagsToContactsHints,
    run: (input: typeof TagsToContacts.Type) =>
      Effect.as(Tags.removeFromContacts(input.tag, input.contact), { tag: input.tag, removedFrom: input.contact }),
  }),

  listOf("tasks", "listTasks", "Every task matching the filter, all pages", (o) => Tasks.list(o)),
  getOf("tasks", "getTask", "task", Tasks.get),
  Action.single({
    resource: "tasks",
    name: "create",
    description: "Create a task (assigned_to_user_id is required by Keap)",
    access: "write",
    input: S.CreateUpdateTaskRequest,
    operations: ["createTask"],
    hints: { fields: { assigned_to_user_id: { label: "Assigned To", choicesFrom: userChoice } } },
    run: (input: S.CreateUpdateTaskRequest) => Tasks.create(input as Parameters<typeof Tasks.create>[0]),
  }),
  Action.single({
    resource: "tasks",
    name: "update",
    description: "Update the given fields of a task",
    access: "write",
    operations: ["updateTask"],
    input: TaskUpdate,
    run: ({ id: taskId, ...changes }: typeof TaskUpdate.Type) => Tasks.update(taskId, changes),
  }),
  Action.single({
    resource: "tasks",
    name: "complete",
    description: "Mark a task completed now",
    access: "write",
    operations: ["updateTask"],
    input: Schema.Struct({ id: id("task") }),
    run: (input: { readonly id: string }) => Tasks.complete(input.id),
  }),
  removeOf("tasks", "deleteTask", "task", Tasks.remove),

  Action.stream({
    resource: "notes",
    name: "list",
    description: "Every note of a contact, all pages",
    access: "read",
    operations: ["listNotes"],
    input: NoteList,
    run: ({ contact, ...list }: typeof NoteList.Type) =>
      Stream.unwrap(Effect.map(listOptions(list), (o) => Notes.list(contact, o))),
  }),
  Action.single({
    resource: "notes",
    name: "create",
    description: "Add a note to a contact (user_id, the author, is required by Keap)",
    access: "write",
    input: NoteCreate,
    operations: ["createNote"],
    hints: { fields: { user_id: { label: "Author", choicesFrom: userChoice } } },
    run: ({ contact, ...note }: typeof NoteCreate.Type) => Notes.create(contact, note),
  }),

  fromOperation(Op.getNote, { resource: "notes", name: "get", description: "Get one note of a contact" }),
  fromOperation(Op.updateNote, { resource: "notes", name: "update", description: "Update a note of a contact" }),
  fromOperation(Op.deleteNote, { resource: "notes", name: "delete", description: "Delete a note of a contact" }),

  listOf("opportunities", "listOpportunities", "Every opportunity matching the filter, all pages", (o) =>
    Opportunities.list(o),
  ),
  getOf("opportunities", "getOpportunity", "opportunity", Opportunities.get),
  Action.single({
    resource: "opportunities",
    name: "find",
    description: "The opportunity with this id, or a contact's opportunities",
    access: "read",
    input: FindOpportunity,
    operations: ["getOpportunity", "listOpportunities"],
    run: (input: typeof FindOpportunity.Type) =>
      input.id !== undefined
        ? Action.foundOrNone(Opportunities.get(input.id))
        : firstOf(Opportunities.list({ filter: KeapFilter.eq("contact_id", String(input.contact)) })),
  }),
  Action.single({
    resource: "opportunities",
    name: "create",
    description: "Create an opportunity for a contact in a stage",
    access: "write",
    input: S.CreateOpportunityRequest,
    operations: ["createOpportunity"],
    hints: {
      fields: {
        opportunity_title: { label: "Title" },
        stage_id: { label: "Stage", choicesFrom: stageChoice },
        user_id: { label: "Owner", choicesFrom: userChoice },
      },
    },
    run: (input: S.CreateOpportunityRequest) => Opportunities.create(input),
  }),
  Action.single({
    resource: "opportunities",
    name: "update",
    description: "Update the given fields of an opportunity",
    access: "write",
    operations: ["updateOpportunity"],
    input: OpportunityUpdate,
    run: ({ id: opportunityId, ...changes }: typeof OpportunityUpdate.Type) =>
      Opportunities.update(opportunityId, changes),
  }),
  Action.single({
    resource: "opportunities",
    name: "move",
    description: "Move an opportunity to another stage",
    access: "write",
    input: Schema.Struct({ id: id("opportunity"), stage: id("stage") }),
    operations: ["updateOpportunity"],
    hints: { fields: { stage: { label: "Stage", choicesFrom: stageChoice } } },
    run: (input: { readonly id: string; readonly stage: string }) => Opportunities.moveToStage(input.id, input.stage),
  }),
  fromOperation(Op.deleteOpportunity, {
    resource: "opportunities",
    name: "delete",
    description: "Delete one opportunity by id",
  }),
  listOf("stages", "listOpportunityStages", "Every opportunity stage, all pages", (o) => Opportunities.listStages(o)),

  listOf("companies", "listCompanies", "Every company matching the filter, all pages", (o) => Companies.list(o)),
  getOf("companies", "getCompany", "company", Companies.get),
  listOf("campaigns", "listCampaigns", "Every campaign, all pages", (o) => Campaigns.list(o)),
  fromOperation(Op.getCampaignSequences, {
    resource: "campaigns",
    name: "list-sequences",
    description: "The published sequences of a campaign",
    hints: { unwrap: "sequences" },
  }),
  Action.single({
    resource: "campaigns",
    name: "add-to-sequence",
    description: "Add contacts to a campaign sequence",
    access: "write",
    operations: ["addContactsToCampaignSequence"],
    input: Sequence,
    run: (input: typeof Sequence.Type) => Campaigns.addToSequence(input.campaign, input.sequence, input.contact),
  }),
  Action.single({
    resource: "campaigns",
    name: "remove-from-sequence",
    description: "Remove contacts from a campaign sequence",
    access: "write",
    operations: ["removeContactsFromCampaignSequence"],
    input: Sequence,
    run: (input: typeof Sequence.Type) => Campaigns.removeFromSequence(input.campaign, input.sequence, input.contact),
  }),
  listOf("emails", "listEmails", "Every sent email matching the filter, all pages", (o) => Emails.list(o)),
  Action.single({
    resource: "emails",
    name: "send",
    description: "Send an email to contacts (the bodies as written; Keap's Base64 is done here)",
    access: "write",
    input: EmailSend,
    operations: ["sendEmail"],
    hints: { fields: { user_id: { label: "From User", choicesFrom: userChoice }, contact: { label: "Contact IDs" } } },
    run: ({ contact, user_id, ...email }: typeof EmailSend.Type) =>
      Effect.as(Emails.sendText({ ...email, contacts: [...contact], ...(user_id === undefined ? {} : { user_id }) }), {
        sent: true,
        contacts: contact,
      }),
  }),
  listOf("orders", "listOrders", "Every order matching the filter, all pages", (o) => Orders.list(o)),
  getOf("orders", "getOrder", "order", Orders.get),
  fromOperation(Op.createOrder, { resource: "orders", name: "create", description: "Create an order for a contact" }),
  fromOperation(Op.listOrderPayments, {
    resource: "orders",
    name: "list-payments",
    description: "The payments of an order",
  }),
  listOf("products", "listProducts", "Every product matching the filter, all pages", (o) => Products.list(o)),
  listOf("subscriptions", "listSubscriptions", "Every subscription matching the filter, all pages", (o) =>
    Subscriptions.list(o),
  ),
  fromOperation(Op.getSubscription, {
    resource: "subscriptions",
    name: "get",
    description: "Get one subscription by id",
  }),
  fromOperation(Op.createSubscription, {
    resource: "subscriptions",
    name: "create",
    description: "Create a subscription for a contact",
  }),
  listOf("users", "listPaginatedUsers", "Every user of the account, all pages", (o) => Users.list(o)),
  Action.single({
    resource: "users",
    name: "me",
    description: "The user the credential belongs to",
    access: "read",
    operations: ["getUserInfo"],
    input: Schema.Struct({}),
    run: () => Users.current(),
  }),
]

/** With a typical result each (`hints.sample`), for hosts that show one. */
export const actions: ReadonlyArray<Action.Action<any, unknown, KeapClient>> = Action.withSamples(defined, Samples)

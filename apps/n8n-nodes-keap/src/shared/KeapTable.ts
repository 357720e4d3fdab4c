/**
 * The Keap node's resources and operations: each runs one operation of the Keap catalog
 * (REST v2 unless noted). What the built-in node lacks is here too: opportunities and
 * stages, tasks, notes on v2, custom fields on create and update, bulk tag apply/remove,
 * campaign sequences, subscriptions, orders and payments.
 */
import { Contacts } from "@crmkit/keap"
import { Fields, type OperationTable } from "@crmkit/n8n-shared"

const contactId = (required = true) =>
  Fields.text("contactId", "Contact ID", "ID of the Keap contact", { param: "contact_id" }, { required })
const filter = (example: string) =>
  Fields.text("filter", "Filter", `Keap filter expression, kept on every page, e.g. ${example}`, { param: "filter" })
const orderBy = Fields.text("orderBy", "Order By", "Sort order, e.g. 'id desc'", { param: "order_by" })
const additional = Fields.json(
  "additionalFields",
  "Additional Fields (JSON)",
  "Other body fields of the Keap API, as a JSON object",
  "bodyJson",
)
// The shaping of emails and custom fields is the provider's (`Contacts.withShorthands`).
const customFields = Fields.customFields(
  "getContactCustomFields",
  { body: "custom_fields" },
  (pairs) => Contacts.withShorthands({ customFields: pairs }).custom_fields,
)
const email = Fields.text(
  "email",
  "Email",
  "Primary email address",
  { body: "email_addresses" },
  {
    placeholder: "name@email.com",
  },
)
const emailField = {
  ...email,
  map: (value: unknown) => Contacts.withShorthands({ email: String(value) }).email_addresses,
}
const givenName = Fields.text("firstName", "First Name", "Given name", { body: "given_name" })
const familyName = Fields.text("lastName", "Last Name", "Family name", { body: "family_name" })
const userId = (to: string, required: boolean) =>
  Fields.dynamic("userId", "User", "The Keap user", "getUsers", { body: to }, { required })

const contactIds = Fields.idList("contactIds", "Contact IDs", "Comma-separated contact IDs", { body: "contact_ids" })
const tagContacts = [
  Fields.dynamic("tagId", "Tag", "The tag", "getTags", { param: "tag_id" }, { required: true }),
  contactIds,
]
const sequenceContacts = [
  Fields.text("campaignId", "Campaign ID", "ID of the campaign", { param: "campaign_id" }, { required: true }),
  Fields.text("sequenceId", "Sequence ID", "ID of the sequence", { param: "sequence_id" }, { required: true }),
  contactIds,
]

export const table: OperationTable.OperationTable = {
  resources: [
    { value: "contact", name: "Contact", description: "People in Keap" },
    { value: "contactTag", name: "Contact Tag", description: "Tags applied to contacts, in bulk" },
    { value: "tag", name: "Tag", description: "Tags of the account" },
    { value: "note", name: "Note", description: "Notes on a contact" },
    { value: "task", name: "Task", description: "Tasks assigned to users" },
    { value: "opportunity", name: "Opportunity", description: "Deals in the sales pipeline" },
    { value: "campaign", name: "Campaign", description: "Campaigns and their sequences" },
    { value: "order", name: "Order", description: "Orders and their payments" },
    { value: "subscription", name: "Subscription", description: "Recurring subscriptions" },
  ],
  operations: [
    // Contacts
    {
      resource: "contact",
      value: "create",
      name: "Create",
      action: "Create a contact",
      description: "Create a contact, with custom fields",
      operationId: "createContact",
      fields: [emailField, givenName, familyName, customFields, additional],
    },
    {
      resource: "contact",
      value: "get",
      name: "Get",
      action: "Get a contact",
      description: "Get one contact by ID",
      operationId: "getContact",
      fields: [
        contactId(),
        Fields.text("fields", "Fields", "Extra fields to include, e.g. custom_fields,tag_ids", { param: "fields" }),
      ],
    },
    {
      resource: "contact",
      value: "getAll",
      name: "Get Many",
      action: "Get many contacts",
      description: "List contacts matching a filter",
      operationId: "listContacts",
      fields: [
        filter("email==jane@example.com"),
        orderBy,
        Fields.text("fields", "Fields", "Extra fields to include, e.g. custom_fields,tag_ids", { param: "fields" }),
      ],
    },
    {
      resource: "contact",
      value: "update",
      name: "Update",
      action: "Update a contact",
      description: "Update a contact by ID, including custom fields",
      operationId: "updateContact",
      fields: [contactId(), emailField, givenName, familyName, customFields, additional],
    },
    {
      resource: "contact",
      value: "delete",
      name: "Delete",
      action: "Delete a contact",
      description: "Delete a contact by ID",
      operationId: "deleteContact",
      fields: [contactId()],
    },
    // Contact tags
    {
      resource: "contactTag",
      value: "apply",
      name: "Apply",
      action: "Apply a tag to contacts",
      description: "Apply one tag to a list of contacts",
      operationId: "applyTags",
      fields: tagContacts,
    },
    {
      resource: "contactTag",
      value: "remove",
      name: "Remove",
      action: "Remove a tag from contacts",
      description: "Remove one tag from a list of contacts",
      operationId: "removeTags",
      fields: tagContacts,
    },
    {
      resource: "contactTag",
      value: "getAll",
      name: "Get Many",
      action: "Get many tags of a contact",
      description: "List the tags applied to a contact",
      operationId: "listTagsForContact",
      fields: [contactId()],
    },
    // Tags
    {
      resource: "tag",
      value: "create",
      name: "Create",
      action: "Create a tag",
      description: "Create a tag",
      operationId: "createTag",
      fields: [
        Fields.text("name", "Name", "Tag name", { body: "name" }, { required: true }),
        Fields.text("description", "Description", "Tag description", { body: "description" }),
      ],
    },
    {
      resource: "tag",
      value: "getAll",
      name: "Get Many",
      action: "Get many tags",
      description: "List tags",
      operationId: "listTags",
      fields: [filter("name==VIP"), orderBy],
    },
    // Notes (v2)
    {
      resource: "note",
      value: "create",
      name: "Create",
      action: "Create a note",
      description: "Add a note to a contact",
      operationId: "createNote",
      fields: [
        contactId(),
        userId("user_id", true),
        Fields.text("title", "Title", "Note title", { body: "title" }),
        Fields.text("text", "Text", "Note body", { body: "text" }),
        additional,
      ],
    },
    {
      resource: "note",
      value: "get",
      name: "Get",
      action: "Get a note",
      description: "Get one note of a contact",
      operationId: "getNote",
      fields: [
        contactId(),
        Fields.text("noteId", "Note ID", "ID of the note", { param: "note_id" }, { required: true }),
      ],
    },
    {
      resource: "note",
      value: "getAll",
      name: "Get Many",
      action: "Get many notes",
      description: "List the notes of a contact",
      operationId: "listNotes",
      fields: [contactId(), filter("user_id==1")],
    },
    {
      resource: "note",
      value: "update",
      name: "Update",
      action: "Update a note",
      description: "Update a note of a contact",
      operationId: "updateNote",
      fields: [
        contactId(),
        Fields.text("noteId", "Note ID", "ID of the note", { param: "note_id" }, { required: true }),
        Fields.text("title", "Title", "Note title", { body: "title" }),
        Fields.text("text", "Text", "Note body", { body: "text" }),
        additional,
      ],
    },
    {
      resource: "note",
      value: "delete",
      name: "Delete",
      action: "Delete a note",
      description: "Delete a note of a contact",
      operationId: "deleteNote",
      fields: [
        contactId(),
        Fields.text("noteId", "Note ID", "ID of the note", { param: "note_id" }, { required: true }),
      ],
    },
    // Tasks
    {
      resource: "task",
      value: "create",
      name: "Create",
      action: "Create a task",
      description: "Create a task assigned to a user",
      operationId: "createTask",
      fields: [
        Fields.text("title", "Title", "Task title", { body: "title" }, { required: true }),
        userId("assigned_to_user_id", true),
        Fields.text("contactId", "Contact ID", "Contact the task is about", { body: "contact_id" }),
        Fields.text("dueTime", "Due Time", "ISO 8601 date-time", { body: "due_time" }),
        additional,
      ],
    },
    {
      resource: "task",
      value: "get",
      name: "Get",
      action: "Get a task",
      description: "Get one task by ID",
      operationId: "getTask",
      fields: [Fields.text("taskId", "Task ID", "ID of the task", { param: "task_id" }, { required: true })],
    },
    {
      resource: "task",
      value: "getAll",
      name: "Get Many",
      action: "Get many tasks",
      description: "List tasks matching a filter",
      operationId: "listTasks",
      fields: [filter("contact_id==12"), orderBy],
    },
    {
      resource: "task",
      value: "update",
      name: "Update",
      action: "Update a task",
      description: "Update a task by ID",
      operationId: "updateTask",
      fields: [
        Fields.text("taskId", "Task ID", "ID of the task", { param: "task_id" }, { required: true }),
        Fields.text("title", "Title", "Task title", { body: "title" }),
        Fields.boolean("completed", "Completed", "Whether the task is done", { body: "completed" }),
        additional,
      ],
    },
    {
      resource: "task",
      value: "delete",
      name: "Delete",
      action: "Delete a task",
      description: "Delete a task by ID",
      operationId: "deleteTask",
      fields: [Fields.text("taskId", "Task ID", "ID of the task", { param: "task_id" }, { required: true })],
    },
    // Opportunities and stages
    {
      resource: "opportunity",
      value: "create",
      name: "Create",
      action: "Create an opportunity",
      description: "Create an opportunity for a contact in a stage",
      operationId: "createOpportunity",
      fields: [
        Fields.text("title", "Title", "Opportunity title", { body: "opportunity_title" }, { required: true }),
        Fields.text("contactId", "Contact ID", "The contact of the deal", { body: "contact_id" }, { required: true }),
        Fields.dynamic("stageId", "Stage", "The pipeline stage", "getStages", { body: "stage_id" }, { required: true }),
        additional,
      ],
    },
    {
      resource: "opportunity",
      value: "get",
      name: "Get",
      action: "Get an opportunity",
      description: "Get one opportunity by ID",
      operationId: "getOpportunity",
      fields: [
        Fields.text(
          "opportunityId",
          "Opportunity ID",
          "ID of the opportunity",
          { param: "opportunity_id" },
          {
            required: true,
          },
        ),
      ],
    },
    {
      resource: "opportunity",
      value: "getAll",
      name: "Get Many",
      action: "Get many opportunities",
      description: "List opportunities matching a filter",
      operationId: "listOpportunities",
      fields: [filter("stage_id==2"), orderBy],
    },
    {
      resource: "opportunity",
      value: "getStages",
      name: "Get Stages",
      action: "Get many opportunity stages",
      description: "List the stages of the sales pipeline",
      operationId: "listOpportunityStages",
    },
    {
      resource: "opportunity",
      value: "update",
      name: "Update",
      action: "Update an opportunity",
      description: "Update an opportunity, e.g. move it to another stage",
      operationId: "updateOpportunity",
      fields: [
        Fields.text(
          "opportunityId",
          "Opportunity ID",
          "ID of the opportunity",
          { param: "opportunity_id" },
          {
            required: true,
          },
        ),
        Fields.dynamic("stageId", "Stage", "The new pipeline stage", "getStages", { body: "stage_id" }),
        additional,
      ],
    },
    {
      resource: "opportunity",
      value: "delete",
      name: "Delete",
      action: "Delete an opportunity",
      description: "Delete an opportunity by ID",
      operationId: "deleteOpportunity",
      fields: [
        Fields.text(
          "opportunityId",
          "Opportunity ID",
          "ID of the opportunity",
          { param: "opportunity_id" },
          {
            required: true,
          },
        ),
      ],
    },
    // Campaigns and sequences
    {
      resource: "campaign",
      value: "getAll",
      name: "Get Many",
      action: "Get many campaigns",
      description: "List campaigns",
      operationId: "listCampaigns",
      fields: [filter("name==Welcome"), orderBy],
    },
    {
      resource: "campaign",
      value: "getSequences",
      name: "Get Sequences",
      action: "Get the sequences of a campaign",
      description: "List the sequences of one campaign",
      operationId: "getCampaignSequences",
      fields: [
        Fields.text("campaignId", "Campaign ID", "ID of the campaign", { param: "campaign_id" }, { required: true }),
      ],
    },
    {
      resource: "campaign",
      value: "addToSequence",
      name: "Add Contacts to Sequence",
      action: "Add contacts to a campaign sequence",
      description: "Start contacts in a campaign sequence",
      operationId: "addContactsToCampaignSequence",
      fields: sequenceContacts,
    },
    {
      resource: "campaign",
      value: "removeFromSequence",
      name: "Remove Contacts From Sequence",
      action: "Remove contacts from a campaign sequence",
      description: "Stop contacts in a campaign sequence",
      operationId: "removeContactsFromCampaignSequence",
      fields: sequenceContacts,
    },
    // Orders and payments
    {
      resource: "order",
      value: "create",
      name: "Create",
      action: "Create an order",
      description: "Create an order; the body follows Keap's Create Order request",
      operationId: "createOrder",
      fields: [Fields.json("order", "Order (JSON)", "The order, e.g. contact_id, order_items", "bodyJson")],
    },
    {
      resource: "order",
      value: "get",
      name: "Get",
      action: "Get an order",
      description: "Get one order by ID",
      operationId: "getOrder",
      fields: [Fields.text("orderId", "Order ID", "ID of the order", { param: "order_id" }, { required: true })],
    },
    {
      resource: "order",
      value: "getAll",
      name: "Get Many",
      action: "Get many orders",
      description: "List orders matching a filter",
      operationId: "listOrders",
      fields: [filter("contact_id==12"), orderBy],
    },
    {
      resource: "order",
      value: "getPayments",
      name: "Get Payments",
      action: "Get the payments of an order",
      description: "List the payments of one order",
      operationId: "listOrderPayments",
      fields: [Fields.text("orderId", "Order ID", "ID of the order", { param: "order_id" }, { required: true })],
    },
    // Subscriptions
    {
      resource: "subscription",
      value: "create",
      name: "Create",
      action: "Create a subscription",
      description: "Create a subscription; the body follows Keap's Create Subscription request",
      operationId: "createSubscription",
      fields: [Fields.json("subscription", "Subscription (JSON)", "The subscription fields", "bodyJson")],
    },
    {
      resource: "subscription",
      value: "get",
      name: "Get",
      action: "Get a subscription",
      description: "Get one subscription by ID",
      operationId: "getSubscription",
      fields: [
        Fields.text(
          "subscriptionId",
          "Subscription ID",
          "ID of the subscription",
          { param: "subscription_id" },
          {
            required: true,
          },
        ),
      ],
    },
    {
      resource: "subscription",
      value: "getAll",
      name: "Get Many",
      action: "Get many subscriptions",
      description: "List subscriptions matching a filter",
      operationId: "listSubscriptions",
      fields: [filter("contact_id==12"), orderBy],
    },
  ],
}

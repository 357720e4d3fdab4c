/**
 * The HighLevel Zapier app, derived from HighLevel's connector: which actions, searches and
 * feeds it shows, under the keys existing zaps use. `index.ts` ships the OAuth app; the
 * Private Integration Token variant (`keyApp.ts`) is the same surface for one location
 * (Zapier allows one authentication type per integration).
 */
import { createRequire } from "node:module"
import { connector } from "@crmkit/ghl/connector"
import { ApiRequest, Auth, Connection, Definitions, Derive } from "@crmkit/zapier-shared"
import zapier from "zapier-platform-core"

const version = (createRequire(import.meta.url)("../package.json") as { version: string }).version
const runtime = await connector.load()
const catalog = await runtime.catalog()
const registry = await runtime.operations()
const connection = Connection.make(runtime, { keyField: "private_integration_token" })
const contact = {
  key: "contact_id",
  label: "Contact",
  helpText: "Use a Find Contact step to look the contact up by email or phone.",
  zapier: { dynamic: "new_contact.id.email", search: "find_contact.id" },
}
// Field words of every action, by field name: the keys existing zaps use.
const derive = Derive.make(connection, {
  registry,
  words: {
    contact,
    contactId: contact,
    pipelineId: { key: "pipeline_id", zapier: { altersDynamicFields: true } },
    pipelineStageId: { key: "stage_id", helpText: "Stages of the chosen pipeline." },
    calendarId: { key: "calendar_id", label: "Calendar" },
    workflow: { key: "workflow_id" },
    task: { key: "task_id", zapier: { dynamic: "new_task.id.title" } },
    body: { type: "text" },
    message: { type: "text" },
    dueDate: { type: "datetime" },
    startTime: { type: "datetime" },
    endTime: { type: "datetime" },
  },
})

const person = ["email", "phone", "firstName", "lastName", "companyName", "source", "tags", "customFields"]
const deal = ["name", "pipelineId", "pipelineStageId", "status", "monetaryValue", "assignedTo"]
const byName = (resource: string) => ({ resource, name: "list", value: "name", label: "name", items: resource })
const opportunity = { key: "opportunity_id", label: "Opportunity", zapier: { dynamic: "new_opportunity.id.name" } }

const creates = [
  derive.create({
    key: "create_contact",
    action: "contacts.upsert",
    noun: "Contact",
    label: "Create or Update Contact",
    description: "Creates a new contact, or updates the contact with the same email or phone.",
    fields: person,
    atLeastOne: ["email", "phone"],
  }),
  derive.create({
    key: "update_contact",
    action: "contacts.update",
    noun: "Contact",
    fields: ["id", ...person.filter((f) => f !== "companyName")],
    words: { id: contact },
  }),
  ...(["add", "remove"] as const).map((verb) =>
    derive.create({
      key: verb === "add" ? "apply_tag" : "remove_tag",
      action: `contacts.${verb}-tags`,
      noun: "Tag",
      label: verb === "add" ? "Apply Tag to Contact" : "Remove Tag From Contact",
      // Tags are applied by name in HighLevel, so the name is the value.
      words: { tags: { choicesFrom: byName("tags") } },
    }),
  ),
  derive.create({
    key: "create_task",
    action: "tasks.create",
    noun: "Task",
    fields: ["contact", "title", "body", "dueDate", "assignedTo"],
    defaults: { completed: false },
  }),
  derive.create({ key: "complete_task", action: "tasks.complete", noun: "Task", unwrap: "task" }),
  derive.create({
    key: "create_note",
    action: "notes.create",
    noun: "Note",
    fields: ["contact", "body"],
  }),
  derive.create({
    key: "create_opportunity",
    action: "opportunities.create",
    noun: "Opportunity",
    fields: ["contactId", ...deal],
    defaults: { status: "open" },
  }),
  derive.create({
    key: "update_opportunity",
    action: "opportunities.update",
    noun: "Opportunity",
    fields: ["id", ...deal],
    words: { id: opportunity },
  }),
  derive.create({
    key: "add_to_workflow",
    action: "contacts.add-to-workflow",
    noun: "Workflow",
    label: "Add Contact to Workflow",
  }),
  derive.create({
    key: "send_sms",
    action: "messages.send-sms",
    noun: "Message",
    label: "Send SMS",
  }),
  derive.create({
    key: "send_email",
    action: "messages.send-email",
    noun: "Message",
    label: "Send Email",
    words: { html: { label: "Body (HTML)", type: "text" }, message: { label: "Body (Plain Text)" } },
    atLeastOne: ["html", "message"],
  }),
  derive.create({
    key: "book_appointment",
    action: "appointments.book",
    noun: "Appointment",
    fields: ["contactId", "calendarId", "startTime", "endTime", "title"],
  }),
  ApiRequest.forConnection(connection, catalog, registry, {
    example: '{"contactId": "abc"}',
  }),
]

const searches = derive.finds()

const pipeline = { key: "pipeline_id", label: "Pipeline", required: false, dynamic: "pipeline_list.id.name" }

const triggers = [
  derive.feedTrigger({ key: "new_contact", feed: "contacts.created", noun: "Contact" }),
  derive.feedTrigger({
    key: "contact_updated",
    feed: "contacts.updated",
    noun: "Contact",
  }),
  derive.feedTrigger({
    key: "new_opportunity",
    feed: "opportunities.created",
    noun: "Opportunity",
    inputFields: [pipeline],
    match: { pipeline_id: "pipelineId" },
  }),
  // Updates of opportunities that moved them to another stage: only a stage move is new to Zapier.
  derive.feedTrigger({
    key: "opportunity_stage_changed",
    feed: "opportunities.updated",
    noun: "Opportunity",
    label: "Opportunity Stage Changed",
    description: "Triggers when an opportunity moves to another pipeline stage.",
    inputFields: [pipeline],
    match: { pipeline_id: "pipelineId" },
    idParts: ["pipelineStageId", "lastStageChangeAt"],
  }),
  derive.feedTrigger({
    key: "new_appointment",
    feed: "appointments.created",
    noun: "Appointment",
    label: "New Appointment",
    inputFields: [{ key: "calendar_id", label: "Calendar", required: false, dynamic: "calendar_list.id.name" }],
    match: { calendar_id: "calendarId" },
  }),
  // HighLevel lists tasks and notes per contact: these triggers watch one contact.
  derive.listTrigger({ key: "new_task", action: "tasks.list", noun: "Task" }),
  derive.listTrigger({ key: "new_note", action: "notes.list", noun: "Note" }),
]

const dropdowns = [...derive.dropdowns(), ApiRequest.dropdown(catalog, runtime.risks)]
const test = { operation: "get-location", unwrap: "location" }
const auth = Auth.make(connection, {
  test: derive.read(test),
  label: ["name"],
  scopes: Auth.scopes(connection, derive.used(), catalog, [test.operation]),
})

export const makeApp = (variant: "oauth2" | "key") =>
  Definitions.app({
    version,
    platformVersion: zapier.version,
    authentication: variant === "oauth2" ? auth.oauth2() : auth.key(),
    triggers: [...triggers, ...dropdowns],
    creates,
    searches,
    searchOrCreates: [
      {
        search: "find_contact",
        create: "create_contact",
        label: "Find or Create Contact",
        description: "Finds a contact by email, phone or id, or creates one when none matches.",
      },
    ],
  })

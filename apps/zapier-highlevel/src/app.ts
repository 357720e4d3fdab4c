/**
 * The HighLevel Zapier app, derived from HighLevel's connector: which actions, searches and
 * feeds it shows, under the keys existing zaps use. `index.ts` ships the OAuth app; the
 * Private Integration Token variant (`keyApp.ts`) is the same surface for one location
 * (Zapier allows one authentication type per integration).
 */
import { createRequire } from "node:module"
import { Action } from "@crmkit/core"
import { GhlConfig } from "@crmkit/ghl"
import { connector } from "@crmkit/ghl/connector"
import { ApiRequest, Auth, Connection, Definitions, Derive } from "@crmkit/zapier-shared"
import { Effect } from "effect"
import zapier from "zapier-platform-core"
import * as Samples from "./samples.ts"

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
// The newest opportunities (`order=added_desc`), until the provider's `opportunities.search` takes an order.
const newest = Action.fromOperation(registry, Effect.runSync(registry.lookup("search-opportunity")), {
  resource: "opportunities",
  name: "newest",
})
const derive = Derive.make(connection, {
  registry,
  actions: [newest],
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
const byId = (resource: string) => ({ resource, name: "list", value: "id", label: "name", items: resource })
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
    sample: Samples.contact,
  }),
  derive.create({
    key: "update_contact",
    action: "contacts.update",
    noun: "Contact",
    fields: ["id", ...person.filter((f) => f !== "companyName")],
    words: { id: contact },
    sample: Samples.contact,
  }),
  ...(["add", "remove"] as const).map((verb) =>
    derive.create({
      key: verb === "add" ? "apply_tag" : "remove_tag",
      action: `contacts.${verb}-tags`,
      noun: "Tag",
      label: verb === "add" ? "Apply Tag to Contact" : "Remove Tag From Contact",
      // Tags are applied by name in HighLevel, so the name is the value.
      words: { tags: { choicesFrom: byName("tags") } },
      sample: Samples.tagChange,
    }),
  ),
  derive.create({
    key: "create_task",
    action: "tasks.create",
    noun: "Task",
    fields: ["contact", "title", "body", "dueDate", "assignedTo"],
    defaults: { completed: false },
    sample: Samples.task,
  }),
  derive.create({ key: "complete_task", action: "tasks.complete", noun: "Task", unwrap: "task", sample: Samples.task }),
  derive.create({
    key: "create_note",
    action: "notes.create",
    noun: "Note",
    fields: ["contact", "body"],
    sample: Samples.note,
  }),
  derive.create({
    key: "create_opportunity",
    action: "opportunities.create",
    noun: "Opportunity",
    fields: ["contactId", ...deal],
    defaults: { status: "open" },
    sample: Samples.opportunity,
  }),
  derive.create({
    key: "update_opportunity",
    action: "opportunities.update",
    noun: "Opportunity",
    fields: ["id", ...deal],
    words: { id: opportunity },
    sample: Samples.opportunity,
  }),
  derive.create({
    key: "add_to_workflow",
    action: "contacts.add-to-workflow",
    noun: "Workflow",
    label: "Add Contact to Workflow",
    sample: Samples.workflowEnrolment,
  }),
  derive.create({
    key: "send_sms",
    action: "messages.send-sms",
    noun: "Message",
    label: "Send SMS",
    sample: Samples.message,
  }),
  derive.create({
    key: "send_email",
    action: "messages.send-email",
    noun: "Message",
    label: "Send Email",
    words: { html: { label: "Body (HTML)", type: "text" }, message: { label: "Body (Plain Text)" } },
    atLeastOne: ["html", "message"],
    sample: Samples.message,
  }),
  derive.create({
    key: "book_appointment",
    action: "appointments.book",
    noun: "Appointment",
    fields: ["contactId", "calendarId", "startTime", "endTime", "title"],
    sample: Samples.appointment,
  }),
  ApiRequest.forConnection(connection, catalog, registry, {
    example: '{"contactId": "abc"}',
    sample: Samples.apiResponse,
  }),
]

const searches = derive.finds(
  (noun) => ({ Contact: Samples.contact, Opportunity: Samples.opportunity })[noun] ?? Samples.tag,
)

const pipeline = { key: "pipeline_id", label: "Pipeline", choicesFrom: byId("pipelines") }
const DAY = 86_400_000

const triggers = [
  derive.feedTrigger({ key: "new_contact", feed: "contacts.created", noun: "Contact", sample: Samples.contact }),
  derive.feedTrigger({
    key: "contact_updated",
    feed: "contacts.updated",
    noun: "Contact",
    sample: Samples.contactUpdate,
  }),
  derive.feedTrigger({
    key: "new_opportunity",
    feed: "opportunities.created",
    noun: "Opportunity",
    inputFields: [{ key: "pipeline_id", label: "Pipeline", required: false, dynamic: "pipeline_list.id.name" }],
    match: { pipeline_id: "pipelineId" },
    sample: Samples.opportunity,
  }),
  // No feed watches stage moves yet: the latest moves among the newest 100 opportunities.
  derive.listTrigger({
    key: "opportunity_stage_changed",
    action: "opportunities.newest",
    noun: "Opportunity",
    label: "Opportunity Stage Changed",
    description: "Triggers when an opportunity moves to another pipeline stage.",
    fields: ["pipeline_id"],
    words: { pipeline_id: pipeline },
    defaults: { order: "added_desc" },
    newest: "lastStageChangeAt",
    idParts: ["pipelineStageId", "lastStageChangeAt"],
    sample: Samples.stageChange,
  }),
  // Appointments that start from a week ago to a year ahead, newest booking first.
  derive.listTrigger({
    key: "new_appointment",
    action: "calendars.list-events",
    noun: "Appointment",
    fields: ["calendarId"],
    words: { calendarId: { required: true, choicesFrom: byId("calendars") } },
    defaults: { startTime: () => String(Date.now() - 7 * DAY), endTime: () => String(Date.now() + 365 * DAY) },
    sample: Samples.appointment,
  }),
  // HighLevel lists tasks and notes per contact: these triggers watch one contact.
  derive.listTrigger({ key: "new_task", action: "tasks.list", noun: "Task", sample: Samples.task }),
  derive.listTrigger({ key: "new_note", action: "notes.list", noun: "Note", sample: Samples.note }),
]

const dropdowns = [...derive.dropdowns(), ApiRequest.dropdown(catalog, runtime.risks)]
const test = { operation: "get-location", unwrap: "location" }
const auth = Auth.make(connection, {
  test: derive.read(test),
  label: ["name"],
  scopes: Auth.scopes(connection, derive.used(), catalog, [test.operation]),
  consentPage: {
    key: "marketplace",
    label: "Marketplace",
    helpText: "Agencies that rebrand HighLevel sign in on the white-label marketplace.",
    choices: [
      { value: "standard", label: "HighLevel (marketplace.gohighlevel.com)", url: GhlConfig.defaults.authorizeUrl },
      {
        value: "white_label",
        label: "White-Label (marketplace.leadconnectorhq.com)",
        url: GhlConfig.defaults.whiteLabelAuthorizeUrl,
      },
    ],
  },
  contextHelp: {
    locationId: "The sub-account's id, shown under [Settings → Business Profile](https://app.gohighlevel.com/).",
  },
  keyHelp:
    "Create one in the sub-account under Settings → Private Integrations ([guide](https://help.gohighlevel.com/support/solutions/articles/155000003054)).",
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

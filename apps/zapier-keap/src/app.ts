/**
 * The Keap Zapier app, derived from Keap's connector: which actions, searches and REST-hook
 * events it shows, under the keys existing zaps use. `index.ts` ships the OAuth app; the
 * API-key variant (`keyApp.ts`) is the same surface for a Personal Access Token or Service
 * Account Key (Zapier allows one authentication type per integration).
 */
import { createRequire } from "node:module"
import { connector } from "@crmkit/keap/connector"
import { ApiRequest, Auth, Connection, Definitions, Derive, Forms } from "@crmkit/zapier-shared"

const { titleCase } = Forms

import zapier from "zapier-platform-core"

const version = (createRequire(import.meta.url)("../package.json") as { version: string }).version
const runtime = await connector.load()
const catalog = await runtime.catalog()
const registry = await runtime.operations()
const connection = Connection.make(runtime)
const derive = Derive.make(connection, { registry })

const contact = {
  key: "contact_id",
  label: "Contact",
  zapier: { dynamic: "new_contact.id.given_name", search: "find_contact.id" },
}
const contacts = { ...contact, label: "Contacts" }
const list = (resource: string, more = {}) => ({
  choicesFrom: { resource, name: "list", value: "id", label: "name", ...more },
})
const person = ["email", "given_name", "family_name", "phone", "custom_fields"]
const opportunity = {
  key: "opportunity_id",
  label: "Opportunity",
  zapier: { dynamic: "new_opportunity.id.opportunity_title", search: "find_opportunity.id" },
}

const creates = [
  derive.create({
    key: "create_contact",
    action: "contacts.create",
    noun: "Contact",
    label: "Create or Update Contact",
    description: "Creates a new contact, or updates the contact with the same email.",
    fields: [...person, "duplicate_option"],
    words: {
      duplicate_option: { label: "Update the Contact Matching", helpText: "Email: the contact with the same email." },
    },
    defaults: { duplicate_option: "Email" },
    atLeastOne: ["email", "given_name", "family_name"],
  }),
  derive.create({
    key: "update_contact",
    action: "contacts.update",
    noun: "Contact",
    fields: ["id", ...person],
    words: { id: contact },
  }),
  ...(["apply", "remove"] as const).map((verb) =>
    derive.create({
      key: `${verb}_tag`,
      action: `tags.${verb}`,
      noun: "Tag",
      label: verb === "apply" ? "Apply Tag to Contact" : "Remove Tag From Contact",
      words: { contact: contacts, tag: { key: "tag_id", zapier: { search: "find_tag.id" } } },
    }),
  ),
  derive.create({
    key: "create_task",
    action: "tasks.create",
    noun: "Task",
    fields: ["title", "description", "due_time", "contact_id", "assigned_to_user_id"],
    words: {
      title: { required: true },
      due_time: { label: "Due Date", type: "datetime" },
      contact_id: contact,
      assigned_to_user_id: { required: true },
    },
  }),
  derive.create({
    key: "complete_task",
    action: "tasks.complete",
    noun: "Task",
    words: { id: { key: "task_id", label: "Task", zapier: { dynamic: "new_task.id.title" } } },
  }),
  derive.create({
    key: "create_note",
    action: "notes.create",
    noun: "Note",
    fields: ["contact", "title", "text", "user_id"],
    words: { contact, text: { type: "text" } },
  }),
  derive.create({
    key: "create_opportunity",
    action: "opportunities.create",
    noun: "Opportunity",
    fields: ["opportunity_title", "contact_id", "stage_id", "user_id", "projected_revenue_high"],
    words: { contact_id: contact, projected_revenue_high: { label: "Projected Revenue", type: "string" } },
  }),
  derive.create({
    key: "update_opportunity",
    action: "opportunities.update",
    noun: "Opportunity",
    description: "Updates an opportunity's title or moves it to another stage.",
    fields: ["id", "opportunity_title", "stage_id"],
    words: { id: opportunity, stage_id: { label: "Stage", ...list("stages") } },
  }),
  derive.create({
    key: "add_to_sequence",
    action: "campaigns.add-to-sequence",
    noun: "Sequence",
    label: "Add Contact to Campaign Sequence",
    // Every campaign's sequences (the sandbox has no `GET /v2/campaigns/{id}/sequences` for `list-sequences` yet).
    words: { contact: contacts, campaign: list("campaigns"), sequence: list("campaigns", { items: "sequences" }) },
  }),
  derive.create({
    key: "send_email",
    action: "emails.send",
    noun: "Email",
    words: {
      contact: contacts,
      html: { key: "html_content", label: "Body (HTML)", type: "text" },
      plain: { key: "plain_content", label: "Body (Plain Text)", type: "text" },
    },
    atLeastOne: ["html", "plain"],
  }),
  ApiRequest.forConnection(connection, catalog, registry, {
    example: '{"contact_id": "12"}',
  }),
]

const searches = derive.finds()

const newest = (field: string) => ({ order_by: field, order: "desc" })
const added = { action: "contacts.list", input: newest("create_time") }
const edited = { action: "contacts.list", input: newest("update_time") }
const notes = { operation: "listAllNotes", input: { order_by: "create_time desc" } }
const hook = (key: string, event: string, noun: string, when: string, recent: Derive.Source | string, more = {}) =>
  derive.hookTrigger({
    ...{ key, event, noun, label: titleCase(key), description: `Triggers when ${when}.` },
    ...{ recent: typeof recent === "string" ? { action: recent } : recent, ...more },
  })
const tagHook = (verb: "applied" | "removed", to: "to" | "from") =>
  hook(`tag_${verb}`, `contactGroup.${verb}`, "Tag", `a tag is ${verb} ${to} a contact`, "tags.list", {
    label: `Tag ${titleCase(verb)} ${to === "to" ? "to" : "From"} Contact`,
  })
const opportunities = "opportunities.list"

const hooks = [
  hook("new_contact", "contact.add", "Contact", "a contact is created", added),
  hook("contact_updated", "contact.edit", "Contact", "a contact's details change", edited, {
    label: "Updated Contact",
  }),
  tagHook("applied", "to"),
  tagHook("removed", "from"),
  hook("new_opportunity", "opportunity.add", "Opportunity", "an opportunity is created", opportunities),
  hook("opportunity_stage_moved", "opportunity.stage_move", "Opportunity", "an opportunity moves", opportunities),
  hook("new_order", "order.add", "Order", "an order is placed", "orders.list"),
  hook("new_task", "task.add", "Task", "a task is created", "tasks.list"),
  hook("new_note", "note.add", "Note", "a note is added to a contact", notes),
]

const auth = Auth.make(connection, {
  test: derive.read({ action: "users.me" }),
  label: ["email", "tenant_id"],
})

export const makeApp = (variant: "oauth2" | "key") =>
  Definitions.app({
    version,
    platformVersion: zapier.version,
    authentication: variant === "oauth2" ? auth.oauth2() : auth.key(),
    triggers: [...hooks, ...derive.dropdowns(), ApiRequest.dropdown(catalog, runtime.risks)],
    creates,
    searches,
    searchOrCreates: [
      {
        search: "find_contact",
        create: "create_contact",
        label: "Find or Create Contact",
        description: "Finds a contact by email, or creates one when none matches.",
      },
    ],
  })

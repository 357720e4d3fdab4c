/** The instant (REST hook) triggers: one per Keap event a Zap is likely to start from. */
import { Contacts, KeapFilter, Notes, Opportunities, Orders, Tags, Tasks } from "@crmkit/keap"
import { Results } from "@crmkit/zapier-shared"
import { Effect } from "effect"
import { hookTrigger, hydrateByType } from "../hookTrigger.ts"
import { contactRow, type Row, row } from "../records.ts"
import * as Samples from "../samples.ts"

const take = Results.first

const recentContacts = (orderField: "create_time" | "update_time") => (limit: number) =>
  Effect.map(take(Contacts.list({ orderBy: { field: orderField, direction: "desc" }, pageSize: limit }), limit), (cs) =>
    cs.map(contactRow),
  )

const contactHydrate = (eventKey: string) => (key: Parameters<typeof hydrateByType>[0]) =>
  Effect.map(hydrateByType(key, eventKey), (found) => (found === undefined ? undefined : contactRow(found as never)))

/** A tag event names the tag; the row says which tag, when, and for which contacts if Keap lists them. */
const tagEvent = (key: Parameters<typeof hydrateByType>[0]) =>
  Effect.map(Tags.get(String(key.id)), (tag): Row => {
    const contacts = (key as { contactDetails?: ReadonlyArray<{ id?: unknown }> }).contactDetails ?? []
    return {
      id: `${tag.id}-${key.timestamp ?? ""}`,
      tag_id: String(tag.id),
      tag_name: tag.name ?? null,
      contact_ids: contacts.map((c) => String(c.id)),
      timestamp: key.timestamp ?? null,
    }
  })

const recentTagEvents = (limit: number) =>
  Effect.map(take(Tags.list({ pageSize: limit }), limit), (tags) =>
    tags.map(
      (tag): Row => ({
        id: `${tag.id}-${tag.update_time ?? ""}`,
        tag_id: String(tag.id),
        tag_name: tag.name ?? null,
        contact_ids: [],
        timestamp: tag.update_time ?? tag.create_time ?? null,
      }),
    ),
  )

const byType = (eventKey: string) => (key: Parameters<typeof hydrateByType>[0]) =>
  Effect.map(hydrateByType(key, eventKey), (found) => (found === undefined ? undefined : row(found)))

export const newContact = hookTrigger({
  key: "new_contact",
  noun: "Contact",
  label: "New Contact",
  description: "Triggers when a contact is created.",
  eventKey: "contact.add",
  hydrate: contactHydrate("contact.add"),
  recent: recentContacts("create_time"),
  sample: Samples.contact,
})

export const contactUpdated = hookTrigger({
  key: "contact_updated",
  noun: "Contact",
  label: "Updated Contact",
  description: "Triggers when a contact's details change.",
  eventKey: "contact.edit",
  hydrate: contactHydrate("contact.edit"),
  recent: recentContacts("update_time"),
  sample: Samples.contact,
})

export const tagApplied = hookTrigger({
  key: "tag_applied",
  noun: "Tag",
  label: "Tag Applied to Contact",
  description: "Triggers when a tag is applied to a contact.",
  eventKey: "contactGroup.applied",
  hydrate: tagEvent,
  recent: recentTagEvents,
  sample: Samples.tagEvent,
})

export const tagRemoved = hookTrigger({
  key: "tag_removed",
  noun: "Tag",
  label: "Tag Removed From Contact",
  description: "Triggers when a tag is removed from a contact.",
  eventKey: "contactGroup.removed",
  hydrate: tagEvent,
  recent: recentTagEvents,
  sample: Samples.tagEvent,
})

export const newOpportunity = hookTrigger({
  key: "new_opportunity",
  noun: "Opportunity",
  label: "New Opportunity",
  description: "Triggers when an opportunity is created.",
  eventKey: "opportunity.add",
  hydrate: byType("opportunity.add"),
  recent: (limit) => Effect.map(take(Opportunities.list({ pageSize: limit }), limit), (items) => items.map(row)),
  sample: Samples.opportunity,
})

export const opportunityStageMoved = hookTrigger({
  key: "opportunity_stage_moved",
  noun: "Opportunity",
  label: "Opportunity Stage Moved",
  description: "Triggers when an opportunity moves to another stage.",
  eventKey: "opportunity.stage_move",
  hydrate: byType("opportunity.stage_move"),
  recent: (limit) => Effect.map(take(Opportunities.list({ pageSize: limit }), limit), (items) => items.map(row)),
  sample: Samples.opportunity,
})

export const newOrder = hookTrigger({
  key: "new_order",
  noun: "Order",
  label: "New Order",
  description: "Triggers when an order is placed.",
  eventKey: "order.add",
  hydrate: byType("order.add"),
  recent: (limit) => Effect.map(take(Orders.list({ pageSize: limit }), limit), (items) => items.map(row)),
  sample: Samples.order,
})

export const newTask = hookTrigger({
  key: "new_task",
  noun: "Task",
  label: "New Task",
  description: "Triggers when a task is created.",
  eventKey: "task.add",
  hydrate: byType("task.add"),
  recent: (limit) => Effect.map(take(Tasks.list({ pageSize: limit }), limit), (items) => items.map(row)),
  sample: Samples.task,
})

/** Keap reads a note by id only through the list of every contact's notes (`filter=ids==`). */
export const newNote = hookTrigger({
  key: "new_note",
  noun: "Note",
  label: "New Note",
  description: "Triggers when a note is added to a contact.",
  eventKey: "note.add",
  hydrate: (key) =>
    Effect.map(take(Notes.listAll({ filter: KeapFilter.oneOf("ids", [String(key.id)]) }), 1), ([note]) =>
      note === undefined ? undefined : row(note),
    ),
  recent: (limit) =>
    Effect.map(
      take(Notes.listAll({ orderBy: { field: "create_time", direction: "desc" }, pageSize: limit }), limit),
      (items) => items.map(row),
    ),
  sample: Samples.note,
})

export const all = [
  newContact,
  contactUpdated,
  tagApplied,
  tagRemoved,
  newOpportunity,
  opportunityStageMoved,
  newOrder,
  newTask,
  newNote,
]

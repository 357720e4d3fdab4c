/**
 * HighLevel polling triggers. GHL offers third-party apps no per-subscription webhooks, so each
 * trigger asks for the newest records first; Zapier dedupes by `id` (composite ids for "changed"
 * triggers, so a record changing again triggers again).
 */
import { Calendars, Contacts, GhlFeeds, Opportunities } from "@crmkit/ghl"
import { Definitions } from "@crmkit/zapier-shared"
import { Effect } from "effect"
import type { Bundle } from "zapier-platform-core"
import { run } from "../connection.ts"
import * as Fields from "../fields.ts"
import { changeRow, newestFirst, row, uniqueById } from "../records.ts"
import * as Samples from "../samples.ts"

// Zapier reads about 100 items per poll.
const POLL_SIZE = 100

/** The connector's feed, read as Zapier polls: the newest records each time (Zapier dedupes). */
const recentContacts = (feed: "contacts.created" | "contacts.updated") =>
  Effect.map(
    GhlFeeds.feeds.find((f) => f.name === feed)!.poll(undefined, { limit: POLL_SIZE }),
    (page) => page.records as ReadonlyArray<Contacts.Contact>,
  )

/** The newest opportunities: GHL pages them oldest first, so a poll reads to the end (bounded). */
const recentOpportunities = (bundle: Bundle) =>
  Effect.map(
    Opportunities.search({
      limit: POLL_SIZE,
      order: "added_desc",
      ...(Definitions.text(bundle, "pipeline_id") === undefined
        ? {}
        : { pipeline_id: Definitions.text(bundle, "pipeline_id") }),
    } as never),
    (page) => (page as { opportunities?: ReadonlyArray<Record<string, unknown>> }).opportunities ?? [],
  )

export const newContact = Definitions.pollingTrigger({
  key: "new_contact",
  noun: "Contact",
  label: "New Contact",
  description: "Triggers when a contact is added to the location.",
  sample: Samples.contact,
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(recentContacts("contacts.created"), (cs) => uniqueById(newestFirst(cs, "dateAdded").map(row))),
    ),
})

export const contactUpdated = Definitions.pollingTrigger({
  key: "contact_updated",
  noun: "Contact",
  label: "Updated Contact",
  description: "Triggers when a contact's details change.",
  sample: Samples.contactUpdate,
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(recentContacts("contacts.updated"), (cs) =>
        uniqueById(
          newestFirst(cs, "dateUpdated").map((c) =>
            changeRow(c, "contactId", (c as { dateUpdated?: unknown }).dateUpdated ?? ""),
          ),
        ),
      ),
    ),
})

export const newOpportunity = Definitions.pollingTrigger({
  key: "new_opportunity",
  noun: "Opportunity",
  label: "New Opportunity",
  description: "Triggers when an opportunity is created.",
  inputFields: [{ ...Fields.pipelineId, required: false, altersDynamicFields: false }],
  sample: Samples.opportunity,
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(recentOpportunities(bundle), (os) => uniqueById(newestFirst(os, "createdAt").map(row))),
    ),
})

export const opportunityStageChanged = Definitions.pollingTrigger({
  key: "opportunity_stage_changed",
  noun: "Opportunity",
  label: "Opportunity Stage Changed",
  description: "Triggers when an opportunity moves to another pipeline stage.",
  inputFields: [{ ...Fields.pipelineId, required: false, altersDynamicFields: false }],
  sample: Samples.stageChange,
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(recentOpportunities(bundle), (os) =>
        uniqueById(
          newestFirst(os, "lastStageChangeAt").map((o) =>
            changeRow(o, "opportunityId", o.pipelineStageId ?? "", o.lastStageChangeAt ?? o.updatedAt ?? ""),
          ),
        ),
      ),
    ),
})

const DAY = 86_400_000

/**
 * GHL lists events by start time within a range: the poll reads appointments that start from a
 * week ago to a year ahead, newest booking first.
 */
export const newAppointment = Definitions.pollingTrigger({
  key: "new_appointment",
  noun: "Appointment",
  label: "New Appointment",
  description: "Triggers when an appointment is booked in a calendar.",
  inputFields: [{ key: "calendar_id", label: "Calendar", required: true, dynamic: "calendar_list.id.name" }],
  sample: Samples.appointment,
  perform: (z, bundle) => {
    const calendarId = Definitions.required(z, bundle, "calendar_id", "Calendar")
    const now = Date.now()
    return run(
      z,
      bundle,
      Effect.map(Calendars.events(calendarId, { from: now - 7 * DAY, to: now + 365 * DAY }), (answer) => {
        const events = ((answer as { events?: ReadonlyArray<Record<string, unknown>> }).events ?? []).map(row)
        return uniqueById(newestFirst(events, "dateAdded")).slice(0, POLL_SIZE)
      }),
    )
  },
})

/** GHL lists tasks and notes per contact: these triggers watch one contact. */
export const newTask = Definitions.pollingTrigger({
  key: "new_task",
  noun: "Task",
  label: "New Task",
  description: "Triggers when a task is added to a contact.",
  inputFields: [Fields.contactId],
  sample: Samples.task,
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(Contacts.tasks(Definitions.required(z, bundle, "contact_id", "Contact")), (answer) =>
        uniqueById(newestFirst(answer.tasks ?? [], "dateAdded").map(row)),
      ),
    ),
})

export const newNote = Definitions.pollingTrigger({
  key: "new_note",
  noun: "Note",
  label: "New Note",
  description: "Triggers when a note is added to a contact.",
  inputFields: [Fields.contactId],
  sample: Samples.note,
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(Contacts.notes(Definitions.required(z, bundle, "contact_id", "Contact")), (answer) =>
        uniqueById(newestFirst(answer.notes ?? [], "dateAdded").map(row)),
      ),
    ),
})

export const triggers = [
  newContact,
  contactUpdated,
  newOpportunity,
  opportunityStageChanged,
  newAppointment,
  newTask,
  newNote,
]

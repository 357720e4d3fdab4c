/**
 * What the HighLevel polling trigger reads itself, where the connector has no feed
 * (appointments, updated opportunities): the records of a kind created or updated after a
 * moment, in the order they changed. These kinds have no changed-since filter, so their
 * lists are read and filtered here. Contacts and new opportunities come from `GhlFeeds`.
 */

import type { GhlClient } from "@crmkit/ghl"
import type { Session } from "@crmkit/n8n-shared"

export type Kind = "contact" | "opportunity" | "appointment"
export type Change = "new" | "updated"

type Record_ = Readonly<Record<string, unknown>>

const stamp = (record: Record_, fields: ReadonlyArray<string>): number => {
  for (const field of fields) {
    const value = record[field]
    if (typeof value === "string" || typeof value === "number") {
      const at = typeof value === "number" ? value : Date.parse(value)
      if (Number.isFinite(at)) return at
    }
  }
  return Number.NaN
}

const stampFields: Record<Kind, Record<Change, ReadonlyArray<string>>> = {
  contact: { new: [], updated: [] },
  opportunity: { new: ["createdAt"], updated: ["updatedAt", "createdAt"] },
  appointment: { new: ["dateAdded", "createdAt"], updated: ["dateUpdated", "updatedAt", "dateAdded", "createdAt"] },
}

/** Oldest first; `since` undefined (a manual test run) returns the latest `sample` records. */
export const changedSince = async (
  session: Session.Session<GhlClient.GhlClient>,
  kind: Kind,
  change: Change,
  since: string | undefined,
  options: { readonly calendarId?: string; readonly sample: number },
): Promise<ReadonlyArray<Record_>> => {
  const fields = stampFields[kind][change]
  let records: ReadonlyArray<Record_>
  if (kind === "contact") throw new Error("contacts are watched through the connector's feeds (GhlFeeds)")
  if (kind === "opportunity") {
    records = (await session.collect("search-opportunity", {})) as ReadonlyArray<Record_>
  } else {
    if (options.calendarId === undefined || options.calendarId === "") throw new Error("Choose the calendar to watch")
    const day = 24 * 3600_000
    // Appointments are listed by when they take place: look a year around now.
    const response = (await session.call("get-calendar-events", {
      calendarId: options.calendarId,
      startTime: String(Date.now() - 365 * day),
      endTime: String(Date.now() + 365 * day),
    })) as { events?: ReadonlyArray<Record_> }
    records = response.events ?? []
  }
  const after = since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(since)
  const changed = records
    .map((record) => ({ record, at: stamp(record, fields) }))
    .filter(({ at }) => Number.isFinite(at) && at > after)
    .sort((a, b) => a.at - b.at)
    .map(({ record }) => record)
  return since === undefined ? changed.slice(-options.sample) : changed
}

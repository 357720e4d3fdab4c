/**
 * What the HighLevel polling trigger asks for: records of a kind created or updated after
 * a moment, in the order they changed. Contacts use HighLevel's date-range search; the
 * other kinds have no such filter, so their lists are read and filtered here.
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
  contact: { new: ["dateAdded"], updated: ["dateUpdated", "dateAdded"] },
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
  if (kind === "contact") {
    const field = fields[0] as string
    const body: Record<string, unknown> = { sort: [{ field, direction: since === undefined ? "desc" : "asc" }] }
    if (since !== undefined) body.filters = [{ field, operator: "range", value: { gt: since } }]
    return (await session.collect(
      "search-contacts-advanced",
      { body },
      since === undefined ? options.sample : undefined,
    )) as ReadonlyArray<Record_>
  }
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

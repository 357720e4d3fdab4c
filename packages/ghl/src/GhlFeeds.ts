/**
 * What hosts that poll can watch in HighLevel, each with one cursor strategy that never
 * reads the whole resource:
 * - contacts, created or updated: the search endpoint filtered on `dateAdded` /
 *   `dateUpdated` from the cursor on, sorted oldest first, all pages;
 * - opportunities, created: the search listed newest first (`order=added_desc`), read
 *   until the cursor is reached;
 * - opportunities, updated (a stage move, a status, a value): the search has no order by
 *   update, so the newest `window` opportunities (500 by default) are read and those updated
 *   after the cursor kept; a change to an older opportunity is not seen;
 * - appointments, created or updated: every calendar of the location, its events that start
 *   from a week ago to a year ahead (the events endpoint lists by start time and wants a
 *   calendar), kept when added or updated after the cursor.
 *
 * The cursor holds the newest timestamp seen and the ids seen at that very timestamp, so a
 * record that shares it with an earlier one is neither missed nor repeated.
 */
import type { CrmError, Feeds } from "@crmkit/core"
import { Effect, Option, Stream } from "effect"
import type { GhlClient } from "./GhlClient.ts"
import { registry } from "./GhlOperations.ts"

type Row = Readonly<Record<string, unknown>>

interface Cursor {
  readonly at: number
  readonly ids: ReadonlyArray<string>
}

const encode = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url")

const decode = (text: string | undefined): Cursor | undefined => {
  if (text === undefined) return undefined
  try {
    const parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Cursor
    return typeof parsed.at === "number" && Array.isArray(parsed.ids) ? parsed : undefined
  } catch {
    return undefined
  }
}

const stampOf = (record: Row, field: string): number => {
  const value = record[field]
  const at = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN
  return Number.isFinite(at) ? at : Number.NaN
}

const idOf = (record: Row) => String(record.id ?? "")

/** Keeps what is newer than the cursor (or at it, but unseen), oldest first, and moves the cursor past them. */
const advance = (records: ReadonlyArray<Row>, field: string, cursor: Cursor | undefined, now: number) => {
  const fresh = records
    .map((record) => ({ record, at: stampOf(record, field) }))
    .filter(({ at }) => Number.isFinite(at))
    .filter(
      ({ record, at }) =>
        cursor === undefined || at > cursor.at || (at === cursor.at && !cursor.ids.includes(idOf(record))),
    )
    .sort((a, b) => a.at - b.at)
  const last = fresh.at(-1)
  const next: Cursor =
    last === undefined
      ? (cursor ?? { at: now, ids: [] })
      : {
          at: last.at,
          ids: [
            ...(cursor !== undefined && cursor.at === last.at ? cursor.ids : []),
            ...fresh.filter(({ at }) => at === last.at).map(({ record }) => idOf(record)),
          ],
        }
  return { records: fresh.map(({ record }) => record), cursor: encode(next) }
}

const collect = <A>(
  stream: Stream.Stream<A, CrmError, GhlClient>,
): Effect.Effect<ReadonlyArray<A>, CrmError, GhlClient> => Stream.runCollect(stream)

const contactFeed = (change: "created" | "updated", field: "dateAdded" | "dateUpdated"): Feeds.Feed<GhlClient> => ({
  name: `contacts.${change}`,
  title: change === "created" ? "New Contact" : "Updated Contact",
  description: change === "created" ? "A contact added to the location" : "A contact whose details changed",
  resource: "contacts",
  change,
  poll: (text, options = {}) =>
    Effect.gen(function* () {
      const cursor = decode(text)
      const limit = options.limit ?? 100
      const now = Date.now()
      if (cursor === undefined) {
        // First poll: the latest records as a sample, and a cursor past them.
        const page = (yield* registry.call("search-contacts-advanced", {
          body: { pageLimit: limit, sort: [{ field, direction: "desc" }] },
        })) as { readonly contacts?: ReadonlyArray<Row> }
        return advance(page.contacts ?? [], field, undefined, now)
      }
      const records = yield* collect(
        registry.stream(
          "search-contacts-advanced",
          {
            body: {
              sort: [{ field, direction: "asc" }],
              filters: [{ field, operator: "range", value: { gte: new Date(cursor.at).toISOString() } }],
            },
          },
          { pageSize: limit },
        ) as Stream.Stream<Row, CrmError, GhlClient>,
      )
      return advance(records, field, cursor, now)
    }),
})

/** The location's opportunities, the newest created first. */
const newestOpportunities = (pageSize: number) =>
  registry.stream("search-opportunity", { order: "added_desc" }, { pageSize }) as Stream.Stream<
    Row,
    CrmError,
    GhlClient
  >

const newOpportunities: Feeds.Feed<GhlClient> = {
  name: "opportunities.created",
  title: "New Opportunity",
  description: "An opportunity created in the location",
  resource: "opportunities",
  change: "created",
  poll: (text, options = {}) =>
    Effect.gen(function* () {
      const cursor = decode(text)
      const limit = options.limit ?? 100
      const newestFirst = newestOpportunities(limit)
      // Newest first: the first poll takes a sample; later ones stop at the cursor.
      const records = yield* collect(
        cursor === undefined
          ? Stream.take(newestFirst, limit)
          : Stream.takeWhile(newestFirst, (record) => !(stampOf(record, "createdAt") < cursor.at)),
      )
      return advance(records, "createdAt", cursor, Date.now())
    }),
}

/** How many of the newest opportunities `opportunities.updated` reads each poll. */
export const OPPORTUNITY_WINDOW = 500

const updatedOpportunities: Feeds.Feed<GhlClient> = {
  name: "opportunities.updated",
  title: "Updated Opportunity",
  description: "An opportunity whose stage, status or details changed (among the newest 500)",
  resource: "opportunities",
  change: "updated",
  poll: (text, options = {}) =>
    Effect.gen(function* () {
      const cursor = decode(text)
      const limit = options.limit ?? 100
      const records = yield* collect(Stream.take(newestOpportunities(100), OPPORTUNITY_WINDOW))
      // The first poll: the latest changes as a sample.
      const changed =
        cursor === undefined
          ? [...records].sort((a, b) => stampOf(b, "updatedAt") - stampOf(a, "updatedAt")).slice(0, limit)
          : records
      return advance(changed, "updatedAt", cursor, Date.now())
    }),
}

const DAY = 86_400_000

/** The events of every calendar that start from a week ago to a year ahead. */
const appointments = (now: number): Effect.Effect<ReadonlyArray<Row>, CrmError, GhlClient> =>
  Effect.gen(function* () {
    const { calendars } = (yield* registry.call("get-calendars", {})) as {
      readonly calendars?: ReadonlyArray<Row>
    }
    const pages = yield* Effect.forEach(
      calendars ?? [],
      (calendar) =>
        registry.call("get-calendar-events", {
          calendarId: String(calendar.id),
          startTime: String(now - 7 * DAY),
          endTime: String(now + 365 * DAY),
        }) as Effect.Effect<{ readonly events?: ReadonlyArray<Row> }, CrmError, GhlClient>,
      { concurrency: 2 },
    )
    return pages.flatMap((page) => page.events ?? [])
  })

const appointmentFeed = (change: "created" | "updated", field: "dateAdded" | "dateUpdated"): Feeds.Feed<GhlClient> => ({
  name: `appointments.${change}`,
  title: change === "created" ? "New Appointment" : "Updated Appointment",
  description:
    change === "created"
      ? "An appointment booked in any calendar of the location"
      : "An appointment rescheduled, confirmed or cancelled in any calendar of the location",
  resource: "appointments",
  change,
  poll: (text, options = {}) =>
    Effect.gen(function* () {
      const cursor = decode(text)
      const limit = options.limit ?? 100
      const now = Date.now()
      const records = yield* appointments(now)
      const changed =
        cursor === undefined
          ? [...records].sort((a, b) => stampOf(b, field) - stampOf(a, field)).slice(0, limit)
          : records
      return advance(changed, field, cursor, now)
    }),
})

export const feeds: ReadonlyArray<Feeds.Feed<GhlClient>> = [
  contactFeed("created", "dateAdded"),
  contactFeed("updated", "dateUpdated"),
  newOpportunities,
  updatedOpportunities,
  appointmentFeed("created", "dateAdded"),
  appointmentFeed("updated", "dateUpdated"),
]

/** The feed with this name, if HighLevel has it. */
export const feed = (name: string) => Option.fromNullishOr(feeds.find((f) => f.name === name))

import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Calendars, Contacts, GhlFeeds, Opportunities } from "../src/index.ts"
import { runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 30, rateLimits: false })
const run = runWith(sandbox)

const feed = (name: string) => GhlFeeds.feeds.find((f) => f.name === name)!
const ids = (page: { readonly records: ReadonlyArray<unknown> }) =>
  page.records.map((record) => (record as { id: string }).id)

describe("HighLevel feeds", () => {
  it("new contacts: a sample first, then each new contact once, oldest first, without reading the rest", async () => {
    const created = feed("contacts.created")
    const out = await run(
      Effect.gen(function* () {
        const first = yield* created.poll(undefined, { limit: 5 })
        const a = yield* Contacts.create({ firstName: "Ada", email: "ada.feeds@example.com" })
        const b = yield* Contacts.create({ firstName: "Bo", email: "bo.feeds@example.com" })
        sandbox().stats.reset()
        const second = yield* created.poll(first.cursor)
        const requests = sandbox().stats.requests
        const third = yield* created.poll(second.cursor)
        return { first, second, third, requests, made: [a.contact?.id, b.contact?.id] }
      }),
    )
    expect(out.first.records).toHaveLength(5)
    // The sample is the newest contacts, given oldest first.
    const stamps = out.first.records.map((r) => Date.parse((r as { dateAdded: string }).dateAdded))
    expect([...stamps].sort((x, y) => x - y)).toEqual(stamps)
    expect(ids(out.second)).toEqual(out.made)
    expect(out.requests).toBe(1)
    expect(out.third.records).toEqual([])
  })

  it("updated contacts: two changes in the same millisecond are both seen, each once", async () => {
    const updated = feed("contacts.updated")
    const out = await run(
      Effect.gen(function* () {
        const start = yield* updated.poll(undefined, { limit: 1 })
        const page = yield* Contacts.search({ pageLimit: 2 } as Contacts.SearchBody)
        const [first, second] = (page.contacts ?? []).map((c) => c.id as string)
        sandbox().clock.freeze()
        yield* Contacts.update(first!, { firstName: "Changed" })
        const afterFirst = yield* updated.poll(start.cursor)
        yield* Contacts.update(second!, { firstName: "Changed too" })
        const afterSecond = yield* updated.poll(afterFirst.cursor)
        sandbox().clock.resume()
        return { afterFirst, afterSecond, first, second }
      }),
    )
    expect(ids(out.afterFirst)).toEqual([out.first])
    expect(ids(out.afterSecond)).toEqual([out.second])
  })

  it("new opportunities: reads newest first and stops at the cursor", async () => {
    const created = feed("opportunities.created")
    const out = await run(
      Effect.gen(function* () {
        const { pipelines } = yield* Opportunities.pipelines()
        const pipelineId = pipelines?.[0]?.id as string
        const contact = yield* Contacts.create({ firstName: "Opp", email: "opp.feeds@example.com" })
        const make = (name: string) =>
          Effect.map(
            Opportunities.create({ pipelineId, name, status: "open", contactId: contact.contact?.id as string }),
            (made) => made.opportunity?.id as string,
          )
        for (let i = 0; i < 12; i++) yield* make(`Old ${i}`)
        const start = yield* created.poll(undefined, { limit: 3 })
        const fresh = [yield* make("New 1"), yield* make("New 2")]
        sandbox().stats.reset()
        const next = yield* created.poll(start.cursor, { limit: 3 })
        return { start, next, fresh, requests: sandbox().stats.requests }
      }),
    )
    expect(out.start.records).toHaveLength(3)
    expect(ids(out.next)).toEqual(out.fresh)
    // Pages of three, newest first: it stops at the first page that reaches past the cursor,
    // not after the dozen behind it (five pages).
    expect(out.requests).toBe(2)
  })

  it("updated opportunities: each change once, two in the same millisecond both seen, a later change again", async () => {
    const updated = feed("opportunities.updated")
    const out = await run(
      Effect.gen(function* () {
        const { pipelines } = yield* Opportunities.pipelines()
        const pipeline = pipelines?.[0]
        const pipelineId = pipeline?.id as string
        const stage = (pipeline?.stages ?? [])[1]?.id as string
        const contact = yield* Contacts.create({ firstName: "Moves", email: "moves.feeds@example.com" })
        const make = (name: string) =>
          Effect.map(
            Opportunities.create({ pipelineId, name, status: "open", contactId: contact.contact?.id as string }),
            (made) => made.opportunity?.id as string,
          )
        const [a, b, c] = [yield* make("Moves A"), yield* make("Moves B"), yield* make("Moves C")]
        const start = yield* updated.poll(undefined, { limit: 2 })
        sandbox().clock.advance(5)
        sandbox().clock.freeze()
        yield* Opportunities.update(a!, { pipelineStageId: stage })
        yield* Opportunities.update(b!, { pipelineStageId: stage })
        const both = yield* updated.poll(start.cursor)
        const none = yield* updated.poll(both.cursor)
        sandbox().clock.resume()
        sandbox().clock.advance(5)
        yield* Opportunities.update(a!, { name: "Moves A again" })
        const again = yield* updated.poll(none.cursor)
        return { start, both, none, again, made: [a, b, c] }
      }),
    )
    expect(out.start.records).toHaveLength(2)
    expect(ids(out.both).sort()).toEqual([out.made[0], out.made[1]].sort())
    expect(out.none.records).toEqual([])
    expect(ids(out.again)).toEqual([out.made[0]])
  })

  it("appointments: booked and changed ones in every calendar, each once, ties at the cursor kept", async () => {
    const created = feed("appointments.created")
    const updated = feed("appointments.updated")
    const out = await run(
      Effect.gen(function* () {
        const { calendars } = yield* Calendars.list()
        const calendarId = calendars?.[0]?.id as string
        const contact = yield* Contacts.create({ firstName: "Booked", email: "booked.feeds@example.com" })
        const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 3 * 86_400_000
        const book = (hour: number) =>
          Effect.map(
            Calendars.createAppointment({
              calendarId,
              contactId: contact.contact?.id as string,
              startTime: new Date(day + hour * 3_600_000).toISOString(),
            } as Parameters<typeof Calendars.createAppointment>[0]),
            (made) => (made as { id: string }).id,
          )
        const first = yield* book(9)
        const startCreated = yield* created.poll(undefined, { limit: 5 })
        const startUpdated = yield* updated.poll(undefined, { limit: 5 })
        sandbox().clock.advance(5)
        sandbox().clock.freeze()
        const booked = [yield* book(10), yield* book(11)]
        const newOnes = yield* created.poll(startCreated.cursor)
        const noneNew = yield* created.poll(newOnes.cursor)
        sandbox().clock.resume()
        sandbox().clock.advance(5)
        yield* Calendars.updateAppointment(first, { title: "Moved" } as Parameters<
          typeof Calendars.updateAppointment
        >[1])
        const changed = yield* updated.poll(startUpdated.cursor)
        return { startCreated, newOnes, noneNew, changed, booked, first }
      }),
    )
    expect(ids(out.startCreated)).toContain(out.first)
    expect(ids(out.newOnes).sort()).toEqual([...out.booked].sort())
    expect(out.noneNew.records).toEqual([])
    // Booked after the updated feed's start too, so they are changes as well; the moved one is last.
    expect(ids(out.changed).at(-1)).toBe(out.first)
    expect(new Set(ids(out.changed)).size).toBe(ids(out.changed).length)
  })

  it("an unreadable cursor starts over with a sample instead of failing", async () => {
    const page = await run(feed("contacts.created").poll("not-a-cursor", { limit: 2 }))
    expect(page.records).toHaveLength(2)
  })
})

import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Contacts, GhlFeeds, Opportunities } from "../src/index.ts"
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

  it("an unreadable cursor starts over with a sample instead of failing", async () => {
    const page = await run(feed("contacts.created").poll("not-a-cursor", { limit: 2 }))
    expect(page.records).toHaveLength(2)
  })
})

import { Effect } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { Calendars, Contacts } from "../src/index.ts"
import { runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 3, rateLimits: false })
beforeEach(() => sandbox().stats.reset())

const run = runWith(sandbox)

const day = Date.UTC(2026, 11, 1)

describe("Calendars service", () => {
  it("lists calendars, books a free slot, and the slot is no longer free", async () => {
    const out = await run(
      Effect.gen(function* () {
        const { calendars } = yield* Calendars.list()
        const calendarId = calendars?.[0]?.id as string
        const before = yield* Calendars.freeSlots(calendarId, { from: day, to: day + 86_399_999 })
        const slot = before["2026-12-01"]?.slots?.[0] as string
        const contact = yield* Contacts.create({ firstName: "Cal", email: "cal.svc@example.com" })
        const booked = yield* Calendars.createAppointment({
          calendarId,
          contactId: contact.contact?.id as string,
          startTime: slot,
          title: "Demo",
        })
        const after = yield* Calendars.freeSlots(calendarId, { from: new Date(day), to: new Date(day + 86_399_999) })
        const again = yield* Effect.flip(
          Calendars.createAppointment({ calendarId, contactId: contact.contact?.id as string, startTime: slot }),
        )
        const moved = yield* Calendars.updateAppointment(booked.id as string, { title: "Demo (moved)" })
        const fetched = yield* Calendars.getAppointment(booked.id as string)
        const deleted = yield* Calendars.deleteEvent(booked.id as string)
        return { before, after, slot, booked, again, moved, fetched, deleted }
      }),
    )
    expect(out.before["2026-12-01"]?.slots).toHaveLength(8)
    expect(out.after["2026-12-01"]?.slots).toHaveLength(7)
    expect(out.after["2026-12-01"]?.slots).not.toContain(out.slot)
    expect(out.booked.startTime).toBe(out.slot)
    expect(out.again.reason._tag).toBe("Validation")
    expect(out.again.reason.message).toContain("no longer available")
    expect(out.moved.title).toBe("Demo (moved)")
    expect(out.fetched.event?.title).toBe("Demo (moved)")
    expect(out.deleted.succeeded).toBe(true)
  })

  it("refuses an appointment missing its start time before sending", async () => {
    const error = await run(Effect.flip(Calendars.createAppointment({ calendarId: "c", contactId: "x" } as never)))
    expect(error.reason._tag).toBe("Validation")
    expect(error.reason._tag === "Validation" && error.reason.fields.map((f) => f.field)).toContain("body.startTime")
    expect(sandbox().stats.requests).toBe(0)
  })
})

/** Calendars, free slots and appointments (Version 2021-04-15, set per operation). */
import type { CrmError } from "@crmkit/core"
import { Effect } from "effect"
import type { GhlClient } from "../GhlClient.ts"
import { type Body, type Input, location, type Output, send, type WithLocation } from "./internal.ts"

type R<K extends Parameters<typeof send>[0]> = Effect.Effect<Output<K>, CrmError, GhlClient>

export const list = (options: Omit<WithLocation<Input<"get-calendars">>, never> = {}): R<"get-calendars"> =>
  Effect.flatMap(location(options.locationId), (locationId) =>
    send("get-calendars", { ...options, locationId } as Input<"get-calendars">),
  )

export const get = (calendarId: string): R<"get-calendar"> => send("get-calendar", { calendarId })

const millis = (value: Date | number) => (typeof value === "number" ? value : value.getTime())

/** Free slots by day (`{ "2026-12-01": { slots: [...] } }`) between two instants. */
export const freeSlots = (
  calendarId: string,
  range: {
    readonly from: Date | number
    readonly to: Date | number
    readonly timezone?: string | undefined
    readonly userId?: string | undefined
  },
): R<"get-slots"> =>
  send("get-slots", {
    calendarId,
    startDate: millis(range.from),
    endDate: millis(range.to),
    ...(range.timezone === undefined ? {} : { timezone: range.timezone }),
    ...(range.userId === undefined ? {} : { userId: range.userId }),
  } as Input<"get-slots">)

/** Events of a calendar whose start falls between two instants (`GET /calendars/events`). */
export const events = (
  calendarId: string,
  range: { readonly from: Date | number; readonly to: Date | number; readonly locationId?: string | undefined },
): R<"get-calendar-events"> =>
  Effect.flatMap(location(range.locationId), (locationId) =>
    send("get-calendar-events", {
      locationId,
      calendarId,
      startTime: String(millis(range.from)),
      endTime: String(millis(range.to)),
    } as Input<"get-calendar-events">),
  )

export const createAppointment = (body: WithLocation<Body<"create-appointment">>): R<"create-appointment"> =>
  Effect.flatMap(location(body.locationId), (locationId) =>
    send("create-appointment", { body: { ...body, locationId } as Body<"create-appointment"> }),
  )

export const getAppointment = (eventId: string): R<"get-appointment"> => send("get-appointment", { eventId })

export const updateAppointment = (eventId: string, body: Body<"edit-appointment">): R<"edit-appointment"> =>
  send("edit-appointment", { eventId, body })

export const deleteEvent = (eventId: string): R<"delete-event"> =>
  send("delete-event", { eventId, body: {} } as Input<"delete-event">)

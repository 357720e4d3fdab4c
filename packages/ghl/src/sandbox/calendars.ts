/**
 * Calendars: one seeded calendar with hourly slots 09:00–17:00 UTC every day, appointments kept
 * in memory. A booked slot leaves the free slots; booking a taken slot is refused as GHL does.
 */
import { randomBytes } from "node:crypto"
import type { SandboxClock } from "@crmkit/sandbox/clock"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { GhlContactStore } from "./contactStore.ts"
import { ghlError, noLocationAccess, unprocessable } from "./errors.ts"
import { locationRoute } from "./routes.ts"
import type { GhlApiRequest, GhlRoute } from "./types.ts"

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** GHL refuses free-slot ranges longer than 31 days. */
export const GHL_FREE_SLOTS_MAX_DAYS = 31

interface Appointment {
  id: string
  calendarId: string
  locationId: string
  contactId: string
  startTime: string
  endTime: string
  title?: string
  appointmentStatus: string
  assignedUserId?: string
  dateAdded: string
  dateUpdated: string
}

const newId = () => randomBytes(15).toString("base64url").replace(/[-_]/g, "x").slice(0, 20)
const record = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {}

export function registerCalendars(router: Router<GhlRoute>, contacts: GhlContactStore, clock: SandboxClock): void {
  const locationId = contacts.locationId
  const calendar = {
    id: "calendar-demo-0000001",
    locationId,
    name: "Demo calls",
    isActive: true,
    eventType: "RoundRobin_OptimizeForAvailability",
    slotDuration: 60,
    slotDurationUnit: "mins",
  }
  const appointments = new Map<string, Appointment>()
  const route = locationRoute
  const booked = () =>
    new Set(
      [...appointments.values()].filter((a) => a.appointmentStatus !== "cancelled").map((a) => Date.parse(a.startTime)),
    )
  const findAppointment = (request: GhlApiRequest): Appointment | SandboxResponse => {
    const found = appointments.get(request.params.eventId as string)
    if (found === undefined) return ghlError(404, "Appointment not found")
    if (found.locationId !== request.principal.locationId) return noLocationAccess()
    return found
  }
  const isResponse = (value: Appointment | SandboxResponse): value is SandboxResponse => "status" in value

  router
    .add(
      "GET",
      "/calendars/",
      route("calendars.readonly", ({ ctx, principal }) => {
        const asked = ctx.query.get("locationId")
        if (!asked) return unprocessable(["locationId should not be empty"])
        if (asked !== principal.locationId) return noLocationAccess()
        return json(200, { calendars: [calendar] })
      }),
    )
    .add(
      "GET",
      "/calendars/:calendarId",
      route("calendars.readonly", ({ params }) =>
        params.calendarId === calendar.id ? json(200, { calendar }) : ghlError(404, "Calendar not found"),
      ),
    )
    .add(
      "GET",
      "/calendars/:calendarId/free-slots",
      route("calendars.readonly", ({ ctx, params }) => {
        if (params.calendarId !== calendar.id) return ghlError(404, "Calendar not found")
        const start = Number(ctx.query.get("startDate"))
        const end = Number(ctx.query.get("endDate"))
        const messages: string[] = []
        if (!Number.isFinite(start)) messages.push("startDate must be a number")
        if (!Number.isFinite(end)) messages.push("endDate must be a number")
        if (messages.length === 0 && end < start) messages.push("endDate must be after startDate")
        if (messages.length === 0 && end - start > GHL_FREE_SLOTS_MAX_DAYS * DAY)
          messages.push(`the range must not exceed ${GHL_FREE_SLOTS_MAX_DAYS} days`)
        if (messages.length > 0) return unprocessable(messages)
        const taken = booked()
        const days: Record<string, { slots: string[] }> = {}
        for (let day = Math.floor(start / DAY) * DAY; day <= end; day += DAY) {
          const slots: string[] = []
          for (let hour = 9; hour < 17; hour++) {
            const at = day + hour * HOUR
            if (at >= start && at <= end && !taken.has(at)) slots.push(new Date(at).toISOString())
          }
          if (slots.length > 0) days[new Date(day).toISOString().slice(0, 10)] = { slots }
        }
        return json(200, days)
      }),
    )
    .add(
      "GET",
      "/calendars/events",
      route("calendars/events.readonly", ({ ctx, principal }) => {
        const q = ctx.query
        const messages: string[] = []
        if (!q.get("locationId")) messages.push("locationId should not be empty")
        const start = Number(q.get("startTime"))
        const end = Number(q.get("endTime"))
        if (!Number.isFinite(start) || !Number.isFinite(end))
          messages.push("startTime and endTime must be epoch milliseconds")
        if (!q.get("calendarId") && !q.get("userId") && !q.get("groupId"))
          messages.push("one of calendarId, userId or groupId is required")
        if (messages.length > 0) return unprocessable(messages)
        if (q.get("locationId") !== principal.locationId) return noLocationAccess()
        const events = [...appointments.values()]
          .filter((a) => !q.get("calendarId") || a.calendarId === q.get("calendarId"))
          .filter((a) => !q.get("userId") || a.assignedUserId === q.get("userId"))
          .filter((a) => Date.parse(a.startTime) >= start && Date.parse(a.startTime) <= end)
          .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime))
        return json(200, { events })
      }),
    )
    .add(
      "POST",
      "/calendars/events/appointments",
      route("calendars/events.write", ({ ctx, principal }) => {
        const body = record(ctx.body)
        const messages: string[] = []
        for (const key of ["calendarId", "locationId", "contactId", "startTime"])
          if (typeof body[key] !== "string" || body[key] === "") messages.push(`${key} should not be empty`)
        const start = Date.parse(body.startTime as string)
        if (typeof body.startTime === "string" && Number.isNaN(start)) messages.push("startTime must be a date")
        if (messages.length > 0) return unprocessable(messages)
        if (body.locationId !== principal.locationId) return noLocationAccess()
        if (body.calendarId !== calendar.id) return ghlError(404, "Calendar not found")
        if (contacts.find(body.contactId as string) === undefined) return ghlError(400, "Contact not found")
        if (booked().has(start) && body.ignoreFreeSlotValidation !== true)
          return ghlError(400, "The slot you have selected is no longer available.")
        const appointment: Appointment = {
          id: newId(),
          calendarId: calendar.id,
          locationId,
          contactId: body.contactId as string,
          startTime: new Date(start).toISOString(),
          endTime:
            typeof body.endTime === "string"
              ? body.endTime
              : new Date(start + calendar.slotDuration * 60_000).toISOString(),
          appointmentStatus: typeof body.appointmentStatus === "string" ? body.appointmentStatus : "confirmed",
          dateAdded: new Date(clock.now()).toISOString(),
          dateUpdated: new Date(clock.now()).toISOString(),
          ...(typeof body.title === "string" ? { title: body.title } : {}),
          ...(typeof body.assignedUserId === "string" ? { assignedUserId: body.assignedUserId } : {}),
        }
        appointments.set(appointment.id, appointment)
        return json(201, appointment)
      }),
    )
    .add(
      "GET",
      "/calendars/events/appointments/:eventId",
      route("calendars/events.readonly", (request) => {
        const found = findAppointment(request)
        return isResponse(found) ? found : json(200, { event: found })
      }),
    )
    .add(
      "PUT",
      "/calendars/events/appointments/:eventId",
      route("calendars/events.write", (request) => {
        const found = findAppointment(request)
        if (isResponse(found)) return found
        const body = record(request.ctx.body)
        for (const key of ["title", "appointmentStatus", "assignedUserId", "startTime", "endTime"] as const)
          if (typeof body[key] === "string") found[key] = body[key] as string
        found.dateUpdated = new Date(clock.now()).toISOString()
        return json(200, found)
      }),
    )
    .add(
      "DELETE",
      "/calendars/events/:eventId",
      route("calendars/events.write", (request) => {
        const found = findAppointment(request)
        if (isResponse(found)) return found
        appointments.delete(found.id)
        return json(200, { succeeded: true })
      }),
    )
}

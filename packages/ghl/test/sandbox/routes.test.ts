import { describe, expect, it } from "vitest"
import { pitHeaders, readJson, useSandbox } from "./support.ts"

describe("GHL location", () => {
  const sandbox = useSandbox()

  it("GET /locations/:locationId answers the token's location and refuses others", async () => {
    const s = sandbox()
    const own = await fetch(`${s.ghl.baseUrl}/locations/${s.credentials.ghl.locationId}`, { headers: pitHeaders(s) })
    expect(own.status).toBe(200)
    expect((await readJson(own)).location).toMatchObject({
      id: s.credentials.ghl.locationId,
      companyId: s.credentials.ghl.companyId,
      name: "Sandbox Location",
    })
    const other = await fetch(`${s.ghl.baseUrl}/locations/someoneElsesLocation0`, { headers: pitHeaders(s) })
    expect(other.status).toBe(403)
  })
})

describe("GHL calendar events", () => {
  const sandbox = useSandbox()

  it("GET /calendars/events lists the appointments that start in the range", async () => {
    const s = sandbox()
    const headers = { ...pitHeaders(s), "content-type": "application/json" }
    const contacts = await readJson(
      await fetch(`${s.ghl.baseUrl}/contacts/search`, {
        method: "POST",
        headers,
        body: JSON.stringify({ locationId: s.credentials.ghl.locationId, pageLimit: 1 }),
      }),
    )
    const calendars = await readJson(
      await fetch(`${s.ghl.baseUrl}/calendars/?locationId=${s.credentials.ghl.locationId}`, { headers }),
    )
    const calendarId = calendars.calendars[0].id
    const start = Date.UTC(2030, 0, 7, 10)
    const booked = await fetch(`${s.ghl.baseUrl}/calendars/events/appointments`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        calendarId,
        locationId: s.credentials.ghl.locationId,
        contactId: contacts.contacts[0].id,
        startTime: new Date(start).toISOString(),
      }),
    })
    expect(booked.status).toBe(201)
    const query = (from: number, to: number) =>
      `${s.ghl.baseUrl}/calendars/events?locationId=${s.credentials.ghl.locationId}&calendarId=${calendarId}&startTime=${from}&endTime=${to}`
    const inRange = await readJson(await fetch(query(start - 3_600_000, start + 3_600_000), { headers }))
    expect(inRange.events).toEqual([expect.objectContaining({ calendarId, startTime: new Date(start).toISOString() })])
    const outside = await readJson(await fetch(query(start + 3_600_000, start + 7_200_000), { headers }))
    expect(outside.events).toEqual([])
    const missing = await fetch(`${s.ghl.baseUrl}/calendars/events?locationId=${s.credentials.ghl.locationId}`, {
      headers,
    })
    expect(missing.status).toBe(422)
  })
})

describe("GHL opportunity search order", () => {
  const sandbox = useSandbox()

  it("order=added_desc pages newest first, the reverse of the default order", async () => {
    const s = sandbox()
    const headers = { ...pitHeaders(s), "content-type": "application/json" }
    const locationId = s.credentials.ghl.locationId
    const { pipelines } = await readJson(
      await fetch(`${s.ghl.baseUrl}/opportunities/pipelines?locationId=${locationId}`, { headers }),
    )
    const contacts = await readJson(
      await fetch(`${s.ghl.baseUrl}/contacts/search`, {
        method: "POST",
        headers,
        body: JSON.stringify({ locationId, pageLimit: 1 }),
      }),
    )
    for (const name of ["first", "second", "third"]) {
      const created = await fetch(`${s.ghl.baseUrl}/opportunities/`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          locationId,
          name,
          pipelineId: pipelines[0].id,
          pipelineStageId: pipelines[0].stages[0].id,
          status: "open",
          contactId: contacts.contacts[0].id,
        }),
      })
      expect(created.status).toBe(201)
    }
    const all = async (order: string) => {
      const ids: string[] = []
      let cursor = ""
      for (;;) {
        const page = await readJson(
          await fetch(`${s.ghl.baseUrl}/opportunities/search?location_id=${locationId}&limit=2${order}${cursor}`, {
            headers,
          }),
        )
        ids.push(...page.opportunities.map((o: { id: string }) => o.id))
        if (page.meta.startAfterId === null) return ids
        cursor = `&startAfter=${page.meta.startAfter}&startAfterId=${page.meta.startAfterId}`
      }
    }
    const ascending = await all("")
    expect(ascending).toHaveLength(3)
    expect(await all("&order=added_desc")).toEqual([...ascending].reverse())
  })
})

import type { SandboxServer } from "@crmkit/sandbox"
import { describe, expect, it } from "vitest"
import { KEAP_V2_DEFAULT_PAGE_SIZE } from "../../src/sandbox/index.ts"
import { type Json, patHeaders, readJson, sendJson, useSandbox } from "./support.ts"

const get = (s: SandboxServer, path: string) => fetch(`${s.keap.baseUrl}${path}`, { headers: patHeaders(s) })
const send = (s: SandboxServer, method: string, path: string, body: unknown) =>
  sendJson(`${s.keap.baseUrl}${path}`, method, body, patHeaders(s))

/** Follows next_page_token until the empty string; returns every contact. */
async function listAll(s: SandboxServer, query: Record<string, string>): Promise<{ contacts: Json[]; pages: number }> {
  const contacts: Json[] = []
  let token = ""
  let pages = 0
  do {
    const params = new URLSearchParams(query)
    if (token !== "") params.set("page_token", token)
    const response = await get(s, `/v2/contacts?${params}`)
    expect(response.status).toBe(200)
    const page = await readJson(response)
    contacts.push(...page.contacts)
    token = page.next_page_token
    pages++
  } while (token !== "")
  return { contacts, pages }
}

describe("Keap contacts v2", () => {
  const sandbox = useSandbox({ rateLimits: false, contacts: { keap: 120 } })

  it("lists the default page size in the v2 contact shape", async () => {
    const response = await get(sandbox(), "/v2/contacts")
    expect(response.status).toBe(200)
    const page = await readJson(response)
    expect(page.contacts).toHaveLength(KEAP_V2_DEFAULT_PAGE_SIZE)
    expect(typeof page.next_page_token).toBe("string")
    expect(page.next_page_token).not.toBe("")
    const first = page.contacts[0]
    expect(first).toMatchObject({
      id: "1",
      email_addresses: [{ field: "EMAIL1" }],
      phone_numbers: [{ field: "PHONE1" }],
    })
    expect(first.email_addresses[0].email).toBe(`${first.given_name}.${first.family_name}1@example.com`.toLowerCase())
    expect(first.create_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(Array.isArray(first.tag_ids)).toBe(true)
    expect(first.custom_fields.map((field: Json) => field.id)).toEqual(["7", "9"])
  })

  it("pages through everything with next_page_token, ending with an empty string", async () => {
    const { contacts, pages } = await listAll(sandbox(), { page_size: "50" })
    expect(pages).toBe(3)
    expect(contacts.map((c) => c.id)).toEqual(Array.from({ length: 120 }, (_, i) => String(i + 1)))
  })

  it("keeps the filter across pages, and refuses a token replayed with another filter", async () => {
    const s = sandbox()
    const filter = "id>10;id<=40"
    const { contacts, pages } = await listAll(s, { page_size: "7", filter })
    expect(pages).toBe(5)
    expect(contacts.map((c) => Number(c.id))).toEqual(Array.from({ length: 30 }, (_, i) => i + 11))

    const firstPage = await readJson(await get(s, `/v2/contacts?page_size=7&filter=${encodeURIComponent(filter)}`))
    const replayed = await get(s, `/v2/contacts?page_size=7&page_token=${firstPage.next_page_token}`)
    expect(replayed.status).toBe(400)
    expect(await readJson(replayed)).toMatchObject({
      code: 400,
      status: "INVALID_ARGUMENT",
      details: [{ resource: "page_token" }],
    })
    const garbage = await get(s, "/v2/contacts?page_token=not-a-token")
    expect(garbage.status).toBe(400)
  })

  it("validates page_size (max 1000)", async () => {
    const s = sandbox()
    const tooBig = await get(s, "/v2/contacts?page_size=1001")
    expect(tooBig.status).toBe(400)
    expect(await readJson(tooBig)).toMatchObject({
      code: 400,
      status: "INVALID_ARGUMENT",
      details: [{ resource: "page_size" }],
    })
    expect((await get(s, "/v2/contacts?page_size=1000")).status).toBe(200)
  })

  it("filters by email, names with a trailing-* prefix match, ids and update_time", async () => {
    const s = sandbox()
    const seven = await readJson(await get(s, "/v2/contacts/7"))
    const email = seven.email_addresses[0].email as string

    const byEmail = await readJson(
      await get(s, `/v2/contacts?filter=${encodeURIComponent(`email==${email.toUpperCase()}`)}`),
    )
    expect(byEmail.contacts.map((c: Json) => c.id)).toEqual(["7"])

    const prefix = (seven.given_name as string).slice(0, 3)
    const byName = await listAll(s, { filter: `given_name==${prefix}*`, page_size: "1000" })
    expect(byName.contacts.length).toBeGreaterThan(0)
    expect(byName.contacts.every((c) => (c.given_name as string).toLowerCase().startsWith(prefix.toLowerCase()))).toBe(
      true,
    )
    expect(byName.contacts.some((c) => c.id === "7")).toBe(true)

    const both = await readJson(
      await get(s, `/v2/contacts?filter=${encodeURIComponent(`family_name==${seven.family_name};id==7`)}`),
    )
    expect(both.contacts.map((c: Json) => c.id)).toEqual(["7"])

    const ids = await readJson(await get(s, `/v2/contacts?filter=${encodeURIComponent("ids==3,5,999")}`))
    expect(ids.contacts.map((c: Json) => c.id)).toEqual(["3", "5"])

    const since = "2019-06-01T00:00:00.000Z"
    const updated = await listAll(s, { filter: `update_time>=${since}`, page_size: "1000" })
    expect(updated.contacts.length).toBeGreaterThan(0)
    expect(updated.contacts.length).toBeLessThan(120)
    expect(updated.contacts.every((c) => Date.parse(c.update_time) >= Date.parse(since))).toBe(true)
  })

  it("refuses malformed filters and unknown fields with 400", async () => {
    const s = sandbox()
    for (const filter of ["nonsense", "shoe_size==9", "email>a", "update_time>2019-01-01"]) {
      const response = await get(s, `/v2/contacts?filter=${encodeURIComponent(filter)}`)
      expect(response.status, filter).toBe(400)
      expect((await readJson(response)).status).toBe("INVALID_ARGUMENT")
    }
  })

  it("orders by id desc and by email asc", async () => {
    const s = sandbox()
    const desc = await readJson(await get(s, "/v2/contacts?page_size=3&order_by=id%20desc"))
    expect(desc.contacts.map((c: Json) => c.id)).toEqual(["120", "119", "118"])
    const { contacts } = await listAll(s, { order_by: "email asc", page_size: "40" })
    const emails = contacts.map((c) => c.email_addresses[0].email as string)
    expect(emails).toEqual([...emails].sort())
    expect(contacts).toHaveLength(120)
    expect((await get(s, "/v2/contacts?order_by=shoe_size")).status).toBe(400)
  })

  it("projects fields", async () => {
    const page = await readJson(await get(sandbox(), "/v2/contacts?page_size=1&fields=given_name"))
    expect(Object.keys(page.contacts[0]).sort()).toEqual(["given_name", "id"])
  })

  it("gets one contact, and answers unknown ids with the v2 404 shape", async () => {
    const s = sandbox()
    const found = await get(s, "/v2/contacts/42")
    expect(found.status).toBe(200)
    expect((await readJson(found)).id).toBe("42")
    const missing = await get(s, "/v2/contacts/999999")
    expect(missing.status).toBe(404)
    expect(await readJson(missing)).toMatchObject({ code: 404, status: "NOT_FOUND", details: [{ resource: "999999" }] })
  })

  it("creates a contact (201) and validates the email format", async () => {
    const s = sandbox()
    const created = await send(s, "POST", "/v2/contacts", {
      given_name: "Ada",
      family_name: "Lovelace",
      email_addresses: [{ email: "ada@example.org", field: "EMAIL1" }],
      custom_fields: [{ id: "7", content: "Green" }],
    })
    expect(created.status).toBe(201)
    const contact = await readJson(created)
    expect(Number(contact.id)).toBeGreaterThan(120)
    expect(contact.create_time).toBe(contact.update_time)
    expect((await readJson(await get(s, `/v2/contacts/${contact.id}`))).given_name).toBe("Ada")

    const invalid = await send(s, "POST", "/v2/contacts", {
      email_addresses: [{ email: "not-an-email", field: "EMAIL1" }],
    })
    expect(invalid.status).toBe(400)
    expect(await readJson(invalid)).toMatchObject({
      code: 400,
      status: "INVALID_ARGUMENT",
      details: [{ domain: "field", resource: "email_addresses" }],
    })
    const unknownField = await send(s, "POST", "/v2/contacts", { given_name: "X", shoe_size: 9 })
    expect(unknownField.status).toBe(400)
    const empty = await send(s, "POST", "/v2/contacts", {})
    expect(empty.status).toBe(400)
  })

  it("duplicate_option=Email updates the existing contact instead of creating one (200)", async () => {
    const s = sandbox()
    const existing = await readJson(await get(s, "/v2/contacts/3"))
    const email = existing.email_addresses[0].email
    const response = await send(s, "POST", "/v2/contacts?duplicate_option=Email", {
      given_name: "Renamed",
      email_addresses: [{ email, field: "EMAIL1" }],
    })
    expect(response.status).toBe(200)
    const updated = await readJson(response)
    expect(updated.id).toBe("3")
    expect(updated.given_name).toBe("Renamed")

    const sameNameRequired = await send(s, "POST", "/v2/contacts?duplicate_option=EmailAndName", {
      given_name: "Someone Else",
      email_addresses: [{ email, field: "EMAIL1" }],
    })
    expect(sameNameRequired.status).toBe(201)
    const withoutOption = await send(s, "POST", "/v2/contacts", { email_addresses: [{ email, field: "EMAIL1" }] })
    expect(withoutOption.status).toBe(201)
    expect((await send(s, "POST", "/v2/contacts?duplicate_option=Sometimes", { given_name: "x" })).status).toBe(400)
  })

  it("PATCH with update_mask changes only the masked fields", async () => {
    const s = sandbox()
    const before = await readJson(await get(s, "/v2/contacts/11"))
    const response = await send(s, "PATCH", "/v2/contacts/11?update_mask=given_name", {
      given_name: "Grace",
      family_name: "Ignored",
    })
    expect(response.status).toBe(200)
    const after = await readJson(response)
    expect(after.given_name).toBe("Grace")
    expect(after.family_name).toBe(before.family_name)
    expect(after.create_time).toBe(before.create_time)
    expect(Date.parse(after.update_time)).toBeGreaterThan(Date.parse(before.create_time))

    const noMask = await readJson(await send(s, "PATCH", "/v2/contacts/11", { family_name: "Hopper" }))
    expect(noMask).toMatchObject({ given_name: "Grace", family_name: "Hopper" })
    expect((await send(s, "PATCH", "/v2/contacts/11?update_mask=shoe_size", {})).status).toBe(400)
    expect((await send(s, "PATCH", "/v2/contacts/99999", { given_name: "x" })).status).toBe(404)
  })

  it("DELETE answers 204, then the contact is gone from get and list", async () => {
    const s = sandbox()
    const before = await listAll(s, { page_size: "1000" })
    const response = await fetch(`${s.keap.baseUrl}/v2/contacts/20`, { method: "DELETE", headers: patHeaders(s) })
    expect(response.status).toBe(204)
    expect(await response.text()).toBe("")
    expect((await get(s, "/v2/contacts/20")).status).toBe(404)
    const after = await listAll(s, { page_size: "1000" })
    expect(after.contacts).toHaveLength(before.contacts.length - 1)
    expect(after.contacts.some((c) => c.id === "20")).toBe(false)
    // Offsets still line up around the hole.
    const around = await readJson(await get(s, "/v2/contacts?page_size=3&filter=id%3E18"))
    expect(around.contacts.map((c: Json) => c.id)).toEqual(["19", "21", "22"])
    expect((await fetch(`${s.keap.baseUrl}/v2/contacts/20`, { method: "DELETE", headers: patHeaders(s) })).status).toBe(
      404,
    )
  })

  it("answers an unknown path with 404 and a wrong method with 405", async () => {
    const s = sandbox()
    expect((await get(s, "/v2/nothing-here")).status).toBe(404)
    const wrongMethod = await fetch(`${s.keap.baseUrl}/v2/contacts`, { method: "PUT", headers: patHeaders(s) })
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get("allow")).toContain("GET")
  })
})

describe("Keap contacts v1", () => {
  const sandbox = useSandbox({ rateLimits: false, contacts: { keap: 25 } })

  it("pages with offset/limit; next is the full URL with the same query parameters", async () => {
    const s = sandbox()
    const page = await readJson(await get(s, "/v1/contacts?limit=10&order=id&order_direction=ASCENDING"))
    expect(page.count).toBe(25)
    expect(page.contacts).toHaveLength(10)
    expect(page.contacts[0]).toMatchObject({ id: 1, email_addresses: [{ field: "EMAIL1" }] })
    expect(page.contacts[0].date_created).toMatch(/Z$/)
    const next = new URL(page.next)
    expect(next.origin).toBe(s.url)
    expect(next.pathname).toBe("/keap/crm/rest/v1/contacts")
    expect(Object.fromEntries(next.searchParams)).toEqual({
      order: "id",
      order_direction: "ASCENDING",
      limit: "10",
      offset: "10",
    })

    const ids: number[] = []
    let url: string = `${s.keap.baseUrl}/v1/contacts?limit=10`
    for (;;) {
      const body = await readJson(await fetch(url, { headers: patHeaders(s) }))
      if (body.contacts.length === 0) break
      ids.push(...body.contacts.map((c: Json) => c.id))
      url = body.next
    }
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
  })

  it("filters by email and given_name, and includes custom fields only on request", async () => {
    const s = sandbox()
    const one = await readJson(await get(s, "/v1/contacts/4"))
    const sameName = await readJson(await get(s, `/v1/contacts?given_name=${one.given_name}`))
    expect(sameName.count).toBeGreaterThan(0)
    expect(sameName.contacts.every((c: Json) => c.given_name === one.given_name)).toBe(true)
    expect(one.custom_fields).toBeUndefined()
    const email = one.email_addresses[0].email
    const found = await readJson(
      await get(s, `/v1/contacts?email=${encodeURIComponent(email)}&optional_properties=custom_fields`),
    )
    expect(found.count).toBe(1)
    expect(found.contacts[0].id).toBe(4)
    expect(found.contacts[0].custom_fields).toEqual([
      { id: 7, content: expect.any(String) },
      { id: 9, content: expect.any(Number) },
    ])
    expect((await get(s, "/v1/contacts/4000")).status).toBe(404)
    expect((await get(s, "/v1/contacts?limit=abc")).status).toBe(400)
  })
})

describe("Keap v2 contacts: phone filter", () => {
  const sandbox = useSandbox()

  it("finds contacts by phone_number within phone_fields, and needs both", async () => {
    const s = sandbox()
    const contact = await readJson(await get(s, "/v2/contacts/4"))
    const number = contact.phone_numbers[0].number as string
    const query = (filter: string) => get(s, `/v2/contacts?filter=${encodeURIComponent(filter)}`)
    const found = await readJson(await query(`phone_number==${number};phone_fields==PHONE1,PHONE2`))
    expect(found.contacts.map((c: Json) => c.id)).toContain(contact.id)
    const otherField = await readJson(await query(`phone_number==${number};phone_fields==PHONE2`))
    expect(otherField.contacts.map((c: Json) => c.id)).not.toContain(contact.id)
    expect((await query(`phone_number==${number}`)).status).toBe(400)
  })
})

import type { SandboxServer } from "@crmkit/sandbox"
import { describe, expect, it } from "vitest"
import { type Json, pitHeaders, readJson, sendJson, useSandbox } from "./support.ts"

const search = (s: SandboxServer, body: unknown) =>
  sendJson(`${s.ghl.baseUrl}/contacts/search`, "POST", body, pitHeaders(s))
const list = (s: SandboxServer, query: string) =>
  fetch(`${s.ghl.baseUrl}/contacts/?${query}`, { headers: pitHeaders(s) })
const send = (s: SandboxServer, method: string, path: string, body: unknown) =>
  sendJson(`${s.ghl.baseUrl}${path}`, method, body, pitHeaders(s))
const getContact = (s: SandboxServer, id: string) =>
  fetch(`${s.ghl.baseUrl}/contacts/${id}`, { headers: pitHeaders(s) })

/** Follows meta.nextPageUrl until null; returns all contacts. */
async function listAll(s: SandboxServer, query: string): Promise<{ contacts: Json[]; urls: string[] }> {
  const contacts: Json[] = []
  const urls: string[] = []
  let url: string | null = `${s.ghl.baseUrl}/contacts/?${query}`
  while (url !== null) {
    urls.push(url)
    const response = await fetch(url, { headers: pitHeaders(s) })
    expect(response.status).toBe(200)
    const page = await readJson(response)
    contacts.push(...page.contacts)
    url = page.meta.nextPageUrl
  }
  return { contacts, urls }
}

/** Pages through /contacts/search with searchAfter cursors. */
async function searchAll(s: SandboxServer, body: Json): Promise<Json[]> {
  const contacts: Json[] = []
  let searchAfter: unknown[] | undefined
  for (;;) {
    const response = await search(s, { ...body, ...(searchAfter === undefined ? {} : { searchAfter }) })
    expect(response.status).toBe(200)
    const page = await readJson(response)
    contacts.push(...page.contacts)
    if (page.contacts.length < body.pageLimit) return contacts
    searchAfter = page.contacts.at(-1).searchAfter
  }
}

describe("GHL GET /contacts/ (deprecated list)", () => {
  const sandbox = useSandbox({ rateLimits: false, contacts: { ghl: 95 } })
  const loc = () => sandbox().credentials.ghl.locationId

  it("returns 20 contacts by default in GHL's contact shape, with meta", async () => {
    const s = sandbox()
    const page = await readJson(await list(s, `locationId=${loc()}`))
    expect(page.contacts).toHaveLength(20)
    const first = page.contacts[0]
    expect(first.id).toMatch(/^[A-Za-z0-9]{20}$/)
    expect(first).toMatchObject({ locationId: loc(), name: `${first.firstName} ${first.lastName}`, type: "lead" })
    expect(first.email).toMatch(/^[a-z]+\.[a-z]+1@example\.com$/)
    expect(first.dateAdded).toMatch(/Z$/)
    expect(first.customFields).toHaveLength(2)
    expect(page.meta).toMatchObject({ total: 95, currentPage: 1, nextPage: 2, prevPage: null })
    expect(page.meta.startAfterId).toBe(page.contacts[19].id)
    expect(page.meta.startAfter).toBe(Date.parse(page.contacts[19].dateAdded))
  })

  it("nextPageUrl is absolute and keeps locationId, query and limit until the last page", async () => {
    const s = sandbox()
    const all = await listAll(s, `locationId=${loc()}&limit=30`)
    expect(all.contacts).toHaveLength(95)
    expect(new Set(all.contacts.map((c) => c.id)).size).toBe(95)
    const dates = all.contacts.map((c) => Date.parse(c.dateAdded))
    expect(dates).toEqual([...dates].sort((a, b) => a - b))
    for (const url of all.urls.slice(1)) {
      const parsed = new URL(url)
      expect(parsed.origin + parsed.pathname).toBe(`${s.ghl.baseUrl}/contacts/`)
      expect(parsed.searchParams.get("locationId")).toBe(loc())
      expect(parsed.searchParams.get("limit")).toBe("30")
      expect(parsed.searchParams.get("startAfterId")).toBeTruthy()
    }

    const target = all.contacts[40] as Json
    const query = (target.lastName as string).toLowerCase()
    const filtered = await listAll(s, `locationId=${loc()}&limit=2&query=${query}`)
    const expected = all.contacts.filter((c) => `${c.name} ${c.email} ${c.phone}`.toLowerCase().includes(query))
    expect(filtered.contacts.map((c) => c.id)).toEqual(expected.map((c) => c.id))
    for (const url of filtered.urls.slice(1)) expect(new URL(url).searchParams.get("query")).toBe(query)
  })

  it("validates locationId and limit", async () => {
    const s = sandbox()
    const missing = await list(s, "limit=5")
    expect(missing.status).toBe(422)
    expect(await readJson(missing)).toMatchObject({ statusCode: 422, message: ["locationId should not be empty"] })
    const tooMany = await list(s, `locationId=${loc()}&limit=101`)
    expect(tooMany.status).toBe(422)
    expect((await readJson(tooMany)).message).toEqual(["limit must not be greater than 100"])
    expect((await list(s, `locationId=${loc()}&limit=100`)).status).toBe(200)
    const otherLocation = await list(s, "locationId=someOtherLocation123")
    expect(otherLocation.status).toBe(403)
  })
})

describe("GHL POST /contacts/search", () => {
  const sandbox = useSandbox({ rateLimits: false, contacts: { ghl: 230 } })
  const loc = () => sandbox().credentials.ghl.locationId

  it("requires locationId and pageLimit (422 with a message array)", async () => {
    const s = sandbox()
    const response = await search(s, {})
    expect(response.status).toBe(422)
    const body = await readJson(response)
    expect(body.message).toEqual(
      expect.arrayContaining(["locationId should not be empty", "pageLimit should not be empty"]),
    )
    const tooBig = await search(s, { locationId: loc(), pageLimit: 501 })
    expect(tooBig.status).toBe(422)
    expect((await readJson(tooBig)).message).toContain("pageLimit must not be greater than 500")
  })

  it("pages with page/pageLimit and returns total, traceId and per-contact searchAfter", async () => {
    const s = sandbox()
    const page1 = await readJson(await search(s, { locationId: loc(), pageLimit: 100, page: 1 }))
    const page3 = await readJson(await search(s, { locationId: loc(), pageLimit: 100, page: 3 }))
    expect(page1.total).toBe(230)
    expect(page1.traceId).toEqual(expect.any(String))
    expect(page1.contacts).toHaveLength(100)
    expect(page3.contacts).toHaveLength(30)
    const last = page1.contacts[99]
    expect(last.searchAfter).toEqual([Date.parse(last.dateAdded), last.id])
  })

  it("caps page * pageLimit at 10,000 records and points to searchAfter", async () => {
    const s = sandbox()
    expect((await search(s, { locationId: loc(), pageLimit: 500, page: 20 })).status).toBe(200)
    const beyond = await search(s, { locationId: loc(), pageLimit: 500, page: 21 })
    expect(beyond.status).toBe(400)
    expect((await readJson(beyond)).message).toContain("searchAfter")
  })

  it("searchAfter walks every contact exactly once", async () => {
    const s = sandbox()
    const contacts = await searchAll(s, { locationId: loc(), pageLimit: 40 })
    expect(contacts).toHaveLength(230)
    expect(new Set(contacts.map((c) => c.id)).size).toBe(230)
  })

  it("searchAfter follows a custom sort (firstName desc) without gaps or repeats", async () => {
    const s = sandbox()
    const sort = [{ field: "firstName", direction: "desc" }]
    const contacts = await searchAll(s, { locationId: loc(), pageLimit: 17, sort })
    expect(contacts).toHaveLength(230)
    expect(new Set(contacts.map((c) => c.id)).size).toBe(230)
    const names = contacts.map((c) => (c.firstName as string).toLowerCase())
    expect(names).toEqual([...names].sort().reverse())
    expect(contacts[0]?.searchAfter).toHaveLength(2)
  })

  it("filters with eq / contains / exists / not_eq and AND/OR groups", async () => {
    const s = sandbox()
    const everyone = await searchAll(s, { locationId: loc(), pageLimit: 500 })
    const run = async (filters: unknown[]) => searchAll(s, { locationId: loc(), pageLimit: 500, filters })

    const vip = await run([{ field: "tags", operator: "eq", value: "vip" }])
    expect(vip.length).toBe(everyone.filter((c) => c.tags.includes("vip")).length)
    expect(vip.length).toBeGreaterThan(0)

    const someone = everyone[17] as Json
    const byEmail = await run([{ field: "email", operator: "eq", value: someone.email.toUpperCase() }])
    expect(byEmail.map((c) => c.id)).toEqual([someone.id])

    const contains = await run([{ field: "firstName", operator: "contains", value: "ar" }])
    expect(contains.length).toBe(everyone.filter((c) => c.firstName.toLowerCase().includes("ar")).length)

    const notVip = await run([{ field: "tags", operator: "not_eq", value: "vip" }])
    expect(notVip.length + vip.length).toBe(230)

    const tagged = await run([{ field: "tags", operator: "exists" }])
    expect(tagged.length).toBe(everyone.filter((c) => c.tags.length > 0).length)

    const either = await run([
      {
        group: "OR",
        filters: [
          { field: "tags", operator: "eq", value: "vip" },
          { field: "tags", operator: "eq", value: "trial" },
        ],
      },
    ])
    expect(either.length).toBe(everyone.filter((c) => c.tags.includes("vip") || c.tags.includes("trial")).length)

    const both = await run([
      { field: "tags", operator: "eq", value: "vip" },
      { field: "tags", operator: "eq", value: "trial" },
    ])
    expect(both.length).toBe(everyone.filter((c) => c.tags.includes("vip") && c.tags.includes("trial")).length)
    expect(both.length).toBeLessThan(either.length)

    const bad = await search(s, {
      locationId: loc(),
      pageLimit: 5,
      filters: [{ field: "shoeSize", operator: "eq", value: 9 }],
    })
    expect(bad.status).toBe(422)
  })

  it("refuses another location", async () => {
    expect((await search(sandbox(), { locationId: "elsewhere", pageLimit: 5 })).status).toBe(403)
  })
})

describe("GHL contact CRUD and upsert", () => {
  const sandbox = useSandbox({ rateLimits: false, contacts: { ghl: 30 } })
  const loc = () => sandbox().credentials.ghl.locationId

  it("creates (201), reads, updates and deletes a contact", async () => {
    const s = sandbox()
    const created = await send(s, "POST", "/contacts/", {
      locationId: loc(),
      firstName: "Ada",
      lastName: "Lovelace",
      email: "Ada@Example.org",
      tags: ["vip"],
      customFields: [{ id: "cf1", field_value: "x" }],
    })
    expect(created.status).toBe(201)
    const { contact } = await readJson(created)
    expect(contact).toMatchObject({
      firstName: "Ada",
      name: "Ada Lovelace",
      email: "ada@example.org",
      locationId: loc(),
    })
    expect(contact.customFields).toEqual([{ id: "cf1", value: "x" }])

    const fetched = await getContact(s, contact.id)
    expect(fetched.status).toBe(200)
    expect((await readJson(fetched)).contact.id).toBe(contact.id)

    const updated = await send(s, "PUT", `/contacts/${contact.id}`, { lastName: "King", tags: ["customer"] })
    expect(updated.status).toBe(200)
    const body = await readJson(updated)
    expect(body.succeded).toBe(true)
    expect(body.contact).toMatchObject({ name: "Ada King", tags: ["customer"], dateAdded: contact.dateAdded })

    const deleted = await fetch(`${s.ghl.baseUrl}/contacts/${contact.id}`, { method: "DELETE", headers: pitHeaders(s) })
    expect(deleted.status).toBe(200)
    expect(await readJson(deleted)).toEqual({ succeded: true })
    const gone = await getContact(s, contact.id)
    expect(gone.status).toBe(404)
    expect(await readJson(gone)).toMatchObject({ statusCode: 404, message: "Contact not found" })
  })

  it("refuses a duplicate email in the location with the contact id and matching field", async () => {
    const s = sandbox()
    const existing = (await readJson(await list(s, `locationId=${loc()}&limit=1`))).contacts[0]
    const response = await send(s, "POST", "/contacts/", { locationId: loc(), firstName: "Dup", email: existing.email })
    expect(response.status).toBe(400)
    expect(await readJson(response)).toMatchObject({
      statusCode: 400,
      message: "This location does not allow duplicated contacts.",
      meta: { contactId: existing.id, matchingField: "email" },
    })
  })

  it("validates bodies like class-validator (422, unknown properties refused)", async () => {
    const s = sandbox()
    const response = await send(s, "POST", "/contacts/", { locationId: loc(), email: "nope", shoeSize: 9 })
    expect(response.status).toBe(422)
    expect((await readJson(response)).message).toEqual(
      expect.arrayContaining(["property shoeSize should not exist", "email must be an email"]),
    )
    const noLocation = await send(s, "POST", "/contacts/", { firstName: "X" })
    expect(noLocation.status).toBe(422)
    const elsewhere = await send(s, "POST", "/contacts/", { locationId: "elsewhere", firstName: "X" })
    expect(elsewhere.status).toBe(403)
  })

  it("upsert creates a new contact, then updates it when the email matches", async () => {
    const s = sandbox()
    const first = await send(s, "POST", "/contacts/upsert", {
      locationId: loc(),
      email: "grace@example.net",
      firstName: "Grace",
    })
    expect(first.status).toBe(200)
    const created = await readJson(first)
    expect(created.new).toBe(true)
    const second = await readJson(
      await send(s, "POST", "/contacts/upsert", { locationId: loc(), email: "GRACE@example.net", lastName: "Hopper" }),
    )
    expect(second.new).toBe(false)
    expect(second.contact).toMatchObject({ id: created.contact.id, firstName: "Grace", lastName: "Hopper" })

    const seeded = (await readJson(await list(s, `locationId=${loc()}&limit=3`))).contacts[2]
    const byPhone = await readJson(
      await send(s, "POST", "/contacts/upsert", { locationId: loc(), phone: seeded.phone, source: "sandbox test" }),
    )
    expect(byPhone.new).toBe(false)
    expect(byPhone.contact.id).toBe(seeded.id)
  })

  it("answers unknown ids and unknown routes with 404", async () => {
    const s = sandbox()
    expect((await getContact(s, "AAAAAAAAAAAAAAAAAAAA")).status).toBe(404)
    const unknown = await fetch(`${s.ghl.baseUrl}/nothing/here`, { headers: pitHeaders(s) })
    expect(unknown.status).toBe(404)
    expect((await readJson(unknown)).message).toBe("Cannot GET /nothing/here")
  })
})

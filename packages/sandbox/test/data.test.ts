import { describe, expect, it } from "vitest"
import { seedPerson } from "../src/index.ts"
import { type Json, patHeaders, pitHeaders, readJson, sendJson, startBoth, useSandbox, withSandbox } from "./support.ts"

describe("determinism", () => {
  it("the same seed gives the same contacts and credentials; another seed does not", async () => {
    const snapshot = async (seed: number) =>
      withSandbox({ seed, rateLimits: false, contacts: { keap: 40, ghl: 40 } }, async (s) => ({
        credentials: s.credentials,
        keap: await readJson(await fetch(`${s.keap.baseUrl}/v2/contacts?page_size=40`, { headers: patHeaders(s) })),
        ghl: await readJson(
          await fetch(`${s.ghl.baseUrl}/contacts/?locationId=${s.credentials.ghl.locationId}&limit=40`, {
            headers: pitHeaders(s),
          }),
        ),
      }))
    const a = await snapshot(7)
    const b = await snapshot(7)
    const c = await snapshot(8)
    expect(b.credentials).toEqual(a.credentials)
    expect(b.keap.contacts).toEqual(a.keap.contacts)
    expect(b.ghl.contacts).toEqual(a.ghl.contacts)
    expect(c.credentials.keap.oauthApp.clientId).not.toBe(a.credentials.keap.oauthApp.clientId)
    expect(c.credentials.ghl.locationId).not.toBe(a.credentials.ghl.locationId)
    expect(c.keap.contacts.map((x: Json) => x.email_addresses[0].email)).not.toEqual(
      a.keap.contacts.map((x: Json) => x.email_addresses[0].email),
    )
  })

  it("record #i depends only on (seed, i), not on how many records are configured", async () => {
    const few = await withSandbox({ contacts: { keap: 10 }, rateLimits: false }, async (s) =>
      readJson(await fetch(`${s.keap.baseUrl}/v2/contacts/10`, { headers: patHeaders(s) })),
    )
    const many = await withSandbox({ contacts: { keap: 5000 }, rateLimits: false }, async (s) =>
      readJson(await fetch(`${s.keap.baseUrl}/v2/contacts/10`, { headers: patHeaders(s) })),
    )
    expect(many).toEqual(few)
    expect(seedPerson(42, 9).email).toBe(few.email_addresses[0].email)
  })

  it("seeded data looks realistic", () => {
    const people = Array.from({ length: 200 }, (_, i) => seedPerson(42, i))
    for (const [i, person] of people.entries()) {
      expect(person.email).toBe(`${person.firstName}.${person.lastName}${i + 1}@example.com`.toLowerCase())
      expect(person.phone).toMatch(/^\+1\d{3}55501\d{2}$/)
      expect(person.updatedAt).toBeGreaterThanOrEqual(person.createdAt)
    }
    // Creation times strictly increase with the index (keyset pagination relies on it).
    expect(people.every((p, i) => i === 0 || p.createdAt > (people[i - 1] as typeof p).createdAt)).toBe(true)
    expect(new Set(people.map((p) => p.firstName)).size).toBeGreaterThan(20)
    expect(people.some((p) => p.tags.length > 0)).toBe(true)
    expect(people.some((p) => p.tags.length === 0)).toBe(true)
  })
})

describe("virtual contacts", () => {
  const sandbox = useSandbox({ rateLimits: false, contacts: { keap: 1_000_000, ghl: 1_000_000 } })

  it("a million configured contacts cost no memory up front", async () => {
    const before = process.memoryUsage().heapUsed
    const extra = await startBoth({ contacts: { keap: 1_000_000, ghl: 1_000_000 } })
    const grown = process.memoryUsage().heapUsed - before
    await extra.close()
    expect(grown).toBeLessThan(32 * 1024 * 1024)
  })

  it("lists the last page of 1,000,000 quickly (Keap v1 offset)", async () => {
    const s = sandbox()
    const started = performance.now()
    const page = await readJson(
      await fetch(`${s.keap.baseUrl}/v1/contacts?limit=1000&offset=999000`, { headers: patHeaders(s) }),
    )
    expect(performance.now() - started).toBeLessThan(2000)
    expect(page.count).toBe(1_000_000)
    expect(page.contacts).toHaveLength(1000)
    expect(page.contacts.at(-1).id).toBe(1_000_000)
    const beyond = await readJson(
      await fetch(`${s.keap.baseUrl}/v1/contacts?limit=1000&offset=1000000`, { headers: patHeaders(s) }),
    )
    expect(beyond.contacts).toEqual([])
  })

  it("reads the last record by id, and knows there is none after it", async () => {
    const s = sandbox()
    const last = await fetch(`${s.keap.baseUrl}/v2/contacts/1000000`, { headers: patHeaders(s) })
    expect(last.status).toBe(200)
    expect((await readJson(last)).email_addresses[0].email).toMatch(/1000000@example\.com$/)
    expect((await fetch(`${s.keap.baseUrl}/v2/contacts/1000001`, { headers: patHeaders(s) })).status).toBe(404)
  })

  it("GHL: total is known at once and keyset pages near the end are fast", async () => {
    const s = sandbox()
    const loc = s.credentials.ghl.locationId
    const first = await readJson(
      await fetch(`${s.ghl.baseUrl}/contacts/?locationId=${loc}&limit=1`, { headers: pitHeaders(s) }),
    )
    expect(first.meta.total).toBe(1_000_000)
    // The descending search shows the newest contacts first; continue after them with searchAfter.
    const started = performance.now()
    const newest = await readJson(
      await sendJson(
        `${s.ghl.baseUrl}/contacts/search`,
        "POST",
        { locationId: loc, pageLimit: 3, sort: [{ field: "dateAdded", direction: "desc" }] },
        pitHeaders(s),
      ),
    )
    const next = await readJson(
      await sendJson(
        `${s.ghl.baseUrl}/contacts/search`,
        "POST",
        {
          locationId: loc,
          pageLimit: 3,
          sort: [{ field: "dateAdded", direction: "desc" }],
          searchAfter: newest.contacts[2].searchAfter,
        },
        pitHeaders(s),
      ),
    )
    expect(performance.now() - started).toBeLessThan(2000)
    expect(newest.contacts[0].email).toMatch(/1000000@example\.com$/)
    expect(next.contacts.map((c: Json) => c.email.match(/(\d+)@/)[1])).toEqual(["999997", "999996", "999995"])
    const lastPage = await readJson(
      await fetch(`${s.ghl.baseUrl}/contacts/?locationId=${loc}&limit=5&startAfterId=${newest.contacts[1].id}`, {
        headers: pitHeaders(s),
      }),
    )
    expect(lastPage.contacts).toHaveLength(1)
    expect(lastPage.meta.nextPageUrl).toBeNull()
    expect(lastPage.meta.currentPage).toBe(200_000)
  })

  it("writes go to an overlay: a change to contact #500,000 is visible, the rest stay generated", async () => {
    const s = sandbox()
    const url = `${s.keap.baseUrl}/v2/contacts/500000`
    const before = await readJson(await fetch(url, { headers: patHeaders(s) }))
    const patched = await sendJson(`${url}?update_mask=given_name`, "PATCH", { given_name: "Overlay" }, patHeaders(s))
    expect((await readJson(patched)).given_name).toBe("Overlay")
    const after = await readJson(await fetch(url, { headers: patHeaders(s) }))
    expect(after).toMatchObject({ given_name: "Overlay", family_name: before.family_name })
    const neighbour = await readJson(await fetch(`${s.keap.baseUrl}/v2/contacts/500001`, { headers: patHeaders(s) }))
    expect(neighbour.given_name).not.toBe("Overlay")
  })
})

/**
 * Companies (GHL businesses) moved by the engine, by name and exactly once, and each contact
 * linked to its moved company: Keap -> HighLevel (Keap companies become businesses, the contact's
 * `businessId` set), and HighLevel -> Keap (businesses become companies, `company.id` set).
 */
import type { Records } from "@crmkit/core"
import { Businesses, Contacts as GhlContacts } from "@crmkit/ghl"
import { Companies, Contacts as KeapContacts } from "@crmkit/keap"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { Engine, Mapping } from "../src/index.ts"
import { sides, startBoth } from "./support.ts"
import { editedMapping, on, openState, routes, writesSince } from "./support-run.ts"

const all = <A>(side: Engine.Side, stream: Stream.Stream<Records.Listed<A>, unknown, any>) =>
  on(
    side,
    Effect.map(Stream.runCollect(stream), (listed) =>
      Array.from(listed).flatMap((l) => (l._tag === "Ok" ? [l.record] : [])),
    ),
  )

describe("keap -> ghl companies", () => {
  it("moves companies once by name, links contacts to them, resumes a lost create, then writes nothing", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 20 }, { rateLimits: false, contacts: 0 })
    const s = await sides(sandbox)
    try {
      const keapCompany = (body: object) =>
        on(
          s.keap,
          Effect.map(Companies.create(body as never), (c) => String((c as { id: unknown }).id)),
        )
      const acme = await keapCompany({
        company_name: "Acme Corp",
        email_address: { email: "Hello@Acme.example", field: "EMAIL1" },
        phone_number: { number: "(212) 555-0142", field: "PHONE1" },
        website: "https://acme.example",
        address: { field: "BILLING", line1: "1 Main St", locality: "Springfield", country_code: "USA" },
      })
      const globex = await keapCompany({ company_name: "Globex" })
      const initech = await keapCompany({ company_name: "Initech" })
      // The same company twice in Keap (spacing and case aside): one business, reported as a merge.
      const acmeAgain = await keapCompany({ company_name: "  ACME corp" })
      const members: Record<string, string> = {
        "1": acme,
        "2": acme,
        "3": acme,
        "4": globex,
        "5": globex,
        "6": initech,
        "7": acmeAgain,
      }
      for (const [contact, company] of Object.entries(members))
        await on(s.keap, KeapContacts.update(contact, { company: { id: company } } as never))
      // HighLevel already has Initech: matched, not created.
      await on(s.ghl, Businesses.create({ name: "Initech" } as never))

      const [source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
      const state = await openState()
      const options: Engine.Options = { from: s.keap, to: s.ghl, state, mapping: editedMapping(source, target) }

      const before = routes(sandbox)
      const planned = await Effect.runPromise(Engine.plan(options))
      expect(writesSince(sandbox, before)).toEqual({})
      expect(planned.entities.company).toMatchObject({ create: 2, matched: 1, update: 0 })
      expect(planned.entities.company.merges).toEqual([
        { sourceId: acmeAgain, targetId: expect.any(String), with: acme, matchedBy: "name" },
      ])
      expect(planned.entities.contact.create).toBe(20)

      // The first business create reaches HighLevel but its answer is lost: the run stops there.
      sandbox.faults.inject({ kind: "malformed", count: 1, path: /^\/ghl\/businesses\/?$/, method: "POST" })
      const failed = await Effect.runPromise(Effect.result(Engine.run(options)))
      expect(failed._tag).toBe("Failure")
      expect((await Effect.runPromise(state.counts())).intents.pending).toBe(1)
      // Then a contact is created but linking it to its business fails: half a write, left open.
      sandbox.faults.inject({ kind: "5xx", count: 1, path: "/ghl/contacts/bulk/business", method: "POST" })
      const halfway = await Effect.runPromise(Effect.result(Engine.run(options)))
      expect(halfway._tag).toBe("Failure")
      const resumed = await Effect.runPromise(Engine.run(options))
      // The contact is found by its marker, not as sent, and brought in line by an update.
      expect(resumed.reconciled.found).toBeGreaterThanOrEqual(1)
      expect(resumed.entities.contact.update).toBeGreaterThanOrEqual(1)

      const writes = writesSince(sandbox, before)
      expect(writes["POST /ghl/businesses/"]).toBe(2)
      expect(writes["POST /ghl/contacts/"]).toBe(20)
      const businesses = await all(s.ghl, s.ghl.records.companies(target))
      expect(businesses.map((b) => b.name).sort()).toEqual(["Acme Corp", "Globex", "Initech"])
      const byName = new Map(businesses.map((b) => [b.name, b]))
      expect(byName.get("Acme Corp")).toMatchObject({
        email: "hello@acme.example",
        phone: "+12125550142",
        website: "https://acme.example",
        address: { line1: "1 Main St", city: "Springfield", country: "US" },
      })
      // Every contact of a company points at its business (the duplicate Keap company's at the merged one).
      const contacts = await all(s.ghl, s.ghl.records.contacts(target))
      const company = (keapId: string) => contacts.find((c) => c.sourceId === keapId)
      for (const id of ["1", "2", "3", "7"])
        expect(company(id)).toMatchObject({ companyId: byName.get("Acme Corp")?.id, companyName: "Acme Corp" })
      expect(company("4")?.companyId).toBe(byName.get("Globex")?.id)
      expect(company("6")?.companyId).toBe(byName.get("Initech")?.id)
      expect(company("8")?.companyId).toBeUndefined()

      const verification = await Effect.runPromise(Engine.verify(options))
      expect(verification.ok).toBe(true)
      expect(verification.entities.company).toMatchObject({ source: 4, linked: 4, missing: [], duplicates: [] })

      const quiet = routes(sandbox)
      const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
      expect(again.writes).toBe(0)
      expect(again.entities.company.unchanged).toBe(4)
      expect(writesSince(sandbox, quiet)).toEqual({})

      // A change in Keap moves to the business; a change on both sides under review is held.
      await on(s.keap, Companies.update(globex, { website: "https://globex.example" } as never))
      const updated = await Effect.runPromise(Engine.run(options))
      expect(updated.entities.company.update).toBe(1)
      expect((await all(s.ghl, s.ghl.records.companies(target))).find((b) => b.name === "Globex")?.website).toBe(
        "https://globex.example",
      )

      await on(s.keap, Companies.update(globex, { website: "https://keap-side.example" } as never))
      await on(
        s.ghl,
        Businesses.update(byName.get("Globex")?.id as string, { website: "https://ghl-side.example" } as never),
      )
      const review = { ...options.mapping, conflicts: { ...options.mapping.conflicts, company: "review" as const } }
      const held = await Effect.runPromise(Engine.run({ ...options, mapping: review }))
      expect(held.entities.company.conflicts).toEqual([
        {
          id: globex,
          targetId: byName.get("Globex")?.id,
          policy: "review",
          fields: { website: { source: "https://keap-side.example", target: "https://ghl-side.example" } },
        },
      ])
      expect((await Effect.runPromise(Engine.status(state))).held).toEqual([
        { entity: "company", sourceId: globex, targetId: byName.get("Globex")?.id },
      ])
      const resolved = await Effect.runPromise(Engine.run(options)) // source-wins, the default
      expect(resolved.entities.company.update).toBe(1)
      expect((await Effect.runPromise(Engine.status(state))).held).toEqual([])
    } finally {
      await s.close()
      await sandbox.close()
    }
  })
})

describe("keap -> ghl companies of one name", () => {
  it("in one run: one business, the second company merged into it, the contacts of both linked to it", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 4 }, { rateLimits: false, contacts: 0 })
    const s = await sides(sandbox)
    try {
      const make = (name: string) =>
        on(
          s.keap,
          Effect.map(Companies.create({ company_name: name } as never), (c) => String((c as { id: unknown }).id)),
        )
      const first = await make("Acme Corp")
      const second = await make("  ACME corp")
      await on(s.keap, KeapContacts.update("1", { company: { id: first } } as never))
      await on(s.keap, KeapContacts.update("2", { company: { id: second } } as never))
      const [source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
      const options: Engine.Options = {
        from: s.keap,
        to: s.ghl,
        state: await openState(),
        mapping: editedMapping(source, target),
      }
      const report = await Effect.runPromise(Engine.run(options))
      const businesses = await all(s.ghl, s.ghl.records.companies(target))
      expect(businesses).toHaveLength(1)
      const acme = businesses[0]?.id as string
      expect(report.entities.company.create).toBe(1)
      expect(report.entities.company.merges).toEqual([
        { sourceId: second, targetId: acme, with: first, matchedBy: "name" },
      ])
      const contacts = await all(s.ghl, s.ghl.records.contacts(target))
      expect(
        contacts
          .filter((c) => c.companyId === acme)
          .map((c) => c.sourceId)
          .sort(),
      ).toEqual(["1", "2"])
      expect((await Effect.runPromise(Engine.verify(options))).ok).toBe(true)
      expect((await Effect.runPromise(Engine.run({ ...options, full: true }))).writes).toBe(0)
    } finally {
      await s.close()
      await sandbox.close()
    }
  })
})

describe("ghl -> keap companies", () => {
  it("moves businesses into Keap companies and links contacts; a name Keap cannot hold alone is reported", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 0 }, { rateLimits: false, contacts: 10 })
    const s = await sides(sandbox)
    try {
      const [source, target] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
      const ghlContacts = await all(s.ghl, s.ghl.records.contacts(source))
      const created = await on(
        s.ghl,
        Businesses.create({ name: "Umbrella", website: "https://umbrella.example" } as never),
      )
      const umbrella = String((created as { business: { id: string } }).business.id)
      const members = ghlContacts.slice(0, 3)
      for (const c of members)
        await on(
          s.ghl,
          s.ghl.records.updateContact(c.id, { ...c, companyId: umbrella, companyName: "Umbrella" }, source),
        )
      // A company name with no business: Keap holds a contact's company only as a company record.
      await on(
        s.ghl,
        GhlContacts.create({ firstName: "Lone", email: "lone@hooli.example", companyName: "Hooli" } as never),
      )
      const loner = { emails: ["lone@hooli.example"] } as unknown as Records.Contact

      const state = await openState()
      const options: Engine.Options = {
        from: s.ghl,
        to: s.keap,
        state,
        mapping: Mapping.propose("ghl", "keap", source, target),
      }
      const report = await Effect.runPromise(Engine.run(options))
      expect(report.entities.company.create).toBe(1)
      expect(report.unmapped.companies).toEqual({ Hooli: 1 })
      const companies = await all(s.keap, s.keap.records.companies(target))
      expect(companies).toEqual([expect.objectContaining({ name: "Umbrella", website: "https://umbrella.example" })])
      const keapContacts = await all(s.keap, s.keap.records.contacts(target))
      const copyOf = (c: Records.Contact) => keapContacts.find((k) => k.emails[0] === c.emails[0])
      for (const c of members) expect(copyOf(c)).toMatchObject({ companyId: companies[0]?.id, companyName: "Umbrella" })
      expect(copyOf(loner)?.companyId).toBeUndefined()
      expect((await Effect.runPromise(Engine.verify(options))).ok).toBe(true)

      const before = routes(sandbox)
      const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
      expect(again.writes).toBe(0)
      expect(writesSince(sandbox, before)).toEqual({})
    } finally {
      await s.close()
      await sandbox.close()
    }
  })
})

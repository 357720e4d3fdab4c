/**
 * GHL's "Allow Duplicate Contact" setting, contacts GHL already has, and the sandbox's fault
 * injection (429s, 5xx, connection resets, and creates whose answer is lost): nothing lost,
 * nothing duplicated.
 */
import { Contacts } from "@crmkit/ghl"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Engine } from "../src/index.ts"
import { makeKeapData } from "./data.ts"
import { sides, startBoth } from "./support.ts"
import { editedMapping, openState, routes, targetCounts, writesSince } from "./support-run.ts"

/** Creates a GHL contact with this email directly: succeeds or fails as the location's setting says. */
const createDirectly = (side: Engine.Side, email: string) =>
  Effect.runPromise(Effect.result(Effect.provideContext(Contacts.create({ email } as never), side.services)))

const setUp = async (keapContacts: number, ghl: { contacts: number; allowDuplicateContact?: boolean }) => {
  const sandbox = await startBoth({ rateLimits: false, contacts: keapContacts }, { rateLimits: false, ...ghl })
  const s = await sides(sandbox)
  const [source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
  const state = await openState()
  const options: Engine.Options = { from: s.keap, to: s.ghl, state, mapping: editedMapping(source, target) }
  return {
    sandbox,
    s,
    target,
    state,
    options,
    close: async () => {
      await s.close()
      await sandbox.close()
    },
  }
}

describe("duplicates", () => {
  it("with Allow Duplicate Contact off (GHL's default), contacts GHL has are matched and duplicates merge, reported", async () => {
    const t = await setUp(30, { contacts: 10 })
    try {
      await makeKeapData(t.s.keap, 30, {
        emailDuplicates: 3,
        phonePairs: 0,
        badPhones: 0,
        notes: 0,
        tasks: 0,
        opportunities: 0,
      })
      // The simulator refuses a second contact with an email it has, as GHL does with the setting off.
      const existing = await targetCounts(t.s.ghl, t.target)
      expect(existing.contacts).toBe(10)
      const taken = [...existing.byMarker.values()][0]?.emails[0] as string
      const refused = await createDirectly(t.s.ghl, taken)
      expect(refused._tag).toBe("Failure")
      expect(String(refused._tag === "Failure" ? refused.failure : "")).toMatch(/does not allow duplicated contacts/)
      expect(t.target.allowDuplicateContacts).toBe(false)
      const report = await Effect.runPromise(Engine.run(t.options))
      const contacts = report.entities.contact
      // Keap's and GHL's seeded contacts are the same people: the first ten are found by email.
      expect(contacts.matched).toBe(10)
      expect(contacts.create).toBe(20)
      expect(contacts.merges).toHaveLength(3)
      expect(contacts.merges.every((m) => m.matchedBy === "email")).toBe(true)
      const counts = await targetCounts(t.s.ghl, t.target)
      expect(counts.contacts).toBe(30)
      expect((await Effect.runPromise(Engine.verify(t.options))).ok).toBe(true)
    } finally {
      await t.close()
    }
  })

  it("with Allow Duplicate Contact on, source contacts sharing an email each get their own GHL contact", async () => {
    const t = await setUp(30, { contacts: 0, allowDuplicateContact: true })
    try {
      await makeKeapData(t.s.keap, 30, {
        emailDuplicates: 3,
        phonePairs: 0,
        badPhones: 0,
        notes: 0,
        tasks: 0,
        opportunities: 0,
      })
      expect(t.target.allowDuplicateContacts).toBe(true)
      expect((await createDirectly(t.s.ghl, "twice@example.org"))._tag).toBe("Success")
      expect((await createDirectly(t.s.ghl, "twice@example.org"))._tag).toBe("Success")
      const planned = await Effect.runPromise(Engine.plan(t.options))
      expect(planned.entities.contact.merges).toEqual([])
      expect(planned.entities.contact.create).toBe(33)
      const report = await Effect.runPromise(Engine.run(t.options))
      expect(report.entities.contact.create).toBe(33)
      const counts = await targetCounts(t.s.ghl, t.target)
      expect(counts.contacts).toBe(33 + 2)
      expect(counts.distinctMarkers).toBe(33)
      expect((await Effect.runPromise(Engine.verify(t.options))).ok).toBe(true)
    } finally {
      await t.close()
    }
  })
})

describe("faults", () => {
  it("429s, 5xx, resets and creates whose answer is lost: resumed runs lose and duplicate nothing", async () => {
    const t = await setUp(150, { contacts: 0 })
    try {
      const made = await makeKeapData(t.s.keap, 150, {
        emailDuplicates: 0,
        phonePairs: 0,
        badPhones: 0,
        notes: 40,
        tasks: 20,
        opportunities: 15,
      })
      const createContact = /^\/ghl\/contacts\/$/
      t.sandbox.faults.inject([
        { kind: "429", count: 6, path: createContact, method: "POST" },
        { kind: "5xx", count: 3, path: "/ghl/contacts/search", method: "POST" },
        { kind: "5xx", count: 2, path: "/keap/crm/rest/v2/notes", method: "GET" },
        { kind: "malformed", count: 3, path: createContact, method: "POST" },
        { kind: "5xx", count: 2, path: createContact, method: "POST" },
        { kind: "reset", count: 2, path: /\/ghl\/contacts\/[^/]+\/notes$/, method: "POST" },
        { kind: "malformed", count: 2, path: /\/ghl\/contacts\/[^/]+\/tasks$/, method: "POST" },
        { kind: "429", count: 4, path: "/ghl/opportunities/", method: "POST" },
      ])
      const before = routes(t.sandbox)
      let failures = 0
      for (let attempt = 0; attempt < 20; attempt++) {
        const outcome = await Effect.runPromise(Effect.result(Engine.run(t.options)))
        if (outcome._tag === "Success") break
        failures++
      }
      expect(t.sandbox.faults.pending).toEqual([])
      expect(failures).toBeGreaterThan(0)
      const counts = await targetCounts(t.s.ghl, t.target)
      expect(counts.contacts).toBe(150)
      expect(counts.distinctMarkers).toBe(150)
      expect(counts.notes).toBe(made.notes)
      expect(counts.tasks).toBe(made.tasks)
      expect(counts.opportunities).toBe(made.opportunities)
      // Every create that reached GHL is counted once: lost answers were found again, not re-sent.
      const writes = writesSince(t.sandbox, before)
      const faultedContactCreates = 6 + 2 // 429s and 5xx never reach the handler
      expect(writes["POST /ghl/contacts/"]).toBe(150 + faultedContactCreates)
      expect((await Effect.runPromise(Engine.verify(t.options))).ok).toBe(true)
      const again = await Effect.runPromise(Engine.run(t.options))
      expect(again.writes).toBe(0)
    } finally {
      await t.close()
    }
  })
})

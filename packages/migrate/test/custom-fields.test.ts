/**
 * Target custom fields created when the mapping asks for them: `plan` lists them and sends no
 * write; `run` creates each once (an intent, reconciled by name when the answer is lost) before
 * the contacts that carry their values. Keap -> HighLevel and HighLevel -> Keap.
 */
import type { Records } from "@crmkit/core"
import { Contacts as GhlContacts } from "@crmkit/ghl"
import { Contacts as KeapContacts } from "@crmkit/keap"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Engine, Mapping } from "../src/index.ts"
import { sides, startBoth } from "./support.ts"
import { contactsOf, editedMapping, on, openState, routes, writesSince } from "./support-run.ts"

const createField = (side: Engine.Side, lookups: Records.Lookups, field: Records.NewCustomField) =>
  on(
    side,
    (side.records.createCustomField as NonNullable<Records.RecordMapper<unknown>["createCustomField"]>)(field, lookups),
  )

describe("custom fields created from the mapping", () => {
  it("keap -> ghl: planned without a write, created once though its answer is lost, values carried", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 20 }, { rateLimits: false, contacts: 0 })
    const s = await sides(sandbox)
    try {
      const [before] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
      const shoe = await createField(s.keap, before, { name: "Shoe size", type: "number" })
      expect(shoe).toMatchObject({ name: "Shoe size", dataType: "WHOLE_NUMBER", type: "number" })
      for (let id = 1; id <= 5; id++)
        await on(s.keap, KeapContacts.update(id, { custom_fields: [{ id: shoe.id, content: 40 + id }] } as never))
      const [source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
      expect(target.customFields.map((f) => f.name)).not.toContain("Shoe size")
      const proposed = editedMapping(source, target)
      expect(proposed.customFields["Shoe size"]).toBeNull() // never created unless asked
      const mapping: Mapping.Mapping = {
        ...proposed,
        customFields: { ...proposed.customFields, "Shoe size": { create: true } },
      }
      const state = await openState()
      const options: Engine.Options = { from: s.keap, to: s.ghl, state, mapping }

      const start = routes(sandbox)
      const planned = await Effect.runPromise(Engine.plan(options))
      expect(writesSince(sandbox, start)).toEqual({})
      expect(planned.customFields).toEqual([
        { source: "Shoe size", name: "Shoe size", type: "number", status: "create" },
      ])
      expect(planned.entities.customField.create).toBe(1)
      expect(planned.unmapped.customFields["Shoe size"]).toBeUndefined()

      sandbox.faults.inject({ kind: "malformed", count: 1, path: /\/customFields$/, method: "POST" })
      const failed = await Effect.runPromise(Effect.result(Engine.run(options)))
      expect(failed._tag).toBe("Failure")
      // Nothing after the field was sent: the contacts wait for it.
      expect(writesSince(sandbox, start)).toEqual({ "POST /ghl/locations/:locationId/customFields": 1 })
      const resumed = await Effect.runPromise(Engine.run(options))
      expect(resumed.reconciled).toEqual({ found: 1, missing: 0 })
      expect(resumed.entities.customField).toMatchObject({ create: 0, unchanged: 1 })
      expect(resumed.entities.contact.create).toBe(20)
      expect(writesSince(sandbox, start)["POST /ghl/locations/:locationId/customFields"]).toBe(1)

      const [, after] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
      expect(after.customFields.filter((f) => f.name === "Shoe size")).toEqual([
        expect.objectContaining({ dataType: "NUMERICAL", type: "number" }),
      ])
      const ghl = await contactsOf(s.ghl, after)
      for (let id = 1; id <= 5; id++)
        expect(String(ghl.find((c) => c.sourceId === String(id))?.customFields["Shoe size"])).toBe(String(40 + id))
      const verification = await Effect.runPromise(Engine.verify(options))
      expect(verification.ok).toBe(true)
      expect(verification.entities.customField).toMatchObject({ linked: 1, missing: [] })

      const quiet = routes(sandbox)
      const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
      expect(again.writes).toBe(0)
      expect(writesSince(sandbox, quiet)).toEqual({})
    } finally {
      await s.close()
      await sandbox.close()
    }
  })

  it("ghl -> keap: a field named and typed in the mapping is created in Keap and carries the values", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 0 }, { rateLimits: false, contacts: 8 })
    const s = await sides(sandbox)
    try {
      const [before] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
      const mood = await createField(s.ghl, before, { name: "Mood", type: "large-text" })
      const ghl = await contactsOf(s.ghl, before)
      for (const [i, c] of ghl.slice(0, 3).entries())
        await on(
          s.ghl,
          GhlContacts.update(c.id, { customFields: [{ id: mood.id, field_value: `calm ${i}` }] } as never),
        )
      const [source, target] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
      const proposed = Mapping.propose("ghl", "keap", source, target)
      const mapping: Mapping.Mapping = {
        ...proposed,
        customFields: { ...proposed.customFields, Mood: { create: "Current mood", type: "text" } },
      }
      const state = await openState()
      const options: Engine.Options = { from: s.ghl, to: s.keap, state, mapping }
      const report = await Effect.runPromise(Engine.run(options))
      expect(report.customFields).toEqual([{ source: "Mood", name: "Current mood", type: "text", status: "create" }])
      const [, after] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
      expect(after.customFields.find((f) => f.name === "Current mood")).toMatchObject({ dataType: "TEXT" })
      const keap = await contactsOf(s.keap, after)
      for (const [i, c] of ghl.slice(0, 3).entries())
        expect(keap.find((k) => k.emails[0] === c.emails[0])?.customFields["Current mood"]).toBe(`calm ${i}`)
      const quiet = routes(sandbox)
      const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
      expect(again.writes).toBe(0)
      expect(writesSince(sandbox, quiet)).toEqual({})
    } finally {
      await s.close()
      await sandbox.close()
    }
  })
})

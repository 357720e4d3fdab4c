/**
 * HighLevel -> Keap: the source-id marker Keap keeps in a custom field of its own. Contacts with
 * neither email nor phone can be found again only by it: a run interrupted while it creates them,
 * and runs whose creates landed without an answer, are resumed with every contact in Keap once.
 */
import type { Records } from "@crmkit/core"
import { Contacts as GhlContacts } from "@crmkit/ghl"
import { Effect, Stream } from "effect"
import { expect, it } from "vitest"
import { Engine, Mapping } from "../src/index.ts"
import { sides, startBoth } from "./support.ts"
import { openState, routes, runInterrupted, writesSince } from "./support-run.ts"

const CONTACTS = 24
const KEAP_CREATE = "POST /keap/crm/rest/v2/contacts"
const KEAP_NEW_FIELD = "POST /keap/crm/rest/v2/contacts/model/customFields"
/** The Keap custom field the marker is kept in (`KeapRecords.MARKER_FIELD_LABEL`). */
const MARKER_FIELD = "crmkit source"

const listed = (side: Engine.Side, lookups: Records.Lookups) =>
  Effect.runPromise(
    Effect.provideContext(
      Effect.map(Stream.runCollect(side.records.contacts(lookups)), (all) =>
        Array.from(all).flatMap((c) => (c._tag === "Ok" ? [c.record] : [])),
      ),
      side.services,
    ),
  )

it("contacts without email or phone, interrupted while created and resumed, are each in Keap once (found by their marker)", async () => {
  const sandbox = await startBoth({ rateLimits: false, contacts: 0 }, { rateLimits: false, contacts: 0 })
  const s = await sides(sandbox)
  try {
    const ghlIds: Array<string> = []
    for (let i = 0; i < CONTACTS; i++) {
      const out = await Effect.runPromise(
        Effect.provideContext(
          GhlContacts.create({ firstName: `Nameonly${i}`, lastName: "Person", tags: ["imported"] } as never),
          s.ghl.services,
        ),
      )
      ghlIds.push(String((out as { contact: { id: string } }).contact.id))
    }
    const [source, target] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
    const state = await openState()
    // Namespaced, as workers run it: the marker is `<migration>:<id>`.
    const options: Engine.Options = {
      from: s.ghl,
      to: s.keap,
      state,
      mapping: Mapping.propose("ghl", "keap", source, target),
      marker: "Acme",
    }
    const before = routes(sandbox)

    // Interrupted with creates in flight, then creates whose answer is lost (they land; the run fails).
    expect(await runInterrupted(options, (p) => p.entity === "contact" && p.writes >= 6)).toBe("interrupted")
    const inKeap = (await listed(s.keap, target)).length
    // Some created (at most four in flight when it stopped), not all.
    expect(inKeap).toBeGreaterThanOrEqual(2)
    expect(inKeap).toBeLessThan(CONTACTS)
    sandbox.faults.inject({ kind: "malformed", count: 3, path: "/keap/crm/rest/v2/contacts", method: "POST" })
    let failures = 0
    for (let attempt = 0; attempt < 10; attempt++) {
      const outcome = await Effect.runPromise(Effect.result(Engine.run(options)))
      if (outcome._tag === "Success") break
      failures++
    }
    expect(sandbox.faults.pending).toEqual([])
    expect(failures).toBeGreaterThanOrEqual(1)

    const [, keapLookups] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
    const contacts = await listed(s.keap, keapLookups)
    expect(contacts).toHaveLength(CONTACTS)
    expect(contacts.every((c) => c.emails.length === 0 && c.phones.length === 0)).toBe(true)
    expect(contacts.map((c) => c.sourceId).sort()).toEqual(ghlIds.map((id) => `acme:${id}`).sort())
    // One create per contact reached Keap (those whose answer was lost or whose run was interrupted
    // were found again by their marker, the only thing that tells them apart), and the marker field was made once.
    const writes = writesSince(sandbox, before)
    expect(writes[KEAP_CREATE]).toBe(CONTACTS)
    expect(writes[KEAP_NEW_FIELD]).toBe(1)
    expect((await Effect.runPromise(Engine.verify(options))).ok).toBe(true)
    const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
    expect(again.writes).toBe(0)

    // The marker field is Keap's, but never a custom field to map, nor an unmapped one.
    expect(keapLookups.customFields.map((f) => f.name)).not.toContain(MARKER_FIELD)
    expect(contacts.every((c) => !(MARKER_FIELD in c.customFields))).toBe(true)
    // Keap as the source now: its contacts' markers are no field to carry.
    const [keapSource, ghlTarget] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
    const back = Mapping.propose("keap", "ghl", keapSource, ghlTarget)
    expect(Object.keys(back.customFields)).not.toContain(MARKER_FIELD)
    const plan = await Effect.runPromise(
      Engine.plan({ from: s.keap, to: s.ghl, state: await openState(), mapping: back }),
    )
    expect(plan.entities.contact.create + plan.entities.contact.matched).toBe(CONTACTS)
    expect(plan.unmapped.customFields).toEqual({})
  } finally {
    await s.close()
    await sandbox.close()
  }
}, 60_000)

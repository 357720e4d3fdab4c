/** The other way round, through the same engine: HighLevel -> Keap. */
import { Effect, Stream } from "effect"
import { expect, it } from "vitest"
import { Engine, Mapping } from "../src/index.ts"
import { sides, startBoth } from "./support.ts"
import { openState } from "./support-run.ts"

it("moves GHL contacts, with tags and custom fields, into an empty Keap, and a second run sends nothing", async () => {
  const sandbox = await startBoth({ rateLimits: false, contacts: 0 }, { rateLimits: false, contacts: 40 })
  const s = await sides(sandbox)
  try {
    const [source, target] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
    const mapping = Mapping.propose("ghl", "keap", source, target)
    expect(mapping.customFields).toEqual({ "Favorite color": "Favorite color", "Lead score": "Lead score" })
    const state = await openState()
    const options: Engine.Options = { from: s.ghl, to: s.keap, state, mapping }
    const report = await Effect.runPromise(Engine.run(options))
    expect(report.entities.contact.create).toBe(40)
    // Read again: the run made the marker field, which the lookups read before it do not know.
    const [, keapNow] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
    const keap = await Effect.runPromise(
      Effect.provideContext(Stream.runCollect(s.keap.records.contacts(keapNow)), s.keap.services),
    )
    const contacts = Array.from(keap).flatMap((c) => (c._tag === "Ok" ? [c.record] : []))
    expect(contacts).toHaveLength(40)
    const ghl = await Effect.runPromise(
      Effect.provideContext(Stream.runCollect(s.ghl.records.contacts(source)), s.ghl.services),
    )
    const first = Array.from(ghl).flatMap((c) => (c._tag === "Ok" ? [c.record] : []))[0]
    const copy = contacts.find((c) => c.emails[0] === first?.emails[0])
    expect(copy?.phones).toEqual(first?.phones)
    expect(copy?.addresses[0]?.country).toBe("US")
    expect(copy?.tags.slice().sort()).toEqual(first?.tags.slice().sort())
    // The source-id marker, read back from Keap's `crmkit source` field and not a custom field to map.
    expect(copy?.sourceId).toBe(first?.id)
    expect(Object.keys(copy?.customFields ?? {}).sort()).toEqual(["Favorite color", "Lead score"])
    expect(String(copy?.customFields["Lead score"])).toBe(String(first?.customFields["Lead score"]))
    expect((await Effect.runPromise(Engine.verify(options))).ok).toBe(true)
    const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
    expect(again.writes).toBe(0)
  } finally {
    await s.close()
    await sandbox.close()
  }
})

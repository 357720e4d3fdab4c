/**
 * Tags on a target contact, kept in step: a tag the source removed is removed from a contact the
 * migration keeps (it carries its marker); a tag a person added in the target, which the source
 * never had, stays; a contact found in the target by email keeps its own tags on the first write.
 * HighLevel -> Keap (Keap's remove-tag route) and Keap -> HighLevel (the same rule).
 */
import type { Records } from "@crmkit/core"
import { Contacts as GhlContacts, Locations } from "@crmkit/ghl"
import { Contacts as KeapContacts, Tags } from "@crmkit/keap"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Engine, Mapping } from "../src/index.ts"
import { sides, startBoth } from "./support.ts"
import { contactsOf, editedMapping, on, openState, routes, writesSince } from "./support-run.ts"

const sorted = (tags: ReadonlyArray<string> | undefined) => [...(tags ?? [])].map((t) => t.toLowerCase()).sort()

describe("HighLevel -> Keap", () => {
  it("removes a tag the source removed, keeps one added by hand, and a found contact's own", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 0 }, { rateLimits: false, contacts: 0 })
    const s = await sides(sandbox)
    try {
      const ghl = async (body: object) =>
        String(((await on(s.ghl, GhlContacts.create(body as never))) as { contact: { id: string } }).contact.id)
      const removed = await ghl({ firstName: "Removed", lastName: "Attag", tags: ["alpha", "beta"] })
      const byHand = await ghl({ firstName: "Handed", lastName: "Tag", tags: ["alpha", "beta"] })
      const both = await ghl({ firstName: "Both", lastName: "Sides", tags: ["alpha", "beta"] })
      const found = await ghl({ firstName: "Found", lastName: "Byemail", email: "found@example.org", tags: ["alpha"] })
      // Keap already has this person, with a tag of its own.
      const own = (await on(s.keap, Tags.create({ name: "keap-own" } as never))) as { id: string }
      const existing = (await on(
        s.keap,
        KeapContacts.create({
          given_name: "Old",
          email_addresses: [{ email: "found@example.org", field: "EMAIL1" }],
        } as never),
      )) as { id: string }
      await on(s.keap, Tags.applyToContacts(String(own.id), [String(existing.id)]))

      // HighLevel lists the tags its contacts carry among the location's: the mapping carries them.
      for (const name of ["alpha", "beta"]) await on(s.ghl, Locations.createTag(name))
      const [source, target] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
      const options: Engine.Options = {
        from: s.ghl,
        to: s.keap,
        state: await openState(),
        mapping: Mapping.propose("ghl", "keap", source, target),
        concurrency: 1,
      }
      const first = await Effect.runPromise(Engine.run(options))
      expect(first.entities.contact.create).toBe(3)
      expect(first.entities.contact.matched).toBe(1)
      const inKeap = async (match: (c: Records.Contact) => boolean) => {
        const [, lookups] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
        return (await contactsOf(s.keap, lookups)).find(match) as Records.Contact
      }
      const keapOf = (ghlId: string) => inKeap((c) => c.sourceId === ghlId)
      const foundOne = () => inKeap((c) => c.id === String(existing.id))
      expect(sorted((await keapOf(removed)).tags)).toEqual(["alpha", "beta"])
      // Found by email: the source's tags added, its own kept.
      expect(sorted((await foundOne()).tags)).toEqual(["alpha", "keap-own"])

      // In HighLevel: a tag removed; a name changed. In Keap: a tag added by hand.
      await on(s.ghl, GhlContacts.removeTags(removed, ["beta"]))
      await on(s.ghl, GhlContacts.update(byHand, { lastName: "Renamed" } as never))
      await on(s.ghl, GhlContacts.removeTags(both, ["beta"]))
      await on(s.ghl, GhlContacts.update(found, { lastName: "Renamed" } as never))
      const hand = (await on(s.keap, Tags.create({ name: "by-hand" } as never))) as { id: string }
      const handed = (await keapOf(byHand)).id
      const bothInKeap = (await keapOf(both)).id
      await on(s.keap, Tags.applyToContacts(String(hand.id), [handed, bothInKeap]))

      const before = routes(sandbox)
      const second = await Effect.runPromise(Engine.run(options))
      expect(sorted((await keapOf(removed)).tags)).toEqual(["alpha"])
      // The source changed the name only: the tags as Keap has them stand.
      const renamed = await keapOf(byHand)
      expect([renamed.familyName, sorted(renamed.tags)]).toEqual(["Renamed", ["alpha", "beta", "by-hand"]])
      const foundRenamed = await foundOne()
      expect([foundRenamed.familyName, sorted(foundRenamed.tags)]).toEqual(["Renamed", ["alpha", "keap-own"]])
      // Tags changed on both sides: a conflict, held for review (the default), nothing removed.
      expect(second.entities.contact.conflicts.find((c) => c.id === both)).toMatchObject({
        policy: "review",
        groups: { tags: "review" },
      })
      expect(second.entities.contact.update).toBe(3)
      expect(sorted((await keapOf(both)).tags)).toEqual(["alpha", "beta", "by-hand"])
      const writes = writesSince(sandbox, before)
      expect(writes["POST /keap/crm/rest/v2/tags/:tag_id/contacts:removeTags"]).toBe(1)
      expect(writes["POST /keap/crm/rest/v2/tags/:tag_id/contacts:applyTags"]).toBeUndefined()

      const quiet = routes(sandbox)
      const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
      expect(again.writes).toBe(0)
      expect(writesSince(sandbox, quiet)).toEqual({})
    } finally {
      await s.close()
      await sandbox.close()
    }
  }, 60_000)
})

describe("Keap -> HighLevel", () => {
  it("the same rule: a tag removed in Keap is removed in HighLevel, a found contact keeps its own", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 12 }, { rateLimits: false, contacts: 0 })
    const s = await sides(sandbox)
    try {
      const [source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
      const keapContacts = await contactsOf(s.keap, source)
      const tagged = keapContacts.filter((c) => c.tags.length > 0)
      const [dropping, finding] = tagged
      expect(finding).toBeDefined()
      // HighLevel already has the second, with a tag of its own.
      await on(s.ghl, GhlContacts.create({ email: finding?.emails[0], tags: ["ghl-own"] } as never))
      const options: Engine.Options = {
        from: s.keap,
        to: s.ghl,
        state: await openState(),
        mapping: editedMapping(source, target),
      }
      const first = await Effect.runPromise(Engine.run(options))
      expect(first.entities.contact.matched).toBe(1)
      const ghlOf = async (keapId: string) =>
        (await contactsOf(s.ghl, target)).find((c) => c.sourceId === keapId) as Records.Contact
      expect(sorted((await ghlOf(finding?.id as string)).tags)).toEqual(sorted([...(finding?.tags ?? []), "ghl-own"]))

      const gone = dropping?.tags[0] as string
      const tagId = source.tags.find((t) => t.name === gone)?.id as string
      await on(s.keap, Tags.removeFromContacts(tagId, [dropping?.id as string]))
      const before = routes(sandbox)
      await Effect.runPromise(Engine.run(options))
      expect(sorted((await ghlOf(dropping?.id as string)).tags)).toEqual(sorted(dropping?.tags.slice(1)))
      expect(writesSince(sandbox, before)["DELETE /ghl/contacts/:contactId/tags"]).toBe(1)
      expect(sorted((await ghlOf(finding?.id as string)).tags)).toContain("ghl-own")
    } finally {
      await s.close()
      await sandbox.close()
    }
  }, 60_000)

  it("a contact found by email: a later tag change in Keap is written, not held, and its hand-made tag stays", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 12 }, { rateLimits: false, contacts: 0 })
    const s = await sides(sandbox)
    try {
      const [source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
      const finding = (await contactsOf(s.keap, source)).find((c) => c.tags.length > 0) as Records.Contact
      await on(s.ghl, GhlContacts.create({ email: finding.emails[0], tags: ["hand-made"] } as never))
      const options: Engine.Options = {
        from: s.keap,
        to: s.ghl,
        state: await openState(),
        mapping: editedMapping(source, target),
      }
      const first = await Effect.runPromise(Engine.run(options))
      expect(first.entities.contact.matched).toBe(1)
      const ghlCopy = async () =>
        (await contactsOf(s.ghl, target)).find((c) => c.sourceId === finding.id) as Records.Contact
      expect(sorted((await ghlCopy()).tags)).toEqual(sorted([...finding.tags, "hand-made"]))

      // In Keap: one tag off, another on.
      const dropped = finding.tags[0] as string
      const added = source.tags.find((t) => !finding.tags.includes(t.name)) as Records.Named
      expect(added).toBeDefined()
      const idOf = (name: string) => source.tags.find((t) => t.name === name)?.id as string
      await on(s.keap, Tags.removeFromContacts(idOf(dropped), [finding.id]))
      await on(s.keap, Tags.applyToContacts(added.id, [finding.id]))
      const second = await Effect.runPromise(Engine.run(options))
      expect(second.entities.contact.conflicts).toEqual([])
      expect(second.entities.contact.update).toBe(1)
      expect(sorted((await ghlCopy()).tags)).toEqual(sorted([...finding.tags.slice(1), added.name, "hand-made"]))

      const quiet = routes(sandbox)
      const again = await Effect.runPromise(Engine.run({ ...options, full: true }))
      expect(again.writes).toBe(0)
      expect(writesSince(sandbox, quiet)).toEqual({})
    } finally {
      await s.close()
      await sandbox.close()
    }
  }, 60_000)
})

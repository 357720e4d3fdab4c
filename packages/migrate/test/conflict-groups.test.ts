/**
 * Conflict policies per field group: a contact edited on both sides is resolved group by group
 * (a group one side changed alone takes that side's values; a group both changed follows its
 * policy), and a group under `review` holds the record. Email and phone change only under an
 * explicit identity policy.
 */
import type { Records } from "@crmkit/core"
import { Contacts as GhlContacts } from "@crmkit/ghl"
import { Contacts as KeapContacts, Tags } from "@crmkit/keap"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Engine, type Mapping } from "../src/index.ts"
import { type Both, sides, startBoth } from "./support.ts"
import { editedMapping, openState, routes, targetCounts, writesSince } from "./support-run.ts"

const on = <A>(side: Engine.Side, effect: Effect.Effect<A, unknown, any>) =>
  Effect.runPromise(Effect.provideContext(effect, side.services) as Effect.Effect<A, unknown>)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("conflict policies per field group", () => {
  let sandbox: Both
  let s: Awaited<ReturnType<typeof sides>>
  let target: Records.Lookups
  let options: Engine.Options
  let ghlIds: Map<string, string>

  const groups: Mapping.GroupPolicies = {
    default: "review",
    groups: { name: "source-wins", address: "newest-wins", tags: "merge-non-empty", customFields: "target-wins" },
  }
  const withPolicies = (contact: Mapping.EntityPolicy): Engine.Options => ({
    ...options,
    mapping: { ...options.mapping, conflicts: { ...options.mapping.conflicts, contact } },
  })
  const inGhl = async (keapId: string) => (await targetCounts(s.ghl, target)).byMarker.get(keapId) as Records.Contact
  const keapEdit = (id: string, body: object) => on(s.keap, KeapContacts.update(id, body as never))
  const ghlEdit = (keapId: string, body: object) =>
    on(s.ghl, GhlContacts.update(ghlIds.get(keapId) as string, body as never))
  const keapAddress = async (id: string, change: object) => {
    const contact = (await on(s.keap, KeapContacts.get(id, { fields: ["addresses"] }))) as {
      addresses: Array<object>
    }
    await keapEdit(id, { addresses: [{ ...contact.addresses[0], ...change }] })
  }

  beforeAll(async () => {
    sandbox = await startBoth({ rateLimits: false, contacts: 20 }, { rateLimits: false, contacts: 0 })
    s = await sides(sandbox)
    const [source, t] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
    target = t
    options = { from: s.keap, to: s.ghl, state: await openState(), mapping: editedMapping(source, target) }
    await Effect.runPromise(Engine.run(options))
    ghlIds = new Map([...(await targetCounts(s.ghl, target)).byMarker].map(([marker, c]) => [marker as string, c.id]))
  })
  afterAll(async () => {
    await s?.close()
    await sandbox?.close()
  })

  it("resolves each group by its own policy, holds the record a review group touches, then writes nothing", async () => {
    // 1: different groups on each side (name in Keap, address in HighLevel): both kept, no policy needed.
    await keapEdit("1", { family_name: "Keapname" })
    await ghlEdit("1", { city: "Ghlville" })
    // 2: the name on both sides: source-wins.
    await keapEdit("2", { given_name: "Keap2" })
    await ghlEdit("2", { firstName: "Ghl2" })
    // 3: tags on both sides: merge-non-empty keeps both.
    const tag = (await on(s.keap, Tags.create({ name: "keap-added" } as never))) as { id: string }
    await on(s.keap, Tags.applyToContacts(String(tag.id), ["3"]))
    await on(s.ghl, GhlContacts.addTags(ghlIds.get("3") as string, ["ghl-added"]))
    // 4: a custom field on both sides: target-wins.
    await keapEdit("4", { custom_fields: [{ id: "7", content: "keap-teal" }] })
    const favorite = target.customFields.find((f) => f.name === "Favorite color")?.id as string
    await ghlEdit("4", { customFields: [{ id: favorite, field_value: "ghl-plum" }] })
    // 5: the address on both sides, Keap last: newest-wins takes Keap's.
    await ghlEdit("5", { city: "Ghl5" })
    await sleep(30)
    await keapAddress("5", { locality: "Keap5" })
    // 6: the phone on both sides: identity follows the default, review, and holds the record.
    await keapEdit("6", { phone_numbers: [{ number: "+1 212 555 0199", field: "PHONE1" }] })
    await ghlEdit("6", { phone: "+12125550188", lastName: "Ghl6" })

    const before = routes(sandbox)
    const report = await Effect.runPromise(Engine.run(withPolicies(groups)))
    const conflicts = new Map(report.entities.contact.conflicts.map((c) => [c.id, c]))
    expect([...conflicts.keys()].sort()).toEqual(["1", "2", "3", "4", "5", "6"])
    expect(conflicts.get("1")).toMatchObject({
      policy: "review",
      fields: {},
      groups: { name: "source", address: "target" },
    })
    expect(conflicts.get("2")).toMatchObject({
      fields: { givenName: { source: "Keap2", target: "Ghl2" } },
      groups: { name: "source-wins" },
    })
    expect(conflicts.get("3")?.groups).toEqual({ tags: "merge-non-empty" })
    expect(conflicts.get("4")?.groups).toEqual({ customFields: "target-wins" })
    expect(conflicts.get("5")?.groups).toEqual({ address: "newest-wins" })
    expect(conflicts.get("6")).toMatchObject({ policy: "review", groups: { identity: "review", name: "target" } })
    // 4 needs no write (the target's value stands); 6 is held: four updates.
    expect(report.entities.contact.update).toBe(4)
    expect(writesSince(sandbox, before)["PUT /ghl/contacts/:contactId"]).toBe(4)

    const one = await inGhl("1")
    expect([one.familyName, one.addresses[0]?.city]).toEqual(["Keapname", "Ghlville"])
    expect((await inGhl("2")).givenName).toBe("Keap2")
    expect((await inGhl("3")).tags).toEqual(expect.arrayContaining(["keap-added", "ghl-added"]))
    expect((await inGhl("4")).customFields["Favorite color"]).toBe("ghl-plum")
    expect((await inGhl("5")).addresses[0]?.city).toBe("Keap5")
    const six = await inGhl("6")
    expect([six.phones[0], six.familyName]).toEqual(["+12125550188", "Ghl6"])
    expect((await Effect.runPromise(Engine.status(options.state))).held).toEqual([
      { entity: "contact", sourceId: "6", targetId: ghlIds.get("6") },
    ])

    // An explicit identity policy lets the source's phone through; the held record is resolved.
    const identity = await Effect.runPromise(
      Engine.run(withPolicies({ ...groups, groups: { ...groups.groups, identity: "source-wins" } })),
    )
    expect(identity.entities.contact.conflicts.map((c) => [c.id, c.groups])).toEqual([
      ["6", { identity: "source-wins", name: "target" }],
    ])
    expect([(await inGhl("6")).phones[0], (await inGhl("6")).familyName]).toEqual(["+12125550199", "Ghl6"])
    expect((await Effect.runPromise(Engine.status(options.state))).held).toEqual([])

    const quiet = routes(sandbox)
    const again = await Effect.runPromise(Engine.run({ ...withPolicies(groups), full: true }))
    expect(again.writes).toBe(0)
    expect(again.entities.contact.conflicts).toEqual([])
    expect(writesSince(sandbox, quiet)).toEqual({})
  })

  it("without an identity policy a changed email is kept as the target has it, the other groups applied", async () => {
    await keapEdit("7", {
      email_addresses: [{ email: "keap.seven@example.org", field: "EMAIL1" }],
      family_name: "Keap7",
    })
    await ghlEdit("7", { email: "ghl.seven@example.org" })
    const report = await Effect.runPromise(Engine.run(withPolicies({ default: "source-wins", groups: {} })))
    expect(report.entities.contact.conflicts.map((c) => [c.id, c.policy, c.groups])).toEqual([
      ["7", "source-wins", { identity: "target-wins", name: "source" }],
    ])
    const seven = await inGhl("7")
    expect([seven.emails[0], seven.familyName]).toEqual(["ghl.seven@example.org", "Keap7"])
  })
})

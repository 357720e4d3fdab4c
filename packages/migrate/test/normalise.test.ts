/** Normalisation of the common model and the mapping file: pure functions. */
import { Records } from "@crmkit/core"
import { describe, expect, it } from "vitest"
import { Mapping, Model } from "../src/index.ts"

describe("normalisation", () => {
  it("emails are trimmed and lower-cased; a non-address is reported with its value", () => {
    expect(Records.email("  Ann.Lee@Example.COM ")).toEqual({ ok: true, value: "ann.lee@example.com" })
    expect(Records.email("ann at example", "email_addresses.EMAIL1")).toEqual({
      ok: false,
      problem: { field: "email_addresses.EMAIL1", value: "ann at example", message: "not an email address" },
    })
  })

  it("phones become E.164, read in the contact's country when they have no country code", () => {
    expect(Records.phone("(212) 555-0142")).toEqual({ ok: true, value: "+12125550142" })
    expect(Records.phone("020 7946 0958", "GB")).toEqual({ ok: true, value: "+442079460958" })
    expect(Records.phone("+33 1 23 45 67 89", "US")).toEqual({ ok: true, value: "+33123456789" })
    const bad = Records.phone("12345", "US", "phone_numbers.PHONE1")
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.problem).toMatchObject({ field: "phone_numbers.PHONE1", value: "12345" })
    expect(Records.phone("call me", "US").ok).toBe(false)
  })

  it("countries: alpha-3 (Keap) to alpha-2 (GHL) and back; unknown codes are reported", () => {
    expect(Records.country("USA")).toEqual({ ok: true, value: "US" })
    expect(Records.country("gbr")).toEqual({ ok: true, value: "GB" })
    expect(Records.country("DE")).toEqual({ ok: true, value: "DE" })
    expect(Records.country("United States")).toEqual({ ok: true, value: "US" })
    expect(Records.alpha3("FR")).toBe("FRA")
    expect(Records.alpha3("us")).toBe("USA")
    const bad = Records.country("XYZ", "addresses.BILLING.country_code")
    expect(bad).toEqual({
      ok: false,
      problem: { field: "addresses.BILLING.country_code", value: "XYZ", message: "not an ISO 3166 country code" },
    })
  })

  it("dates become ISO 8601 in UTC; a non-date is reported", () => {
    expect(Records.date("2024-03-01T10:00:00+02:00")).toEqual({ ok: true, value: "2024-03-01T08:00:00.000Z" })
    expect(Records.date(0)).toEqual({ ok: true, value: "1970-01-01T00:00:00.000Z" })
    expect(Records.date("next tuesday").ok).toBe(false)
  })

  it("a collector lists a record with any problem as skipped, with every problem", () => {
    const take = Records.collector("contact", "42")
    take.take(Records.email("x@y.io"))
    take.take(Records.phone("12", "US", "phone"))
    take.take(Records.country("ZZZ"))
    const listed = take.listed({ id: "42" })
    expect(listed._tag).toBe("Skipped")
    if (listed._tag === "Skipped") expect(listed.problems.map((p) => p.field)).toEqual(["phone", "country"])
  })
})

const lookups = (over: Partial<Records.Lookups>): Records.Lookups => ({
  customFields: [],
  tags: [],
  users: [],
  pipelines: [],
  allowDuplicateContacts: false,
  contactSlots: { emails: 1, phones: 1 },
  ...over,
})

describe("mapping proposals", () => {
  const source = lookups({
    customFields: [
      { id: "7", name: "Lead Score" },
      { id: "9", name: "favorite_color" },
      { id: "11", name: "Shoe size" },
    ],
    tags: [
      { id: "1", name: "VIP" },
      { id: "2", name: "trial" },
    ],
    users: [
      { id: "1", email: "owner@a.example" },
      { id: "2", email: "nobody@a.example" },
    ],
    pipelines: [
      {
        id: "p",
        name: "Default",
        stages: [
          { id: "1", name: "New" },
          { id: "2", name: "Won" },
        ],
      },
    ],
  })
  const target = lookups({
    customFields: [
      { id: "a", name: "lead score" },
      { id: "b", name: "Favorite Color" },
    ],
    tags: [{ id: "x", name: "vip" }],
    users: [{ id: "u", email: "owner@a.example" }],
    pipelines: [
      {
        id: "s",
        name: "Sales",
        stages: [
          { id: "n", name: "new" },
          { id: "c", name: "Closing" },
        ],
      },
    ],
  })
  const mapping = Mapping.propose("keap", "ghl", source, target)

  it("custom fields by normalised name, unmatched ones as null", () => {
    expect(mapping.customFields).toEqual({
      "Lead Score": "lead score",
      favorite_color: "Favorite Color",
      "Shoe size": null,
    })
  })
  it("tags by name (the target's spelling when it has the tag), users by email, stages by name", () => {
    expect(mapping.tags).toEqual({ VIP: "vip", trial: "trial" })
    expect(mapping.users).toEqual({ "owner@a.example": "owner@a.example", "nobody@a.example": null })
    expect(mapping.pipelines).toEqual({ Default: { to: "Sales", stages: { New: "new", Won: null } } })
  })
  it("round-trips through YAML; bad policies and unknown keys are refused with every problem named", () => {
    expect(Mapping.parse(Mapping.stringify(mapping))).toEqual(mapping)
    expect(() =>
      Mapping.parse("version: 1\nconflicts:\n  contact: last-wins\n  deal: review\ncolour: red\n", "m.yaml"),
    ).toThrow(
      /m\.yaml: unknown key "colour"; conflicts\.contact: unknown policy "last-wins".*conflicts\.deal: unknown entity/,
    )
    expect(
      Mapping.parse("version: 1\nconflicts:\n  contact: merge-non-empty\n  note: newest-wins\n").conflicts,
    ).toMatchObject({
      contact: "merge-non-empty",
      note: "newest-wins",
    })
    expect(() => Mapping.parse("version: [", "m.yaml")).toThrow(/not valid YAML/)
  })
  it("a mapping naming what the target does not have is refused before anything is sent", () => {
    const edited = { ...mapping, customFields: { ...mapping.customFields, "Shoe size": "Shoe" } }
    expect(Mapping.check(edited, "keap", "ghl", target)).toEqual([
      'customFields."Shoe size": the target has no custom field "Shoe" (to create it: { create: "Shoe", type: text })',
    ])
    expect(Mapping.check(mapping, "ghl", "keap", target)[0]).toMatch(/the mapping is for keap -> ghl/)
  })
  it("unmapped custom fields, tags, owners and extra emails are counted, not dropped quietly", () => {
    const unmapped = Mapping.emptyUnmapped()
    const mapped = Mapping.mapContact(
      {
        id: "5",
        emails: ["a@b.io", "c@d.io"],
        phones: [],
        addresses: [],
        tags: ["VIP"],
        customFields: { "Shoe size": 44, "Lead Score": 9 },
        ownerEmail: "nobody@a.example",
      },
      mapping,
      unmapped,
      { emails: 1, phones: 1 },
    )
    expect(mapped).toMatchObject({
      emails: ["a@b.io"],
      tags: ["vip"],
      customFields: { "lead score": 9 },
      sourceId: "5",
    })
    expect(mapped.ownerEmail).toBeUndefined()
    expect(unmapped).toEqual({
      customFields: { "Shoe size": 1 },
      tags: {},
      users: { "nobody@a.example": 1 },
      companies: {},
      extraEmails: 1,
      extraPhones: 0,
    })
  })
})

describe("conflict policies per field group", () => {
  const file = (conflicts: string) => `version: 1\nfrom: keap\nto: ghl\nconflicts:\n${conflicts}`

  it("reads a contact's policies per group; a group not named follows the default; the per-entity form still loads", () => {
    const mapping = Mapping.parse(
      file(
        "  contact:\n    default: review\n    groups: { name: source-wins, address: newest-wins, tags: merge-non-empty, customFields: target-wins }\n  note: target-wins\n",
      ),
    )
    expect(mapping.conflicts.contact).toEqual({
      default: "review",
      groups: { name: "source-wins", address: "newest-wins", tags: "merge-non-empty", customFields: "target-wins" },
    })
    expect(Mapping.policyOf(mapping, "contact", "name")).toBe("source-wins")
    expect(Mapping.policyOf(mapping, "contact", "owner")).toBe("review")
    expect(Mapping.policyOf(mapping, "note")).toBe("target-wins")
    expect(Mapping.policyOf(mapping, "company")).toBe("source-wins")
    expect(Mapping.parse(Mapping.stringify(mapping))).toEqual(mapping)
    const old = Mapping.parse(file("  contact: merge-non-empty\n"))
    expect(old.conflicts.contact).toBe("merge-non-empty")
    expect(Mapping.policyOf(old, "contact", "tags")).toBe("merge-non-empty")
  })

  it("email and phone follow only an explicit identity policy, or overwriteIdentity", () => {
    expect(Mapping.identityPolicy(Mapping.parse(file("  contact: source-wins\n")))).toBeUndefined()
    expect(Mapping.identityPolicy(Mapping.parse(`${file("  contact: source-wins\n")}overwriteIdentity: true\n`))).toBe(
      "source-wins",
    )
    expect(
      Mapping.identityPolicy(
        Mapping.parse(file("  contact: { default: review, groups: { identity: newest-wins } }\n")),
      ),
    ).toBe("newest-wins")
  })

  it("a bad group, policy or key is refused, naming it", () => {
    expect(() =>
      Mapping.parse(
        file(
          "  contact:\n    default: last-wins\n    fallback: review\n    groups: { nmae: source-wins, tags: keep }\n  note: { default: review }\n",
        ),
        "m.yaml",
      ),
    ).toThrow(
      new RegExp(
        [
          "conflicts\\.contact\\.fallback: unknown key \\(default, groups\\)",
          'conflicts\\.contact\\.default: unknown policy "last-wins"',
          "conflicts\\.contact\\.groups\\.nmae: unknown field group \\(identity, name, company, address, tags, customFields, owner, optIn\\)",
          'conflicts\\.contact\\.groups\\.tags: unknown policy "keep"',
          "conflicts\\.note: only contact has field groups",
        ].join(".*"),
      ),
    )
  })
})

describe("custom fields to create", () => {
  const source = lookups({
    customFields: [
      { id: "11", name: "Shoe size", type: "number" },
      { id: "12", name: "Mood" },
    ],
  })
  const target = lookups({ customFields: [] })

  it("{ create: true } takes the source's name and type; { create, type } names them", () => {
    const mapping = Mapping.parse(
      'version: 1\nfrom: keap\nto: ghl\ncustomFields:\n  Shoe size: { create: true }\n  Mood: { create: "Feeling", type: large-text }\n',
    )
    expect(Mapping.fieldsToCreate(mapping, source)).toEqual([
      { source: "Shoe size", name: "Shoe size", type: "number" },
      { source: "Mood", name: "Feeling", type: "large-text" },
    ])
    expect(Mapping.targetField(mapping, "Mood")).toBe("Feeling")
    expect(Mapping.check(mapping, "keap", "ghl", target, source)).toEqual([])
    expect(Mapping.parse(Mapping.stringify(mapping))).toEqual(mapping)
  })

  it("the marker's field name is refused, whatever its case or spacing, as a field to create or to fill", () => {
    const mapping = Mapping.parse(
      'version: 1\nfrom: keap\nto: ghl\ncustomFields:\n  Shoe size: { create: true }\n  Mood: { create: " Crmkit Source ", type: text }\n  Origin: crmkit source\n',
    )
    expect(Mapping.check(mapping, "keap", "ghl", target, source)).toEqual([
      'customFields."Mood": "Crmkit Source" is the custom field crmkit keeps for a migration\'s source-id marker; name another field',
      'customFields."Origin": "crmkit source" is the custom field crmkit keeps for a migration\'s source-id marker; name another field',
    ])
  })

  it("a field to create needs a type the source cannot give; bad entries are refused, naming them", () => {
    const mapping = Mapping.parse("version: 1\nfrom: keap\nto: ghl\ncustomFields:\n  Mood: { create: true }\n")
    expect(Mapping.check(mapping, "keap", "ghl", target, source)).toEqual([
      'customFields."Mood": give the type of the field to create (text, large-text, number, decimal, money, date, phone, email, url); the source\'s has none of them',
    ])
    expect(() =>
      Mapping.parse(
        'version: 1\ncustomFields:\n  Mood: { create: "", type: int, colour: red }\n  Size: [1]\n',
        "m.yaml",
      ),
    ).toThrow(
      /customFields\."Mood"\.colour: unknown key \(create, type\).*customFields\."Mood"\.create must be true or the target field's name.*customFields\."Mood"\.type: unknown type "int".*customFields\."Size" must be a name, null or \{ create: \.\.\. \}/,
    )
  })
})

describe("contact hashes per field group", () => {
  const contact: Records.Contact = {
    id: "1",
    givenName: "Ann",
    emails: ["ann@example.org"],
    phones: ["+12125550142"],
    addresses: [{ city: "Springfield", country: "US" }],
    tags: ["vip"],
    customFields: { "Lead score": 9 },
  }

  it("tell which groups changed", () => {
    const stored = Model.contactHash(contact)
    expect(Model.changedGroups(stored, contact)).toEqual(new Set())
    expect(Model.changedGroups(stored, { ...contact, givenName: "Anne", tags: ["VIP", "new"] })).toEqual(
      new Set(["name", "tags"]),
    )
    expect(Model.changedGroups(stored, { ...contact, optIn: { email: false } })).toEqual(new Set(["optIn"]))
    // Tags compare case-insensitively, as both CRMs treat them.
    expect(Model.changedGroups(stored, { ...contact, tags: ["VIP"] })).toEqual(new Set())
  })

  it("a hash stored before hashes had groups still holds: unchanged is unchanged, any change is every group", () => {
    // What the engine stored for this contact before (one hash of the whole record).
    const legacy = "d58955b2ea78bf9c7fab054fae652958"
    expect(Model.hash(Model.contactProjection(contact))).toBe(legacy)
    expect(Model.changedGroups(legacy, contact)).toEqual(new Set())
    expect(Model.changedGroups(legacy, { ...contact, givenName: "Anne" })).toEqual(new Set(Model.CONTACT_GROUPS))
  })
})

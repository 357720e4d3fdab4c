/** Normalisation of the common model and the mapping file: pure functions. */
import { Records } from "@crmkit/core"
import { describe, expect, it } from "vitest"
import { Mapping } from "../src/index.ts"

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
      'customFields."Shoe size": the target has no custom field "Shoe"',
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
      extraEmails: 1,
      extraPhones: 0,
    })
  })
})

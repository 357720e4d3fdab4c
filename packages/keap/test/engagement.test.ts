import { Stream } from "effect"
import { describe, expect, it } from "vitest"
import { Affiliates, Automations, Campaigns, Contacts, Emails, KeapFilter, TagCategories } from "../src/index.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox()
const run = runWith(sandbox)
const fail = failureOf(sandbox)
const fieldsOf = (error: { reason: { _tag: string } }) =>
  error.reason._tag === "Validation"
    ? (error.reason as { fields: ReadonlyArray<{ field: string }> }).fields.map((f) => f.field)
    : []

describe("TagCategories", () => {
  it("creates and lists, and requires a name", async () => {
    const category = await run(TagCategories.create({ name: "Interests", description: "what they like" }))
    expect(category.id).toMatch(/^\d+$/)
    await run(TagCategories.create({ name: "Sources" }))
    const found = await run(Stream.runCollect(TagCategories.list({ filter: KeapFilter.startsWith("name", "int") })))
    expect(found.map((c) => c.name)).toEqual(["Interests"])
    expect(fieldsOf(await fail(TagCategories.create({ description: "nameless" })))).toEqual(["body.name"])
  })
})

describe("Campaigns", () => {
  it("adds contacts to a sequence and removes them", async () => {
    const campaigns = await run(Stream.runCollect(Campaigns.list()))
    expect(campaigns.map((c) => c.name)).toEqual(["Welcome"])
    const added = await run(Campaigns.addToSequence(1, 2, [3, 4, 999_999]))
    expect(added.add_to_sequence_results).toEqual({ "3": "SUCCESS", "4": "SUCCESS", "999999": "NOT_FOUND" })
    const removed = await run(Campaigns.removeFromSequence(1, 2, [3, 5]))
    expect(removed.remove_from_sequence_results).toEqual({ "3": "SUCCESS", "5": "NOT_IN_SEQUENCE" })
    expect((await fail(Campaigns.addToSequence(1, 9, [3]))).reason._tag).toBe("NotFound")
    expect(fieldsOf(await fail(Campaigns.addToSequence("welcome", 1, [3])))).toEqual(["campaign_id"])
    expect(fieldsOf(await fail(Campaigns.removeFromSequence(1, 1, [])))).toEqual(["contact_ids"])
  })
})

describe("Emails", () => {
  it("sends to contacts, lists what was sent, and gets one with its content", async () => {
    const to = await run(Contacts.get(9))
    await run(Emails.send({ contacts: ["9", "10"], subject: "Hello", plain_content: "Hi there", user_id: "2" }))
    const sent = await run(Stream.runCollect(Emails.list({ filter: KeapFilter.eq("contact_id", 9) })))
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ subject: "Hello", sent_to_address: to.email_addresses?.[0]?.email })
    const full = await run(Emails.get(sent[0]!.id!))
    expect(full).toMatchObject({ plain_content: "Hi there", sent_from_address: "sales@sandbox.example.com" })
    expect(fieldsOf(await fail(Emails.send({ contacts: ["9", "x"], subject: "Hi", plain_content: "." })))).toEqual([
      "body.contacts.1",
    ])
    const noBody = await fail(Emails.send({ contacts: ["9"], subject: "Hi" }))
    expect(noBody.reason.status).toBe(400)
    expect(fieldsOf(noBody)).toEqual(["plain_content"])
    expect((await fail(Emails.get(424242))).reason._tag).toBe("NotFound")
  })
})

describe("Affiliates", () => {
  it("creates, gets, lists; a taken code is a Conflict", async () => {
    const affiliate = await run(
      Affiliates.create({ code: "ANN10", contact_id: "15", name: "Ann", password: "not-a-real-one" }),
    )
    expect(affiliate).toMatchObject({ code: "ANN10", contact_id: "15", status: "ACTIVE" })
    expect(affiliate.password).toBeUndefined()
    expect((await run(Affiliates.get(affiliate.id!))).name).toBe("Ann")
    const listed = await run(Stream.runCollect(Affiliates.list({ filter: KeapFilter.eq("code", "ANN10") })))
    expect(listed.map((a) => a.id)).toEqual([affiliate.id])
    expect((await fail(Affiliates.create({ code: "ann10", contact_id: "16" }))).reason._tag).toBe("Conflict")
    expect(fieldsOf(await fail(Affiliates.create({ code: "X", contact_id: "sixteen" })))).toEqual(["body.contact_id"])
  })
})

describe("Automations", () => {
  it("lists, gets, and adds contacts to a sequence", async () => {
    const automations = await run(Stream.runCollect(Automations.list({ pageSize: 500 })))
    expect(automations.map((a) => a.title)).toEqual(["Onboarding"])
    const added = await run(Automations.addToSequence(1, 1, [2, 3]))
    expect(added.add_to_automation_sequence_results).toEqual({ "2": "SUCCESS", "3": "SUCCESS" })
    expect((await run(Automations.get(1))).active_contacts).toBe(2)
    expect((await fail(Automations.addToSequence(1, 7, [2]))).reason._tag).toBe("NotFound")
    expect(fieldsOf(await fail(Automations.get("one")))).toEqual(["automation_id"])
  })
})

import { Stream } from "effect"
import { describe, expect, it } from "vitest"
import { Companies, KeapFilter, Opportunities, Users } from "../src/index.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox()
const run = runWith(sandbox)
const fail = failureOf(sandbox)
const fieldsOf = (error: { reason: { _tag: string } }) =>
  error.reason._tag === "Validation"
    ? (error.reason as { fields: ReadonlyArray<{ field: string }> }).fields.map((f) => f.field)
    : []

describe("Opportunities", () => {
  it("creates in a stage, lists by contact, moves through stages, deletes", async () => {
    const stages = await run(Stream.runCollect(Opportunities.listStages()))
    expect(stages.map((s) => s.name)).toEqual(["New", "Qualified", "Won"])
    const deal = await run(
      Opportunities.create({
        opportunity_title: "Annual plan",
        contact_id: "7",
        stage_id: stages[0]!.id!,
        user_id: "2",
        projected_revenue_low: 1000,
        projected_revenue_high: 5000,
      }),
    )
    expect(deal.contact?.id).toBe("7")
    expect(deal.stage?.name).toBe("New")
    await run(Opportunities.create({ opportunity_title: "Other", contact_id: "8", stage_id: "1" }))
    const forContact = await run(Stream.runCollect(Opportunities.list({ filter: KeapFilter.eq("contact_id", 7) })))
    expect(forContact.map((o) => o.id)).toEqual([deal.id])
    const moved = await run(Opportunities.moveToStage(deal.id!, stages[1]!.id!))
    expect(moved.stage?.name).toBe("Qualified")
    expect((await run(Opportunities.get(deal.id!))).stage?.id).toBe(stages[1]!.id)
    const badStage = await fail(Opportunities.moveToStage(deal.id!, 99))
    expect(badStage.reason.status).toBe(400)
    expect(fieldsOf(badStage)).toEqual(["stage_id"])
    expect(fieldsOf(await fail(Opportunities.moveToStage(deal.id!, "next")))).toEqual(["stage_id"])
    await run(Opportunities.remove(deal.id!))
    expect((await fail(Opportunities.get(deal.id!))).reason._tag).toBe("NotFound")
  })

  it("refuses bad input naming the field", async () => {
    expect(
      fieldsOf(await fail(Opportunities.create({ opportunity_title: "x", contact_id: "abc", stage_id: "1" }))),
    ).toEqual(["body.contact_id"])
    expect(fieldsOf(await fail(Opportunities.create({ contact_id: "1", stage_id: "1" } as never)))).toEqual([
      "body.opportunity_title",
    ])
    const stage = await run(
      Opportunities.createStage({ name: "Negotiation", order: 3, target_number_days: 5, probability: 70 }),
    )
    expect(stage.id).toMatch(/^\d+$/)
    expect(
      fieldsOf(await fail(Opportunities.createStage({ name: "x", order: 1, target_number_days: 1, probability: 120 }))),
    ).toEqual(["body.probability"])
  })
})

describe("Companies", () => {
  it("creates, lists by name prefix, updates, deletes; refuses a malformed email", async () => {
    const acme = await run(
      Companies.create({
        company_name: "Acme Corp",
        email_address: { email: "info@acme.example.com", field: "EMAIL1" },
      } as never),
    )
    expect(acme.id).toMatch(/^\d+$/)
    await run(Companies.create({ company_name: "Globex" }))
    const found = await run(Stream.runCollect(Companies.list({ filter: KeapFilter.startsWith("company_name", "acm") })))
    expect(found.map((c) => c.company_name)).toEqual(["Acme Corp"])
    expect((await run(Companies.update(acme.id!, { website: "https://acme.example.com" }))).website).toBe(
      "https://acme.example.com",
    )
    const bad = await fail(Companies.create({ company_name: "X", email_address: { email: "nope" } } as never))
    expect(fieldsOf(bad)).toEqual(["body.email_address.email"])
    await run(Companies.remove(acme.id!))
    expect((await fail(Companies.get(acme.id!))).reason._tag).toBe("NotFound")
    expect(fieldsOf(await fail(Companies.get("acme")))).toEqual(["company_id"])
  })
})

describe("Users", () => {
  it("reads the current user and lists users", async () => {
    expect(await run(Users.current())).toMatchObject({ id: "1", is_admin: true })
    const users = await run(Stream.runCollect(Users.list({ pageSize: 1 })))
    expect(users.map((u) => u.id)).toEqual(["1", "2"])
    expect((await run(Users.get(2))).given_name).toBe("Sam")
    expect((await fail(Users.get(3))).reason._tag).toBe("NotFound")
  })
})

import { Stream } from "effect"
import { describe, expect, it } from "vitest"
import { KeapFilter, Orders, Products, Subscriptions } from "../src/index.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox()
const run = runWith(sandbox)
const fail = failureOf(sandbox)
const fieldsOf = (error: { reason: { _tag: string } }) =>
  error.reason._tag === "Validation"
    ? (error.reason as { fields: ReadonlyArray<{ field: string }> }).fields.map((f) => f.field)
    : []

describe("Products", () => {
  it("creates, gets, lists and deletes; refuses a fractional price (the spec's integer)", async () => {
    const product = await run(Products.create({ name: "Widget", sku: "W-1", price: 25, short_description: "A widget" }))
    expect((await run(Products.get(product.id!))).name).toBe("Widget")
    const found = await run(Stream.runCollect(Products.list({ filter: KeapFilter.eq("sku", "W-1") })))
    expect(found.map((p) => p.id)).toEqual([product.id])
    expect(fieldsOf(await fail(Products.create({ name: "X", price: 9.99, short_description: "x" })))).toEqual([
      "body.price",
    ])
    await run(Products.remove(product.id!))
    expect((await fail(Products.get(product.id!))).reason._tag).toBe("NotFound")
  })
})

describe("Orders", () => {
  it("creates an order with items, adds an item, takes payments until paid", async () => {
    const product = await run(Products.create({ name: "Gadget", price: 40, short_description: "A gadget" }))
    const order = await run(
      Orders.create({
        contact_id: "12",
        order_title: "First order",
        order_time: "2026-03-01T10:00:00.000Z",
        order_type: "OFFLINE",
        order_items: [{ product_id: product.id!, quantity: 2 }],
      }),
    )
    expect(order).toMatchObject({ status: "UNPAID", total: { amount: 80 }, contact: { id: "12" } })
    const item = await run(
      Orders.addItem(order.id!, { name: "Shipping", quantity: 1, item_type: "SHIPPING", price_per_unit: 5 }),
    )
    expect(item.name).toBe("Shipping")
    expect((await run(Orders.get(order.id!))).total_due?.amount).toBe(85)
    const first = await run(Orders.pay(order.id!, { payment_amount: 50, apply_to_commissions: false }))
    expect(first.payment_amount).toBe(50)
    const tooMuch = await fail(Orders.pay(order.id!, { payment_amount: 100, apply_to_commissions: false }))
    expect(fieldsOf(tooMuch)).toEqual(["payment_amount"])
    await run(Orders.pay(order.id!, { payment_amount: 35, apply_to_commissions: true }))
    expect((await run(Orders.get(order.id!))).status).toBe("PAID")
    const payments = await run(Stream.runCollect(Orders.payments(order.id!, { pageSize: 1 })))
    expect(payments.map((p) => p.amount)).toEqual([50, 35])
    expect((await fail(Orders.addItem(order.id!, { name: "Late", quantity: 1 }))).reason._tag).toBe("Conflict")
    const listed = await run(Stream.runCollect(Orders.list({ filter: KeapFilter.eq("contact_id", 12) })))
    expect(listed.map((o) => o.id)).toEqual([order.id])
  })

  it("refuses bad orders naming the field", async () => {
    const base = {
      contact_id: "12",
      order_title: "X",
      order_time: "2026-03-01T10:00:00.000Z",
      order_type: "ONLINE" as const,
    }
    expect(fieldsOf(await fail(Orders.create({ ...base, contact_id: "twelve" })))).toEqual(["body.contact_id"])
    expect(fieldsOf(await fail(Orders.create({ ...base, order_type: "MAIL" as "ONLINE" })))).toEqual([
      "body.order_type",
    ])
    expect(fieldsOf(await fail(Orders.create({ ...base, order_time: "yesterday" })))).toEqual(["order_time"])
    expect(
      fieldsOf(await fail(Orders.create({ ...base, order_items: [{ product_id: "77777", quantity: 1 }] }))),
    ).toEqual(["order_items.0.product_id"])
    expect(fieldsOf(await fail(Orders.addItem("abc", { quantity: 1 })))).toEqual(["order_id"])
  })
})

describe("Subscriptions", () => {
  it("creates, refuses a duplicate, deactivates", async () => {
    const subscription = await run(Subscriptions.create({ contact_id: "14", subscription_plan_id: "1" }))
    expect(subscription).toMatchObject({ active: true, billing_amount: 10, contact_id: "14" })
    expect((await fail(Subscriptions.create({ contact_id: "14", subscription_plan_id: "1" }))).reason._tag).toBe(
      "Conflict",
    )
    await run(Subscriptions.deactivate(subscription.id!, "Too expensive"))
    expect(await run(Subscriptions.get(subscription.id!))).toMatchObject({
      active: false,
      reason_stopped: "Too expensive",
    })
    expect((await fail(Subscriptions.deactivate(subscription.id!))).reason._tag).toBe("Conflict")
    const unknownPlan = await fail(Subscriptions.create({ contact_id: "14", subscription_plan_id: "99" }))
    expect(fieldsOf(unknownPlan)).toEqual(["subscription_plan_id"])
    expect(fieldsOf(await fail(Subscriptions.create({ contact_id: "x", subscription_plan_id: "1" })))).toEqual([
      "body.contact_id",
    ])
    const active = await run(Stream.runCollect(Subscriptions.list({ filter: KeapFilter.eq("contact_id", 14) })))
    expect(active).toHaveLength(1)
  })
})

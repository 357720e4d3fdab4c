/**
 * Keap REST v2 products, orders (items, payments) and subscriptions.
 *
 * Sandbox choices: money is in the account currency (USD); an order's `total` is the sum of
 * `price_per_unit * quantity` of its items (a product item defaults to the product's price);
 * payments lower `total_due` and the order becomes `PAID` when nothing is due; a payment larger
 * than what is due is refused. One seeded subscription plan `1` ($10 monthly).
 */
import { json, noContent, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { KeapContactStore } from "./contactStore.ts"
import { invalidArgument, keapError } from "./errors.ts"
import {
  checkId,
  ISO,
  isResponse,
  type Json,
  listPage,
  notFound,
  pageOf,
  requireBody,
  simpleFilter,
  unknownFields,
} from "./routeHelpers.ts"
import type { KeapApiRequest, KeapRoute } from "./types.ts"

export const KEAP_SANDBOX_SUBSCRIPTION_PLANS: ReadonlyMap<string, { readonly price: number }> = new Map([
  ["1", { price: 10 }],
])

const ITEM_TYPES = new Set([
  "PRODUCT",
  "SHIPPING",
  "TAX",
  "FINANCE_CHARGE",
  "SUBSCRIPTION",
  "DISCOUNT",
  "DISCOUNT_FREE_TRIAL",
  "DISCOUNT_ORDER_TOTAL",
  "DISCOUNT_PRODUCT",
  "DISCOUNT_PRODUCT_CATEGORY",
  "DISCOUNT_SHIPPING",
  "OTHER",
])

const money = (amount: number) => ({
  amount: Math.round(amount * 100) / 100,
  currency_code: "USD",
  formatted_amount: `$${amount.toFixed(2)}`,
})

interface StoredOrder {
  readonly record: Json
  readonly items: Json[]
  readonly payments: Json[]
}

export class KeapCommerceStore {
  readonly products = new Map<string, Json>()
  readonly orders = new Map<string, StoredOrder>()
  readonly subscriptions = new Map<string, Json>()
  #nextId = 4000

  nextId(): string {
    return String(this.#nextId++)
  }
}

export function registerCommerceV2(
  router: Router<KeapRoute>,
  contacts: KeapContactStore,
  store: KeapCommerceStore,
  base: string,
  now: () => number,
): void {
  const iso = () => new Date(now()).toISOString()

  // Products: the price is stored as a number and answered as a currency value.
  const renderProduct = (product: Json): Json => ({ ...product, price: money(Number(product.price)) })
  const productFields = new Set([
    "name",
    "sku",
    "price",
    "active",
    "description",
    "shippable",
    "weight",
    "taxable",
    "short_description",
    "subscription_only",
    "storefront_hidden",
  ])
  router
    .add("GET", `${base}/v2/products`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        return listPage(store.products.values(), ctx.query, "products", {
          filter: new Set(["name", "sku"]),
          render: renderProduct,
        })
      },
    })
    .add("POST", `${base}/v2/products`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const unknown = unknownFields(body, productFields)
        if (unknown !== undefined) return unknown
        if (typeof body.name !== "string" || body.name.trim() === "") return invalidArgument("name is required", "name")
        if (typeof body.price !== "number" || body.price < 0) return invalidArgument("price must be >= 0", "price")
        if (typeof body.short_description !== "string") {
          return invalidArgument("short_description is required", "short_description")
        }
        const id = store.nextId()
        const product = { active: true, shippable: false, taxable: false, ...body, id }
        store.products.set(id, product)
        return json(201, renderProduct(product))
      },
    })
    .add("GET", `${base}/v2/products/:product_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const id = params.product_id as string
        const bad = checkId(id, "product_id")
        if (bad !== undefined) return bad
        const product = store.products.get(id)
        return product === undefined ? notFound("Product", id) : json(200, renderProduct(product))
      },
    })
    .add("DELETE", `${base}/v2/products/:product_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const id = params.product_id as string
        const bad = checkId(id, "product_id")
        if (bad !== undefined) return bad
        return store.products.delete(id) ? noContent() : notFound("Product", id)
      },
    })

  // Orders.
  const itemFields = new Set([
    "name",
    "description",
    "quantity",
    "notes",
    "product_id",
    "subscription_plan_id",
    "subscription_plan_description",
    "item_type",
    "price_per_unit",
    "cost_per_unit",
  ])
  const makeItem = (raw: unknown, field: string): Json | SandboxResponse => {
    const body = requireBody(raw)
    if (isResponse(body)) return body
    const unknown = unknownFields(body, itemFields)
    if (unknown !== undefined) return unknown
    if (!Number.isInteger(body.quantity) || (body.quantity as number) < 1) {
      return invalidArgument("quantity must be a positive integer", `${field}quantity`)
    }
    if (body.item_type !== undefined && !ITEM_TYPES.has(String(body.item_type))) {
      return invalidArgument(`Invalid item_type '${body.item_type}'`, `${field}item_type`)
    }
    const product = body.product_id === undefined ? undefined : store.products.get(String(body.product_id))
    if (body.product_id !== undefined && product === undefined) {
      return invalidArgument(`Product '${body.product_id}' not found`, `${field}product_id`)
    }
    const price = typeof body.price_per_unit === "number" ? body.price_per_unit : Number(product?.price ?? 0)
    return {
      id: store.nextId(),
      name: body.name ?? product?.name ?? "Item",
      description: body.description ?? null,
      quantity: body.quantity,
      item_type: body.item_type ?? (product === undefined ? "OTHER" : "PRODUCT"),
      product: product === undefined ? null : { id: product.id, name: product.name, sku: product.sku ?? null },
      price_per_unit: money(price),
    }
  }
  const render = (order: StoredOrder): Json => {
    const total = order.items.reduce(
      (sum, item) => sum + (item.price_per_unit as { amount: number }).amount * Number(item.quantity),
      0,
    )
    const paid = order.payments.reduce((sum, payment) => sum + Number(payment.amount), 0)
    const due = Math.max(0, total - paid)
    return {
      ...order.record,
      order_items: order.items,
      total: money(total),
      total_paid: money(paid),
      total_due: money(due),
      status: total > 0 && due === 0 ? "PAID" : "UNPAID",
    }
  }
  const orderOr404 = (id: string): StoredOrder | SandboxResponse =>
    checkId(id, "order_id") ?? store.orders.get(id) ?? notFound("Order", id)
  const isOrder = (value: StoredOrder | SandboxResponse): value is StoredOrder => "items" in value
  const orderFields = new Set([
    "notes",
    "terms",
    "title",
    "contact_id",
    "order_items",
    "order_title",
    "order_time",
    "order_type",
    "promo_codes",
    "lead_affiliate_id",
    "sales_affiliate_id",
    "shipping_address",
    "custom_fields",
    "invoice_number",
  ])
  router
    .add("GET", `${base}/v2/orders`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const filter = simpleFilter(ctx.query.get("filter"), new Set(["contact_id", "status"]))
        if (typeof filter !== "function") return filter
        const rendered = [...store.orders.values()].map(render)
        return pageOf(
          rendered.filter((order) => filter({ ...order, contact_id: (order.contact as Json).id })),
          ctx.query,
          "orders",
        )
      },
    })
    .add("POST", `${base}/v2/orders`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const unknown = unknownFields(body, orderFields)
        if (unknown !== undefined) return unknown
        const contact = contacts.find(String(body.contact_id ?? ""))?.contact
        if (contact === undefined) return invalidArgument(`Contact '${body.contact_id}' not found`, "contact_id")
        if (typeof body.order_title !== "string" || body.order_title.trim() === "") {
          return invalidArgument("order_title is required", "order_title")
        }
        if (typeof body.order_time !== "string" || !ISO.test(body.order_time)) {
          return invalidArgument("order_time must be an ISO-8601 date-time", "order_time")
        }
        if (body.order_type !== "ONLINE" && body.order_type !== "OFFLINE") {
          return invalidArgument("order_type must be ONLINE or OFFLINE", "order_type")
        }
        const items: Json[] = []
        for (const [i, raw] of (Array.isArray(body.order_items) ? body.order_items : []).entries()) {
          const item = makeItem(raw, `order_items.${i}.`)
          if (isResponse(item)) return item
          items.push(item)
        }
        const id = store.nextId()
        const order: StoredOrder = {
          record: {
            id,
            title: body.order_title,
            notes: body.notes ?? null,
            terms: body.terms ?? null,
            order_type: body.order_type,
            order_time: body.order_time,
            creation_time: iso(),
            modification_time: iso(),
            contact: {
              id: contact.id,
              first_name: contact.given_name ?? null,
              last_name: contact.family_name ?? null,
              email: contact.email_addresses[0]?.email ?? null,
            },
          },
          items,
          payments: [],
        }
        store.orders.set(id, order)
        return json(201, render(order))
      },
    })
    .add("GET", `${base}/v2/orders/:order_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const order = orderOr404(params.order_id as string)
        return isOrder(order) ? json(200, render(order)) : order
      },
    })
    .add("POST", `${base}/v2/orders/:order_id/items`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const order = orderOr404(params.order_id as string)
        if (!isOrder(order)) return order
        if (render(order).status === "PAID") return keapError(409, "The order is paid; it cannot change")
        const item = makeItem(ctx.body, "")
        if (isResponse(item)) return item
        order.items.push(item)
        return json(201, item)
      },
    })
    .add("GET", `${base}/v2/orders/:order_id/payments`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const order = orderOr404(params.order_id as string)
        return isOrder(order) ? pageOf(order.payments, ctx.query, "invoice_order_payments") : order
      },
    })
    .add("POST", `${base}/v2/orders/:order_id/payments`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const order = orderOr404(params.order_id as string)
        if (!isOrder(order)) return order
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const amount = body.payment_amount
        if (typeof amount !== "number" || amount <= 0) {
          return invalidArgument("payment_amount must be positive", "payment_amount")
        }
        if (typeof body.apply_to_commissions !== "boolean") {
          return invalidArgument("apply_to_commissions is required", "apply_to_commissions")
        }
        const due = (render(order).total_due as { amount: number }).amount
        if (amount > due + 1e-9) {
          return invalidArgument(`payment_amount ${amount} exceeds the amount due ${due}`, "payment_amount")
        }
        const payment = {
          id: store.nextId(),
          amount,
          note: body.notes ?? null,
          invoice_id: order.record.id,
          payment_id: store.nextId(),
          pay_time: body.payment_time ?? iso(),
          pay_status: "Approved",
          last_updated_time: iso(),
          skip_commission: !body.apply_to_commissions,
        }
        order.payments.push(payment)
        return json(200, {
          id: payment.id,
          invoice_id: order.record.id,
          payment_amount: amount,
          payment_status_message: "Payment recorded",
          transaction_id: payment.payment_id,
        })
      },
    })

  // Subscriptions.
  const subscriptionOr404 = (id: string): Json | SandboxResponse =>
    checkId(id, "subscription_id") ?? store.subscriptions.get(id) ?? notFound("Subscription", id)
  router
    .add("GET", `${base}/v2/subscriptions`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        return listPage(store.subscriptions.values(), ctx.query, "subscriptions", {
          filter: new Set(["contact_id", "active"]),
        })
      },
    })
    .add("POST", `${base}/v2/subscriptions`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        if (contacts.find(String(body.contact_id ?? "")) === undefined) {
          return invalidArgument(`Contact '${body.contact_id}' not found`, "contact_id")
        }
        const plan = KEAP_SANDBOX_SUBSCRIPTION_PLANS.get(String(body.subscription_plan_id ?? ""))
        if (plan === undefined) {
          return invalidArgument(`Subscription plan '${body.subscription_plan_id}' not found`, "subscription_plan_id")
        }
        if (body.quantity !== undefined && (!Number.isInteger(body.quantity) || (body.quantity as number) < 1)) {
          return invalidArgument("quantity must be a positive integer", "quantity")
        }
        const duplicate = [...store.subscriptions.values()].some(
          (s) =>
            s.active === true &&
            s.contact_id === body.contact_id &&
            s.subscription_plan_id === body.subscription_plan_id,
        )
        if (duplicate && body.allow_duplicate !== true) {
          return keapError(409, "The contact already has an active subscription to this plan", [
            { domain: "subscription", resource: "subscription_plan_id" },
          ])
        }
        const id = store.nextId()
        const subscription = {
          id,
          contact_id: body.contact_id,
          subscription_plan_id: body.subscription_plan_id,
          quantity: body.quantity ?? 1,
          billing_amount: body.billing_amount ?? plan.price,
          billing_frequency: 1,
          billing_cycle: "MONTH",
          active: body.active ?? true,
          auto_charge: body.auto_charge ?? false,
          start_date: body.start_date ?? iso().slice(0, 10),
          reason_stopped: null,
          modification_time: iso(),
        }
        store.subscriptions.set(id, subscription)
        return json(201, subscription)
      },
    })
    .add("GET", `${base}/v2/subscriptions/:subscription_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const found = subscriptionOr404(params.subscription_id as string)
        return isResponse(found) ? found : json(200, found)
      },
    })
    .add("POST", `${base}/v2/subscriptions/:subscription_action`, {
      auth: "api",
      // `{subscription_id}:deactivate` is one path segment.
      handle: ({ ctx, params }: KeapApiRequest) => {
        const [id = "", action] = (params.subscription_action as string).split(":")
        if (action !== "deactivate") return keapError(404, `No route for ${ctx.method} ${ctx.pathname}`)
        const found = subscriptionOr404(id)
        if (isResponse(found)) return found
        if (found.active !== true) return keapError(409, "The subscription is not active")
        const body = ctx.body === undefined ? {} : requireBody(ctx.body)
        if (isResponse(body)) return body
        found.active = false
        found.reason_stopped = body.reason ?? null
        found.end_date = iso().slice(0, 10)
        found.modification_time = iso()
        return noContent()
      },
    })
}

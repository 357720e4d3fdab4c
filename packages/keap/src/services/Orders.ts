/** Orders (REST v2): list, get, create, add items, record payments and list them. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Order = S.OrderV2

export const list = (options: ListOptions = {}): Stream.Stream<Order, CrmError, KeapClient> =>
  streamAll<Order>(Ops.listOrders, listParams(options), options.pageSize)

export const get = (id: KeapId): Effect.Effect<Order, CrmError, KeapClient> =>
  Effect.flatMap(keapId("order_id", id), (order_id) => call(Ops.getOrder, { order_id } as Ops.GetOrderInput))

/** Creates an order for a contact; `order_time` is an ISO-8601 date-time. */
export const create = (order: S.RestCreateOrderRequest): Effect.Effect<Order, CrmError, KeapClient> =>
  Effect.gen(function* () {
    yield* keapId("body.contact_id", order.contact_id)
    for (const [i, item] of (order.order_items ?? []).entries()) {
      if (item.product_id !== undefined) yield* keapId(`body.order_items.${i}.product_id`, item.product_id)
    }
    return yield* call(Ops.createOrder, { body: order } as Ops.CreateOrderInput)
  })

export const addItem = (
  orderId: KeapId,
  item: S.CreateOrderItemRequest,
): Effect.Effect<S.OrderItem, CrmError, KeapClient> =>
  Effect.gen(function* () {
    const order_id = yield* keapId("order_id", orderId)
    if (item.product_id !== undefined) yield* keapId("body.product_id", item.product_id)
    return yield* call(Ops.createOrderItem, { order_id, body: item } as Ops.CreateOrderItemInput)
  })

/** Records a payment against the order (manual payment; no card is charged without `payment_method_id`). */
export const pay = (
  orderId: KeapId,
  payment: S.RestCreatePaymentRequest,
): Effect.Effect<S.PaymentResult, CrmError, KeapClient> =>
  Effect.flatMap(keapId("order_id", orderId), (order_id) =>
    call(Ops.createPaymentForAnOrder, { order_id, body: payment } as Ops.CreatePaymentForAnOrderInput),
  )

export const payments = (
  orderId: KeapId,
  options: ListOptions = {},
): Stream.Stream<S.InvoiceOrderPayment, CrmError, KeapClient> =>
  streamAll<S.InvoiceOrderPayment>(
    Ops.listOrderPayments,
    Effect.flatMap(keapId("order_id", orderId), (order_id) =>
      Effect.map(listParams(options), (params) => ({ order_id, ...params })),
    ),
    options.pageSize,
  )

/** Subscriptions (REST v2): list, get, create, deactivate. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Subscription = S.Subscription

export const list = (options: ListOptions = {}): Stream.Stream<Subscription, CrmError, KeapClient> =>
  streamAll<Subscription>(Ops.listSubscriptions, listParams(options), options.pageSize)

export const get = (id: KeapId): Effect.Effect<Subscription, CrmError, KeapClient> =>
  Effect.flatMap(keapId("subscription_id", id), (subscription_id) =>
    call(Ops.getSubscription, { subscription_id } as Ops.GetSubscriptionInput),
  )

/** Subscribes a contact to a subscription plan. */
export const create = (subscription: S.CreateSubscriptionRequest): Effect.Effect<Subscription, CrmError, KeapClient> =>
  Effect.gen(function* () {
    yield* keapId("body.contact_id", subscription.contact_id)
    yield* keapId("body.subscription_plan_id", subscription.subscription_plan_id)
    return yield* call(Ops.createSubscription, { body: subscription } as Ops.CreateSubscriptionInput)
  })

/** Stops the subscription (`:deactivate`), with an optional reason. */
export const deactivate = (id: KeapId, reason?: string): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.flatMap(keapId("subscription_id", id), (subscription_id) =>
    Effect.asVoid(
      call(Ops.cancelSubscription, {
        subscription_id,
        body: reason === undefined ? {} : { reason },
      } as Ops.CancelSubscriptionInput),
    ),
  )

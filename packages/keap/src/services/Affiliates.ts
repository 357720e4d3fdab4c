/** Affiliates (REST v2): list, get, create. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Affiliate = S.RestAffiliate

export const list = (options: ListOptions = {}): Stream.Stream<Affiliate, CrmError, KeapClient> =>
  streamAll<Affiliate>(Ops.listAffiliate, listParams(options), options.pageSize)

export const get = (id: KeapId): Effect.Effect<Affiliate, CrmError, KeapClient> =>
  Effect.flatMap(keapId("id", id), (affiliateId) =>
    call(Ops.getAffiliate, { id: affiliateId } as Ops.GetAffiliateInput),
  )

/** Makes a contact an affiliate with a unique `code`. */
export const create = (affiliate: S.CreateAffiliateRequest): Effect.Effect<Affiliate, CrmError, KeapClient> =>
  Effect.gen(function* () {
    yield* keapId("body.contact_id", affiliate.contact_id)
    if (affiliate.parent_affiliate_id !== undefined) {
      yield* keapId("body.parent_affiliate_id", affiliate.parent_affiliate_id)
    }
    return yield* call(Ops.addAffiliate, { body: affiliate } as Ops.AddAffiliateInput)
  })

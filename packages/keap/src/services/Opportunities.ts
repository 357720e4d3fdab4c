/** Opportunities and their pipeline stages (REST v2). */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Opportunity = S.RestV2Opportunity
export type Stage = S.RestOpportunityStage

/** Every opportunity matching `filter`. */
export const list = (options: ListOptions = {}): Stream.Stream<Opportunity, CrmError, KeapClient> =>
  streamAll<Opportunity>(Ops.listOpportunities, listParams(options), options.pageSize)

export const get = (id: KeapId): Effect.Effect<Opportunity, CrmError, KeapClient> =>
  Effect.flatMap(keapId("opportunity_id", id), (opportunity_id) =>
    call(Ops.getOpportunity, { opportunity_id } as Ops.GetOpportunityInput),
  )

/** Creates an opportunity for a contact in a stage (both required by Keap). */
export const create = (opportunity: S.CreateOpportunityRequest): Effect.Effect<Opportunity, CrmError, KeapClient> =>
  Effect.gen(function* () {
    yield* keapId("body.contact_id", opportunity.contact_id)
    yield* keapId("body.stage_id", opportunity.stage_id)
    if (opportunity.user_id !== undefined) yield* keapId("body.user_id", opportunity.user_id)
    return yield* call(Ops.createOpportunity, { body: opportunity } as Ops.CreateOpportunityInput)
  })

export const update = (
  id: KeapId,
  changes: S.UpdateOpportunityRequestV2,
): Effect.Effect<Opportunity, CrmError, KeapClient> =>
  Effect.gen(function* () {
    const opportunity_id = yield* keapId("opportunity_id", id)
    if (changes.stage_id !== undefined) yield* keapId("body.stage_id", changes.stage_id)
    return yield* call(Ops.updateOpportunity, { opportunity_id, body: changes } as Ops.UpdateOpportunityInput)
  })

/** Moves the opportunity to another stage. */
export const moveToStage = (id: KeapId, stageId: KeapId): Effect.Effect<Opportunity, CrmError, KeapClient> =>
  Effect.flatMap(keapId("stage_id", stageId), (stage_id) => update(id, { stage_id } as S.UpdateOpportunityRequestV2))

export const remove = (id: KeapId): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.flatMap(keapId("opportunity_id", id), (opportunity_id) =>
    Effect.asVoid(call(Ops.deleteOpportunity, { opportunity_id } as Ops.DeleteOpportunityInput)),
  )

/** Every pipeline stage. */
export const listStages = (options: ListOptions = {}): Stream.Stream<Stage, CrmError, KeapClient> =>
  streamAll<Stage>(Ops.listOpportunityStages, listParams(options), options.pageSize)

export const createStage = (stage: S.CreateOpportunityStageRequest): Effect.Effect<Stage, CrmError, KeapClient> =>
  call(Ops.createOpportunityStage, { body: stage } as Ops.CreateOpportunityStageInput)

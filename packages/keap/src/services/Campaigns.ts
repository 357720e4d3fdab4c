/** Campaigns (REST v2): list, and add contacts to / remove them from a campaign sequence. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, keapIds, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Campaign = S.Campaign

export const list = (options: ListOptions = {}): Stream.Stream<Campaign, CrmError, KeapClient> =>
  streamAll<Campaign>(Ops.listCampaigns, listParams(options), options.pageSize)

const target = (campaignId: KeapId, sequenceId: KeapId, contactIds: ReadonlyArray<KeapId>) =>
  Effect.all([keapId("campaign_id", campaignId), keapId("sequence_id", sequenceId), keapIds("contact_ids", contactIds)])

/** Adds contacts to a sequence; Keap answers per contact in `add_to_sequence_results`. */
export const addToSequence = (
  campaignId: KeapId,
  sequenceId: KeapId,
  contactIds: ReadonlyArray<KeapId>,
): Effect.Effect<S.AddContactsToSequenceResponse, CrmError, KeapClient> =>
  Effect.flatMap(target(campaignId, sequenceId, contactIds), ([campaign_id, sequence_id, contact_ids]) =>
    call(Ops.addContactsToCampaignSequence, {
      campaign_id,
      sequence_id,
      body: { contact_ids },
    } as Ops.AddContactsToCampaignSequenceInput),
  )

export const removeFromSequence = (
  campaignId: KeapId,
  sequenceId: KeapId,
  contactIds: ReadonlyArray<KeapId>,
): Effect.Effect<S.RemoveContactsFromSequenceResponse, CrmError, KeapClient> =>
  Effect.flatMap(target(campaignId, sequenceId, contactIds), ([campaign_id, sequence_id, contact_ids]) =>
    call(Ops.removeContactsFromCampaignSequence, {
      campaign_id,
      sequence_id,
      body: { contact_ids },
    } as Ops.RemoveContactsFromCampaignSequenceInput),
  )

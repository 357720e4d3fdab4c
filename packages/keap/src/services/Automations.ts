/** Automations (REST v2): list, get, and add contacts to an automation sequence. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, keapIds, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Automation = S.Automation

/** Every automation; Keap pages automations at most 25 at a time. */
export const list = (options: ListOptions = {}): Stream.Stream<Automation, CrmError, KeapClient> =>
  streamAll<Automation>(Ops.listAutomations, listParams(options), Math.min(options.pageSize ?? 25, 25))

export const get = (id: KeapId): Effect.Effect<Automation, CrmError, KeapClient> =>
  Effect.flatMap(keapId("automation_id", id), (automation_id) =>
    call(Ops.getAutomation, { automation_id } as Ops.GetAutomationInput),
  )

export const addToSequence = (
  automationId: KeapId,
  sequenceId: KeapId,
  contactIds: ReadonlyArray<KeapId>,
): Effect.Effect<S.AddToAutomationSequenceResponse, CrmError, KeapClient> =>
  Effect.flatMap(
    Effect.all([
      keapId("automation_id", automationId),
      keapId("sequence_id", sequenceId),
      keapIds("contact_ids", contactIds),
    ]),
    ([automation_id, sequence_id, contact_ids]) =>
      call(Ops.addContactsToAutomationSequence, {
        automation_id,
        sequence_id,
        body: { contact_ids },
      } as Ops.AddContactsToAutomationSequenceInput),
  )

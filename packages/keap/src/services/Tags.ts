/** Tags (REST v2): list, get, create, and apply to or remove from many contacts at once. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, keapIds, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Tag = S.Tag

/** Every tag matching `filter` (e.g. `KeapFilter.startsWith("name", "VIP")`). */
export const list = (options: ListOptions = {}): Stream.Stream<Tag, CrmError, KeapClient> =>
  streamAll<Tag>(Ops.listTags, listParams(options), options.pageSize)

export const get = (id: KeapId): Effect.Effect<Tag, CrmError, KeapClient> =>
  Effect.flatMap(keapId("tag_id", id), (tag_id) => call(Ops.getTag, { tag_id } as Ops.GetTagInput))

export const create = (tag: S.CreateUpdateTagRequest): Effect.Effect<Tag, CrmError, KeapClient> =>
  call(Ops.createTag, { body: tag } as Ops.CreateTagInput)

/** Applies the tag to every listed contact; Keap answers per contact in `results`. */
export const applyToContacts = (
  tagId: KeapId,
  contactIds: ReadonlyArray<KeapId>,
): Effect.Effect<S.ApplyTagsResponse, CrmError, KeapClient> =>
  Effect.flatMap(Effect.all([keapId("tag_id", tagId), keapIds("contact_ids", contactIds)]), ([tag_id, contact_ids]) =>
    call(Ops.applyTags, { tag_id, body: { contact_ids } } as Ops.ApplyTagsInput),
  )

/** Removes the tag from every listed contact. */
export const removeFromContacts = (
  tagId: KeapId,
  contactIds: ReadonlyArray<KeapId>,
): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.flatMap(Effect.all([keapId("tag_id", tagId), keapIds("contact_ids", contactIds)]), ([tag_id, contact_ids]) =>
    Effect.asVoid(call(Ops.removeTags, { tag_id, body: { contact_ids } } as Ops.RemoveTagsInput)),
  )

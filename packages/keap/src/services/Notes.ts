/** Notes on a contact (REST v2): list, get, create, update, delete. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Note = S.Note
export type NoteInput = S.CreateNoteRequest

/** Every note of a contact. */
export const list = (contactId: KeapId, options: ListOptions = {}): Stream.Stream<Note, CrmError, KeapClient> =>
  streamAll<Note>(
    Ops.listNotes,
    Effect.flatMap(keapId("contact_id", contactId), (contact_id) =>
      Effect.map(listParams(options), (params) => ({ contact_id, ...params })),
    ),
    options.pageSize,
  )

const ids = (contactId: KeapId, noteId: KeapId) =>
  Effect.map(Effect.all([keapId("contact_id", contactId), keapId("note_id", noteId)]), ([contact_id, note_id]) => ({
    contact_id,
    note_id,
  }))

/** Notes of every contact (`GET /v2/notes`); filter on `contact_id`, `title` or `ids` (`KeapFilter.oneOf`). */
export const listAll = (options: ListOptions = {}): Stream.Stream<Note, CrmError, KeapClient> =>
  streamAll<Note>(Ops.listAllNotes, listParams(options), options.pageSize)

export const get = (contactId: KeapId, noteId: KeapId): Effect.Effect<S.GetNoteResponse, CrmError, KeapClient> =>
  Effect.flatMap(ids(contactId, noteId), (path) => call(Ops.getNote, path as Ops.GetNoteInput))

/** Adds a note to a contact; `user_id` (the author) is required by Keap. */
export const create = (contactId: KeapId, note: NoteInput): Effect.Effect<Note, CrmError, KeapClient> =>
  Effect.gen(function* () {
    const contact_id = yield* keapId("contact_id", contactId)
    yield* keapId("body.user_id", note.user_id)
    return yield* call(Ops.createNote, { contact_id, body: note } as Ops.CreateNoteInput)
  })

export const update = (
  contactId: KeapId,
  noteId: KeapId,
  changes: S.UpdateNoteRequest,
): Effect.Effect<S.UpdateNoteResponse, CrmError, KeapClient> =>
  Effect.flatMap(ids(contactId, noteId), (path) =>
    call(Ops.updateNote, { ...path, body: changes } as Ops.UpdateNoteInput),
  )

export const remove = (contactId: KeapId, noteId: KeapId): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.flatMap(ids(contactId, noteId), (path) => Effect.asVoid(call(Ops.deleteNote, path as Ops.DeleteNoteInput)))

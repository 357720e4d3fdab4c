/**
 * Contacts (REST v2): get, list (filter + order, every page streamed), create with
 * duplicate checking, update (including custom fields), delete, merge, and the contact
 * model (custom fields and optional properties).
 */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Contact = S.Contact
export type ContactInput = S.CreateUpdateContactRequest
export type DuplicateOption = "Email" | "EmailAndName" | "EmailAndNameAndCompany"
export type UpdateMaskField = NonNullable<Ops.UpdateContactInput["update_mask"]>[number]

export interface FieldsOption {
  /** Optional properties to include, e.g. `custom_fields`, `tag_ids`. */
  readonly fields?: ReadonlyArray<string> | undefined
}

const withFields = (options: FieldsOption) =>
  options.fields === undefined ? {} : { fields: [...options.fields] as Array<string> }

export const get = (id: KeapId, options: FieldsOption = {}): Effect.Effect<Contact, CrmError, KeapClient> =>
  Effect.flatMap(keapId("contact_id", id), (contact_id) =>
    call(Ops.getContact, { contact_id, ...withFields(options) } as Ops.GetContactInput),
  )

/** Every contact matching `filter`, in `orderBy` order, fetched page by page as the stream is read. */
export const list = (options: ListOptions & FieldsOption = {}): Stream.Stream<Contact, CrmError, KeapClient> =>
  streamAll<Contact>(
    Ops.listContacts,
    Effect.map(listParams(options), (params) => ({ ...params, ...withFields(options) })),
    options.pageSize,
  )

/**
 * Creates a contact. With `duplicateOption`, Keap updates the matching contact instead
 * (matched by email, email and name, or email, name and company).
 */
export const create = (
  contact: ContactInput,
  options: { readonly duplicateOption?: DuplicateOption | undefined } & FieldsOption = {},
): Effect.Effect<Contact, CrmError, KeapClient> =>
  call(Ops.createContact, {
    body: contact,
    ...(options.duplicateOption === undefined ? {} : { duplicate_option: options.duplicateOption }),
    ...withFields(options),
  } as Ops.CreateContactInput)

/**
 * Updates the given properties. Custom fields go in `custom_fields: [{ id, content }]`
 * (ids from `model()`). `updateMask` limits the change to the listed properties.
 */
export const update = (
  id: KeapId,
  changes: ContactInput,
  options: { readonly updateMask?: ReadonlyArray<UpdateMaskField> | undefined } & FieldsOption = {},
): Effect.Effect<Contact, CrmError, KeapClient> =>
  Effect.flatMap(keapId("contact_id", id), (contact_id) =>
    call(Ops.updateContact, {
      contact_id,
      body: changes,
      ...(options.updateMask === undefined ? {} : { update_mask: [...options.updateMask] }),
      ...withFields(options),
    } as Ops.UpdateContactInput),
  )

/** Sets custom field values by id. */
export const setCustomFields = (
  id: KeapId,
  values: ReadonlyArray<{ readonly id: KeapId; readonly content: unknown }>,
): Effect.Effect<Contact, CrmError, KeapClient> =>
  Effect.flatMap(
    Effect.forEach(values, (value, i) =>
      Effect.map(keapId(`custom_fields.${i}.id`, value.id), (fieldId) => ({ id: fieldId, content: value.content })),
    ),
    (custom_fields) =>
      update(id, { custom_fields } as ContactInput, { updateMask: ["custom_fields"], fields: ["custom_fields"] }),
  )

export const remove = (id: KeapId): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.flatMap(keapId("contact_id", id), (contact_id) =>
    Effect.asVoid(call(Ops.deleteContact, { contact_id } as Ops.DeleteContactInput)),
  )

/** Merges `duplicateId` into `primaryId`; the duplicate is deleted. */
export const merge = (primaryId: KeapId, duplicateId: KeapId): Effect.Effect<Contact, CrmError, KeapClient> =>
  Effect.flatMap(
    Effect.all([keapId("contact_id", primaryId), keapId("duplicate_contact_id", duplicateId)]),
    ([contact_id, duplicate_contact_id]) =>
      call(Ops.mergeContacts, { body: { contact_id, duplicate_contact_id } } as Ops.MergeContactsInput),
  )

/** The contact model: custom fields (with ids) and optional properties. */
export const model = (): Effect.Effect<S.ObjectModel, CrmError, KeapClient> =>
  call(Ops.retrieveContactModel, {} as Ops.RetrieveContactModelInput)

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

/** The shorthands people fill in (one email, one phone, custom fields by id) as Keap's body. */
export interface ContactShorthands {
  /** The primary email address (`EMAIL1`). */
  readonly email?: string | undefined
  /** The primary phone number (`PHONE1`). */
  readonly phone?: string | undefined
  /** Custom field values by field id. */
  readonly customFields?: ReadonlyArray<{ readonly id: KeapId; readonly value: unknown }> | undefined
}

/**
 * Keap's contact body from the shorthands, in front of whatever the body already lists:
 * an email is `email_addresses: [{ email, field: "EMAIL1" }]`, a phone `phone_numbers:
 * [{ number, field: "PHONE1" }]`, custom fields `custom_fields: [{ id, content }]`. Every
 * host builds contacts with this, so the rule lives once.
 */
export const withShorthands = (
  shorthands: ContactShorthands,
  body: ContactInput = {} as ContactInput,
): ContactInput => {
  const { email, phone, customFields } = shorthands
  return {
    ...body,
    ...(email === undefined ? {} : { email_addresses: [{ email, field: "EMAIL1" }, ...(body.email_addresses ?? [])] }),
    ...(phone === undefined
      ? {}
      : { phone_numbers: [{ number: phone, field: "PHONE1" }, ...(body.phone_numbers ?? [])] }),
    ...(customFields === undefined || customFields.length === 0
      ? {}
      : {
          custom_fields: [
            ...customFields.map((field) => ({ id: field.id, content: field.value })),
            ...(body.custom_fields ?? []),
          ],
        }),
  } as ContactInput
}

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

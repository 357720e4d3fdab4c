/** Location settings: tags, custom values and custom fields (`locationId` defaults to the client's). */
import type { CrmError } from "@crmkit/core"
import { Effect } from "effect"
import type { GhlClient } from "../GhlClient.ts"
import { type Body, type Input, location, type Ops, type Output, send } from "./internal.ts"

type R<K extends keyof Ops> = Effect.Effect<Output<K>, CrmError, GhlClient>

const at = <K extends keyof Ops>(id: K, locationId: string | undefined, input: Omit<Input<K>, "locationId">): R<K> =>
  Effect.flatMap(location(locationId), (l) => send(id, { ...input, locationId: l } as Input<K>))

export const get = (locationId?: string): R<"get-location"> => at("get-location", locationId, {})

// Tags
export const tags = (locationId?: string): R<"get-location-tags"> => at("get-location-tags", locationId, {})
export const getTag = (tagId: string, locationId?: string): R<"get-tag-by-id"> =>
  at("get-tag-by-id", locationId, { tagId })
export const createTag = (name: string, locationId?: string): R<"create-tag"> =>
  at("create-tag", locationId, { body: { name } })
export const updateTag = (tagId: string, name: string, locationId?: string): R<"update-tag"> =>
  at("update-tag", locationId, { tagId, body: { name } })
export const deleteTag = (tagId: string, locationId?: string): R<"delete-tag"> =>
  at("delete-tag", locationId, { tagId })

// Custom values
export const customValues = (locationId?: string): R<"get-custom-values"> => at("get-custom-values", locationId, {})
export const getCustomValue = (id: string, locationId?: string): R<"get-custom-value"> =>
  at("get-custom-value", locationId, { id })
export const createCustomValue = (body: Body<"create-custom-value">, locationId?: string): R<"create-custom-value"> =>
  at("create-custom-value", locationId, { body })
export const updateCustomValue = (
  id: string,
  body: Body<"update-custom-value">,
  locationId?: string,
): R<"update-custom-value"> => at("update-custom-value", locationId, { id, body })
export const deleteCustomValue = (id: string, locationId?: string): R<"delete-custom-value"> =>
  at("delete-custom-value", locationId, { id })

// Custom fields
export const customFields = (
  options: { readonly model?: Input<"get-custom-fields">["model"]; readonly locationId?: string } = {},
): R<"get-custom-fields"> =>
  at("get-custom-fields", options.locationId, options.model === undefined ? {} : { model: options.model })
export const getCustomField = (id: string, locationId?: string): R<"get-custom-field"> =>
  at("get-custom-field", locationId, { id })
export const createCustomField = (
  body: Body<"locations.create-custom-field">,
  locationId?: string,
): R<"locations.create-custom-field"> => at("locations.create-custom-field", locationId, { body })
export const updateCustomField = (
  id: string,
  body: Body<"locations.update-custom-field">,
  locationId?: string,
): R<"locations.update-custom-field"> => at("locations.update-custom-field", locationId, { id, body })
export const deleteCustomField = (id: string, locationId?: string): R<"locations.delete-custom-field"> =>
  at("locations.delete-custom-field", locationId, { id })

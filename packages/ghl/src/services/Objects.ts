/** Custom objects: schemas and records (search pages with `searchAfter`). */
import type { CrmError } from "@crmkit/core"
import { Effect, Stream } from "effect"
import type { GhlClient } from "../GhlClient.ts"
import { type Body, location, type Output, send, streamAll } from "./internal.ts"

type R<K extends Parameters<typeof send>[0]> = Effect.Effect<Output<K>, CrmError, GhlClient>

export const schemas = (locationId?: string): R<"get-object-by-location-id"> =>
  Effect.flatMap(location(locationId), (id) => send("get-object-by-location-id", { locationId: id }))

export const schema = (
  key: string,
  options: { readonly locationId?: string; readonly fetchProperties?: boolean } = {},
): R<"get-object-schema-by-key"> =>
  Effect.flatMap(location(options.locationId), (locationId) =>
    send("get-object-schema-by-key", {
      key,
      locationId,
      ...(options.fetchProperties === undefined ? {} : { fetchProperties: String(options.fetchProperties) }),
    }),
  )

/** Creates a record; `locationId` defaults to the client's. */
export const createRecord = (
  schemaKey: string,
  record: { readonly properties: Readonly<Record<string, unknown>>; readonly locationId?: string } & Readonly<
    Record<string, unknown>
  >,
): R<"create-object-record"> =>
  Effect.flatMap(location(record.locationId), (locationId) =>
    send("create-object-record", { schemaKey, body: { ...record, locationId } as Body<"create-object-record"> }),
  )

export const getRecord = (schemaKey: string, id: string): R<"get-record-by-id"> =>
  send("get-record-by-id", { schemaKey, id })

export const updateRecord = (
  schemaKey: string,
  id: string,
  record: Readonly<Record<string, unknown>>,
  locationId?: string,
): R<"update-object-record"> =>
  Effect.flatMap(location(locationId), (l) =>
    send("update-object-record", { schemaKey, id, locationId: l, body: record as Body<"update-object-record"> }),
  )

export const deleteRecord = (schemaKey: string, id: string): R<"delete-object-record"> =>
  send("delete-object-record", { schemaKey, id })

export type ObjectRecord = NonNullable<Output<"search-object-records">["records"]>[number]

/** Every record matching `query`, page by page with `searchAfter`. */
export const searchAll = (
  schemaKey: string,
  options: { readonly query?: string; readonly locationId?: string; readonly pageSize?: number } = {},
): Stream.Stream<ObjectRecord, CrmError, GhlClient> =>
  Stream.unwrap(
    Effect.map(location(options.locationId), (locationId) =>
      streamAll<ObjectRecord>(
        "search-object-records",
        { schemaKey, body: { locationId, ...(options.query === undefined ? {} : { query: options.query }) } },
        options.pageSize ?? 100,
      ),
    ),
  )

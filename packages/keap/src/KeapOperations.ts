/**
 * Every generated Keap operation by id, for dynamic callers (CLI, "custom API call" nodes,
 * AI agents reading the catalog): `call(id, input)` validates the input with the
 * operation's Schema and sends it through `KeapClient`; `stream(id, input)` follows the
 * operation's pagination to the last page. The registry is the core's, shared with GHL.
 */
import { type CrmError, type Operation, OperationRegistry } from "@crmkit/core"
import type { Effect, Stream } from "effect"
import { type CatalogEntry, catalog } from "./generated/catalog.ts"
import { operations } from "./generated/operations.ts"
import { KeapClient } from "./KeapClient.ts"

export type OperationId = keyof typeof operations

export type { CatalogEntry }
export { catalog }

export const registry = OperationRegistry.make({
  provider: "keap",
  title: "Keap",
  operations: operations as unknown as Readonly<Record<string, Operation.Operation>>,
  client: KeapClient,
  pageSize: 100,
})

/** Ids of the catalog, in catalog order. */
export const ids: ReadonlyArray<string> = catalog.map((entry) => entry.id)

/** Up to `limit` ids close to `id`: same words first, then by edit distance. */
export const nearMatches = (id: string, limit = 5): ReadonlyArray<string> => registry.nearMatches(id, limit)

/** The operation with this id, or a `Validation` error listing the nearest ids. */
export const get = (id: string): Effect.Effect<Operation.Operation, CrmError> => registry.lookup(id)

/** The catalog entry with this id, if any. */
export const describe = (id: string): CatalogEntry | undefined => catalog.find((entry) => entry.id === id)

/** Validates `input` for operation `id`, sends it and returns the response body. */
export const call = (id: string, input: unknown = {}): Effect.Effect<unknown, CrmError, KeapClient> =>
  registry.call(id, input)

/** Every record of a paginated operation, page by page (`pageSize` defaults to 100). */
export const stream = (
  id: string,
  input: unknown = {},
  options: { readonly pageSize?: number | undefined } = {},
): Stream.Stream<unknown, CrmError, KeapClient> => registry.stream(id, input, options)

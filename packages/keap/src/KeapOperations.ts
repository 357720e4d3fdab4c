/**
 * Every generated Keap operation by id, for dynamic callers (CLI, "custom API call" nodes,
 * AI agents reading the catalog): `call(id, input)` validates the input with the
 * operation's Schema and sends it through `KeapClient`; `stream(id, input)` follows the
 * operation's pagination to the last page.
 */

import type { CrmError } from "@crmkit/core"
import { CrmErrors, Operation } from "@crmkit/core"
import { Effect, Stream } from "effect"
import { type CatalogEntry, catalog } from "./generated/catalog.ts"
import { operations } from "./generated/operations.ts"
import { KeapClient } from "./KeapClient.ts"

export type OperationId = keyof typeof operations

export type { CatalogEntry }
export { catalog }

/** Ids of the catalog, in catalog order. */
export const ids: ReadonlyArray<string> = catalog.map((entry) => entry.id)

const levenshtein = (a: string, b: string): number => {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]!
}

/** Up to `limit` ids close to `id`: same words first, then by edit distance. */
export const nearMatches = (id: string, limit = 5): ReadonlyArray<string> => {
  const wanted = id.toLowerCase()
  return ids
    .map((candidate) => {
      const lower = candidate.toLowerCase()
      const contains = lower.includes(wanted) || wanted.includes(lower)
      return { candidate, score: levenshtein(wanted, lower) - (contains ? 100 : 0) }
    })
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((entry) => entry.candidate)
}

const unknownOperation = (id: string): CrmError =>
  CrmErrors.invalidInput("keap", [
    {
      field: "(operation)",
      message: `unknown Keap operation '${id}'; did you mean ${nearMatches(id)
        .map((candidate) => `'${candidate}'`)
        .join(", ")}?`,
    },
  ])

/** The operation with this id, or a `Validation` error listing the nearest ids. */
export const get = (id: string): Effect.Effect<Operation.Operation, CrmError> =>
  Object.hasOwn(operations, id)
    ? Effect.succeed(operations[id as OperationId] as unknown as Operation.Operation)
    : Effect.fail(unknownOperation(id))

/** The catalog entry with this id, if any. */
export const describe = (id: string): CatalogEntry | undefined => catalog.find((entry) => entry.id === id)

/** Validates `input` for operation `id`, sends it and returns the response body. */
export const call = (id: string, input: unknown = {}): Effect.Effect<unknown, CrmError, KeapClient> =>
  Effect.flatMap(get(id), (operation) => KeapClient.use((client) => Operation.callUnknown(client, operation, input)))

/** Every record of a paginated operation, page by page (`pageSize` defaults to 100). */
export const stream = (
  id: string,
  input: unknown = {},
  options: { readonly pageSize?: number | undefined } = {},
): Stream.Stream<unknown, CrmError, KeapClient> =>
  Stream.unwrap(
    Effect.flatMap(get(id), (operation) =>
      KeapClient.useSync((client) => Operation.streamAll(client, operation, input, options.pageSize ?? 100)),
    ),
  )

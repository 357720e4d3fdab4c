/**
 * Every generated operation of a provider by id, for dynamic callers (the CLI's `call`
 * and `export`, "custom API call" nodes, agents reading the catalog). One path for the
 * single call and for every page: the connection's context is filled in, the page size
 * put where the operation reads it, the provider's checks run before sending (GHL's
 * scopes) and its refusals explained after.
 */
import { Effect, Stream } from "effect"
import type { CrmClient, CrmRequest } from "./CrmClient.ts"
import { type CrmError, invalidInput } from "./CrmError.ts"
import * as Operation from "./Operation.ts"
import type * as Pagination from "./Pagination.ts"
import { editDistance } from "./Words.ts"

export interface RegistryOptions<R> {
  /** Lower-case provider name, for errors (`keap`). */
  readonly provider: string
  /** The provider's name as people write it, for "unknown operation" messages (`Keap`). */
  readonly title: string
  readonly operations: Readonly<Record<string, Operation.Operation>>
  /** The core client inside the provider's client service. */
  readonly client: Effect.Effect<CrmClient, never, R>
  /** Records per request when the caller does not say. */
  readonly pageSize: number
  /** Runs before an operation is sent (or its first page): refuse here what the provider would refuse. */
  readonly check?: ((client: CrmClient, operation: Operation.Operation) => Effect.Effect<void, CrmError>) | undefined
  /** Completes the provider's refusal of an operation (e.g. the scope it needed). */
  readonly explain?: ((operation: Operation.Operation, error: CrmError) => CrmError) | undefined
}

export interface StreamOptions {
  readonly pageSize?: number | undefined
}

export interface Registry<R> {
  readonly ids: ReadonlyArray<string>
  /** The operation with this id, or a `Validation` error naming the nearest ids. */
  readonly lookup: (id: string) => Effect.Effect<Operation.Operation, CrmError>
  /** Up to `count` ids close to `id`: containing it first, then by edit distance. */
  readonly nearMatches: (id: string, count?: number) => ReadonlyArray<string>
  /** The operation that lists a resource (`contacts`, `contact`): a paginated read, preferring `list*`. */
  readonly listOf: (resource: string) => Operation.Operation | undefined
  /** The input as it will be sent: the context filled in (and the page size, when streaming). */
  readonly prepare: (
    operation: Operation.Operation,
    input: unknown,
    options: { readonly context: Readonly<Record<string, string>>; readonly pageSize?: number | undefined },
  ) => unknown
  readonly call: (operation: string | Operation.Operation, input: unknown) => Effect.Effect<unknown, CrmError, R>
  /** Every record, page by page. */
  readonly stream: (
    operation: string | Operation.Operation,
    input: unknown,
    options?: StreamOptions,
  ) => Stream.Stream<unknown, CrmError, R>
  /** Every page, each with the request of the next one; `resumeAt` continues from a saved one. */
  readonly pages: (
    operation: string | Operation.Operation,
    input: unknown,
    options?: StreamOptions & { readonly resumeAt?: CrmRequest | undefined },
  ) => Stream.Stream<Pagination.Page<unknown>, CrmError, R>
}

const singular = (name: string) =>
  name
    .toLowerCase()
    .replace(/[-_\s]/g, "")
    .replace(/s$/, "")

export const make = <R>(options: RegistryOptions<R>): Registry<R> => {
  const { operations, provider } = options
  const ids = Object.keys(operations)
  const check = options.check ?? (() => Effect.void)
  const explain = options.explain ?? ((_operation, error) => error)

  const nearMatches = (id: string, count = 5): ReadonlyArray<string> => {
    const wanted = id.toLowerCase()
    return ids
      .map((candidate) => {
        const lower = candidate.toLowerCase()
        const contains = lower.includes(wanted) || wanted.includes(lower)
        return { candidate, score: editDistance(wanted, lower) - (contains ? 100 : 0) }
      })
      .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
      .slice(0, count)
      .map((match) => match.candidate)
  }

  const lookup = (id: string): Effect.Effect<Operation.Operation, CrmError> =>
    Object.hasOwn(operations, id)
      ? Effect.succeed(operations[id]!)
      : Effect.fail(
          invalidInput(provider, [
            {
              field: "(operation)",
              message: `unknown ${options.title} operation "${id}"; did you mean ${nearMatches(id, 3)
                .map((candidate) => `"${candidate}"`)
                .join(", ")}?`,
            },
          ]),
        )

  const resolve = (operation: string | Operation.Operation) =>
    typeof operation === "string" ? lookup(operation) : Effect.succeed(operation)

  const listOf = (resource: string): Operation.Operation | undefined => {
    const name = singular(resource)
    const preferred = [`list${name}s`, `get${name}s`, `list${name}`, `search${name}s`]
    const rank = (id: string) => {
      const found = preferred.indexOf(id.toLowerCase().replace(/[-_.]/g, ""))
      return found < 0 ? preferred.length : found
    }
    return Object.values(operations)
      .filter((op) => singular(op.resource) === name && op.access === "read" && op.pagination !== undefined)
      .sort((a, b) => rank(a.id) - rank(b.id) || a.id.length - b.id.length)[0]
  }

  const prepare: Registry<R>["prepare"] = (operation, input, { context, pageSize }) => {
    const filled = Operation.fillContext(operation, input, context)
    return pageSize === undefined ? filled : Operation.withPageSize(operation, filled, pageSize)
  }

  const explained = (operation: Operation.Operation) => (error: CrmError) => explain(operation, error)

  const call = (target: string | Operation.Operation, input: unknown): Effect.Effect<unknown, CrmError, R> =>
    Effect.flatMap(resolve(target), (operation) =>
      Effect.gen(function* () {
        const client = yield* options.client
        yield* check(client, operation)
        return yield* Operation.callUnknown(client, operation, prepare(operation, input, { context: client.context }))
      }).pipe(Effect.mapError(explained(operation))),
    )

  const pagedWith = <A>(
    target: string | Operation.Operation,
    pageSize: number,
    run: (client: CrmClient, operation: Operation.Operation, input: unknown) => Stream.Stream<A, CrmError>,
    input: unknown,
  ): Stream.Stream<A, CrmError, R> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const operation = yield* resolve(target)
        const client = yield* options.client
        yield* check(client, operation)
        return run(client, operation, prepare(operation, input, { context: client.context, pageSize })).pipe(
          Stream.mapError(explained(operation)),
        )
      }),
    )

  return {
    ids,
    lookup,
    nearMatches,
    listOf,
    prepare,
    call,
    stream: (target, input, streamOptions = {}) => {
      const pageSize = streamOptions.pageSize ?? options.pageSize
      return pagedWith(
        target,
        pageSize,
        (client, operation, prepared) => Operation.streamAll(client, operation, prepared, pageSize),
        input,
      )
    },
    pages: (target, input, pageOptions = {}) => {
      const pageSize = pageOptions.pageSize ?? options.pageSize
      return pagedWith(
        target,
        pageSize,
        (client, operation, prepared) =>
          Operation.streamPages(client, operation, prepared, pageSize, { resumeAt: pageOptions.resumeAt }),
        input,
      )
    },
  }
}

/**
 * Every generated GHL operation by id: `call(id, input)` and `stream(id, input, { pageSize })`.
 *
 * Input is validated with the operation's Schema before sending. When the credential's
 * scopes are known, an operation that needs a scope the token lacks is refused before
 * sending, with a `Forbidden` naming the scope; when they are not, GHL's own refusal
 * (401 "not authorized for this scope", or 403) gets `missingScope` from the operation.
 */
import { CrmError, CrmErrors, Operation } from "@crmkit/core"
import { Effect, Stream } from "effect"
import { GhlClient, type GhlClientShape } from "./GhlClient.ts"
import { operations } from "./generated/operations.ts"

export type Operations = typeof operations
export type OperationId = keyof Operations

export const ids: ReadonlyArray<string> = Object.keys(operations)

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j] as number
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = saved
    }
  }
  return row[b.length] as number
}

/** The closest operation ids, for "did you mean" messages. */
export const nearMatches = (id: string, count = 3): ReadonlyArray<string> => {
  const wanted = id.toLowerCase()
  return ids
    .map((candidate) => ({
      candidate,
      score: candidate.includes(wanted) || wanted.includes(candidate) ? 0 : distance(wanted, candidate.toLowerCase()),
    }))
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, count)
    .map((match) => match.candidate)
}

/** The generated operation with this id, or a Validation error listing near matches. */
export const lookup = (id: string): Effect.Effect<Operation.Operation, CrmError> => {
  const operation = (operations as Readonly<Record<string, Operation.Operation>>)[id]
  if (operation !== undefined && Object.hasOwn(operations, id)) return Effect.succeed(operation)
  const near = nearMatches(id)
  return Effect.fail(
    CrmErrors.invalidInput("ghl", [
      { field: "(operation)", message: `unknown GHL operation "${id}"; did you mean ${near.join(", ")}?` },
    ]),
  )
}

const forbidden = (operation: Operation.Operation, missingScope: string, held: ReadonlyArray<string>) =>
  new CrmError({
    reason: new CrmErrors.Forbidden({
      provider: "ghl",
      message: `${operation.id} needs the ${missingScope} scope, which this token does not have (it has: ${held.join(" ") || "none"}); refused before sending`,
      operation: operation.id,
      request: `${operation.method} ${operation.path}`,
      missingScope,
    }),
  })

/** Refuses before sending when the credential's scopes are known and one is missing. */
export const checkScopes = (client: GhlClientShape, operation: Operation.Operation): Effect.Effect<void, CrmError> =>
  Effect.flatMap(client.grantedScopes, (held) => {
    if (held === undefined || operation.scopes === undefined) return Effect.void
    const missing = operation.scopes.find((scope) => !held.includes(scope))
    return missing === undefined ? Effect.void : Effect.fail(forbidden(operation, missing, held))
  })

/** Fills `missingScope` from the operation when GHL refused for a scope without naming it. */
export const explainScopeRefusal =
  (operation: Operation.Operation) =>
  (error: CrmError): CrmError => {
    const reason = error.reason
    if (reason._tag !== "Forbidden" || reason.missingScope !== undefined) return error
    const scope = operation.scopes?.[0]
    if (scope === undefined) return error
    return new CrmError({
      reason: new CrmErrors.Forbidden({
        provider: reason.provider,
        message: reason.message,
        status: reason.status,
        requestId: reason.requestId,
        request: reason.request,
        operation: reason.operation,
        body: reason.body,
        missingScope: scope,
      }),
    })
  }

/** Checks scopes, validates, sends and decodes one operation of a known client. */
export const callWith = <I, O>(
  client: GhlClientShape,
  operation: Operation.Operation<I, O>,
  input: I,
): Effect.Effect<O, CrmError> =>
  checkScopes(client, operation as Operation.Operation).pipe(
    Effect.andThen(Operation.call(client, operation, input)),
    Effect.mapError(explainScopeRefusal(operation as Operation.Operation)),
  )

/** Calls a generated operation by id. */
export const call: {
  <K extends OperationId>(
    id: K,
    input: Operation.InputOf<Operations[K]>,
  ): Effect.Effect<Operation.OutputOf<Operations[K]>, CrmError, GhlClient>
  (id: string, input: unknown): Effect.Effect<unknown, CrmError, GhlClient>
} = (id: string, input: unknown): Effect.Effect<any, CrmError, GhlClient> =>
  Effect.gen(function* () {
    const operation = yield* lookup(id)
    const client = yield* GhlClient
    return yield* callWith(client, operation, input)
  })

/**
 * Puts the page size where the operation reads it (unless the input already has one), so
 * that an input that requires it (the search endpoint's `pageLimit`) validates.
 */
export const withPageSize = (operation: Operation.Operation, input: unknown, pageSize: number): unknown => {
  const pagination = operation.pagination
  if (pagination === undefined || input === null || typeof input !== "object") return input
  const name =
    pagination.params.sizeParam ??
    pagination.params.limitParam ??
    (pagination.style === "body-cursor" ? "pageLimit" : undefined)
  if (name === undefined) return input
  const record = input as Record<string, unknown>
  const inBody = pagination.style === "body-cursor" || pagination.params.placement === "body"
  if (inBody) {
    const body = (record.body ?? {}) as Record<string, unknown>
    return name in body ? input : { ...record, body: { ...body, [name]: pageSize } }
  }
  return name in record ? input : { ...record, [name]: pageSize }
}

/** Streams every record of a paginated operation by id. */
export const stream = (
  id: string,
  input: unknown,
  options: { readonly pageSize?: number | undefined } = {},
): Stream.Stream<unknown, CrmError, GhlClient> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const operation = yield* lookup(id)
      const client = yield* GhlClient
      yield* checkScopes(client, operation)
      const pageSize = options.pageSize ?? 100
      return Operation.streamAll(client, operation, withPageSize(operation, input, pageSize), pageSize).pipe(
        Stream.mapError(explainScopeRefusal(operation)),
      )
    }),
  )

/**
 * Every generated GHL operation by id: `call(id, input)` and `stream(id, input, { pageSize })`,
 * on the core's registry (context filled in, page size placed, one path for both).
 *
 * Input is validated with the operation's Schema before sending. When the credential's
 * scopes are known, an operation that needs a scope the token lacks is refused before
 * sending, with a `Forbidden` naming the scope; when they are not, GHL's own refusal
 * (401 "not authorized for this scope", or 403) gets `missingScope` from the operation.
 */
import { CrmError, CrmErrors, Operation, OperationRegistry } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import { GhlClient, type GhlClientShape } from "./GhlClient.ts"
import { operations } from "./generated/operations.ts"

export type Operations = typeof operations
export type OperationId = keyof Operations

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

export const registry = OperationRegistry.make<GhlClient>({
  provider: "ghl",
  title: "GHL",
  operations: operations as unknown as Readonly<Record<string, Operation.Operation>>,
  client: GhlClient,
  pageSize: 100,
  // The registry hands back the client it got from `GhlClient`, which has the scopes.
  check: (client, operation) => checkScopes(client as GhlClientShape, operation),
  explain: (operation, error) => explainScopeRefusal(operation)(error),
})

export const ids: ReadonlyArray<string> = registry.ids

/** The closest operation ids, for "did you mean" messages. */
export const nearMatches = (id: string, count = 3): ReadonlyArray<string> => registry.nearMatches(id, count)

/** The generated operation with this id, or a Validation error listing near matches. */
export const lookup = (id: string): Effect.Effect<Operation.Operation, CrmError> => registry.lookup(id)

/** Checks scopes, fills the context, validates, sends and decodes one operation of a known client. */
export const callWith = <I, O>(
  client: GhlClientShape,
  operation: Operation.Operation<I, O>,
  input: I,
): Effect.Effect<O, CrmError> =>
  checkScopes(client, operation as Operation.Operation).pipe(
    Effect.andThen(
      Effect.suspend(() =>
        Operation.call(
          client,
          operation,
          registry.prepare(operation as Operation.Operation, input, { context: client.context }) as I,
        ),
      ),
    ),
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

/** Streams every record of a paginated operation by id. */
export const stream = (
  id: string,
  input: unknown,
  options: { readonly pageSize?: number | undefined } = {},
): Stream.Stream<unknown, CrmError, GhlClient> => registry.stream(id, input, options)

/** Shared helpers of the hand-written services: id checks, filter/order options, calls through KeapClient. */
import { type CrmError, CrmErrors, Operation } from "@crmkit/core"
import { Effect, Stream } from "effect"
import { KeapClient } from "../KeapClient.ts"
import * as KeapFilter from "../KeapFilter.ts"

/** Keap ids are decimal numbers, sent as strings. */
export type KeapId = string | number

/** A Keap id as the API expects it, or a `Validation` error naming `field`. */
export const keapId = (field: string, value: KeapId): Effect.Effect<string, CrmError> => {
  const text = typeof value === "number" ? String(value) : value
  return /^[1-9]\d{0,18}$/.test(text)
    ? Effect.succeed(text)
    : Effect.fail(CrmErrors.invalidInput("keap", [{ field, message: `expected a numeric Keap id, got '${text}'` }]))
}

export const keapIds = (field: string, values: ReadonlyArray<KeapId>): Effect.Effect<Array<string>, CrmError> =>
  values.length === 0
    ? Effect.fail(CrmErrors.invalidInput("keap", [{ field, message: "expected at least one id" }]))
    : Effect.forEach(values, (value, i) => keapId(`${field}.${i}`, value))

export interface ListOptions {
  readonly filter?: KeapFilter.Filter | undefined
  readonly orderBy?: { readonly field: string; readonly direction?: "asc" | "desc" | undefined } | undefined
  /** Records per request; Keap allows up to 1,000. Default 100. */
  readonly pageSize?: number | undefined
}

/** The `filter` and `order_by` query parameters of a list call, encoded and checked. */
export const listParams = (options: ListOptions): Effect.Effect<Record<string, string>, CrmError> =>
  Effect.gen(function* () {
    const params: Record<string, string> = {}
    if (options.filter !== undefined && options.filter.conditions.length > 0) {
      params.filter = yield* KeapFilter.encode(options.filter)
    }
    if (options.orderBy !== undefined) {
      params.order_by = yield* KeapFilter.orderBy(options.orderBy.field, options.orderBy.direction)
    }
    return params
  })

/** Validates the input with the operation's Schema, sends it, decodes the answer. */
export const call = <I, O>(operation: Operation.Operation<I, O>, input: I): Effect.Effect<O, CrmError, KeapClient> =>
  KeapClient.use((client) => Operation.call(client, operation, input))

/** Every record of a paginated operation. */
export const streamAll = <A>(
  operation: Operation.Operation<any, any>,
  input: Effect.Effect<Record<string, unknown>, CrmError>,
  pageSize: number | undefined,
): Stream.Stream<A, CrmError, KeapClient> =>
  Stream.unwrap(
    Effect.flatMap(input, (valid) =>
      KeapClient.useSync(
        (client) =>
          Operation.streamAll(client, operation as Operation.Operation, valid, pageSize ?? 100) as Stream.Stream<
            A,
            CrmError
          >,
      ),
    ),
  )

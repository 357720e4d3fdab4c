/** What the hand-written services share: typed calls by id, the default location, streams. */
import { type CrmError, CrmErrors, type Operation } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import { GhlClient } from "../GhlClient.ts"
import * as GhlOperations from "../GhlOperations.ts"
import { operations } from "../generated/operations.ts"

export type Ops = typeof operations
export type Input<K extends keyof Ops> = Operation.InputOf<Ops[K]>
export type Output<K extends keyof Ops> = Operation.OutputOf<Ops[K]>
/** The request body of an operation. */
export type Body<K extends keyof Ops> = Input<K> extends { readonly body: infer B } ? B : never
/** A body whose `locationId` may be left to the client's default location. */
export type WithLocation<T> = Omit<T, "locationId"> & { readonly locationId?: string | undefined }

/** Calls a generated operation (scopes checked, input validated before sending). */
export const send = <K extends keyof Ops>(id: K, input: Input<K>): Effect.Effect<Output<K>, CrmError, GhlClient> =>
  Effect.gen(function* () {
    const client = yield* GhlClient
    return (yield* GhlOperations.callWith(client, operations[id] as Operation.Operation, input)) as Output<K>
  })

/** The given location, else the client's default (`GHL_LOCATION_ID`). */
export const location = (locationId?: string | undefined): Effect.Effect<string, CrmError, GhlClient> =>
  Effect.gen(function* () {
    if (locationId !== undefined) return locationId
    const client = yield* GhlClient
    if (client.locationId !== undefined) return client.locationId
    return yield* CrmErrors.invalidInput("ghl", [
      { field: "locationId", message: "no locationId given and the client has no default location (GHL_LOCATION_ID)" },
    ])
  })

/** Every record of a paginated operation; the input (with its locationId) is kept on every page. */
export const streamAll = <A>(id: keyof Ops, input: unknown, pageSize: number): Stream.Stream<A, CrmError, GhlClient> =>
  GhlOperations.stream(id, input, { pageSize }) as Stream.Stream<A, CrmError, GhlClient>

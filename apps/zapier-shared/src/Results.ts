/** Search results in Zapier's terms: a list, empty when nothing matches. */
import type { CrmError } from "@crmkit/core"
import { Effect, Stream } from "effect"

/** A lookup by id: a record that is missing (or a 404) is an empty list, not a failure. */
export const orNone = <R>(
  effect: Effect.Effect<object | null | undefined, CrmError, R>,
): Effect.Effect<ReadonlyArray<object>, CrmError, R> =>
  effect.pipe(
    Effect.map((found) => (found === undefined || found === null ? [] : [found])),
    Effect.catchIf(
      (error: CrmError) => error.reason._tag === "NotFound",
      () => Effect.succeed([]),
    ),
  )

/** The first `limit` records of a stream (a search page, a sample, a dropdown). */
export const first = <A, R>(
  stream: Stream.Stream<A, CrmError, R>,
  limit: number,
): Effect.Effect<Array<A>, CrmError, R> =>
  Effect.map(Stream.runCollect(Stream.take(stream, limit)), (items) => Array.from(items))

/**
 * Runs one Effect program as a Zapier `perform`: provides the transport (`z.request`), the
 * rate limiter and the app's client layer, and turns failures into the errors Zapier acts on.
 */
import { CrmError, type RateLimit } from "@crmkit/core"
import { Cause, Effect, Exit, Layer } from "effect"
import type { HttpClient } from "effect/http"
import type { ZObject } from "zapier-platform-core"
import { type ConnectionKind, toZapierError } from "./ZapierErrors.ts"
import * as ZapierHttpClient from "./ZapierHttpClient.ts"
import * as ZapierRateLimits from "./ZapierRateLimits.ts"

/** What the app's client layer may require: the shared glue provides both. */
export type Platform = HttpClient.HttpClient | RateLimit.RateLimits

/** The transport and the rate limiter for one invocation. */
export const platformLayer = (z: ZObject): Layer.Layer<Platform> =>
  Layer.merge(ZapierHttpClient.layer(z), ZapierRateLimits.layer(z))

/** Turns a failed run into the error Zapier should see. */
export const toThrowable = <E>(z: ZObject, cause: Cause.Cause<E>, connection: ConnectionKind): unknown => {
  const failure = Cause.findErrorOption(cause)
  if (failure._tag === "Some") {
    const error = failure.value
    if (error instanceof CrmError) return toZapierError(z, error, connection)
    if (ZapierHttpClient.isZapierError(z, error)) return error
    return new z.errors.Error(error instanceof Error ? error.message : String(error), "Unexpected")
  }
  const defect = Cause.squash(cause)
  if (ZapierHttpClient.isZapierError(z, defect)) return defect
  return defect instanceof Error ? defect : new z.errors.Error(String(defect), "Unexpected")
}

/**
 * Runs `program` with `layer` (the provider's client), built on the Zapier transport.
 * `connection` decides what a refused credential becomes (see `toZapierError`).
 */
export const run = async <A, E, R, LE>(
  z: ZObject,
  program: Effect.Effect<A, E, R | Platform>,
  layer: Layer.Layer<R, LE, Platform>,
  connection: ConnectionKind,
): Promise<A> => {
  const exit = await Effect.runPromiseExit(
    program.pipe(Effect.provide(layer.pipe(Layer.provideMerge(platformLayer(z))))) as Effect.Effect<A, E | LE>,
  )
  if (Exit.isSuccess(exit)) return exit.value
  throw toThrowable(z, exit.cause, connection)
}

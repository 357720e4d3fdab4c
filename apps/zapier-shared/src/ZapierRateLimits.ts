/**
 * The core's rate limiter, fitted to a Zapier step's 30-second limit.
 *
 * Inside one invocation the core still paces requests by the provider's windows and waits
 * out a 429 whose wait fits in what is left of the step. A longer wait is handed to Zapier instead, as `ThrottledError` with the wait: Zapier
 * holds the task and retries it later, which a sleeping Lambda cannot do. It travels as a
 * defect so that the core does not wrap it; `Invocation.run` rethrows it.
 */
import { RateLimit } from "@crmkit/core"
import { Clock, Duration, Effect, Layer } from "effect"
import type { ZObject } from "zapier-platform-core"
import { throttleSeconds } from "./ZapierErrors.ts"

export interface Budget {
  /**
   * The time the step may spend, from when the layer is built (once per invocation).
   * Default 25 seconds: Zapier stops a step at 30.
   */
  readonly step?: Duration.Input | undefined
  /** How many 429s one request may wait out inside the step. Default 2. */
  readonly maxAttempts?: number | undefined
}

export const layer = (z: ZObject, budget: Budget = {}): Layer.Layer<RateLimit.RateLimits> =>
  Layer.effect(
    RateLimit.RateLimits,
    Effect.gen(function* () {
      const limits = yield* RateLimit.RateLimits
      const deadline =
        (yield* Clock.currentTimeMillis) + Duration.toMillis(Duration.fromInputUnsafe(budget.step ?? "25 seconds"))
      const maxAttempts = budget.maxAttempts ?? 2
      return RateLimit.RateLimits.of({
        ...limits,
        delayAfter429: (policy, ticket, headers, attempt) =>
          Effect.flatMap(
            Effect.zip(limits.delayAfter429(policy, ticket, headers, attempt), Clock.currentTimeMillis),
            ([delay, now]) => {
              const millis = Duration.toMillis(delay)
              if (now + millis <= deadline && attempt <= maxAttempts) return Effect.succeed(delay)
              return Effect.die(
                new z.errors.ThrottledError(
                  `${policy.name}: the provider's rate limit is exhausted; retry in ${Math.ceil(millis / 1000)} s`,
                  throttleSeconds(millis),
                ),
              )
            },
          ),
      })
    }),
  ).pipe(Layer.provide(RateLimit.layerMemory))

/**
 * Which failures are retried and how. Transient failures (5xx, timeouts, connection
 * resets) retry with jittered exponential backoff; a request that is not idempotent
 * (a POST that creates) is retried only when it cannot have reached the server.
 */
import { type Duration, Schedule } from "effect"
import type { CrmErrorReason } from "./CrmError.ts"

export interface RetryPolicy {
  /** Retries after the first attempt. Default 4. */
  readonly times?: number | undefined
  /** First delay. Default 250 ms. */
  readonly base?: Duration.Input | undefined
  /** Longest delay. Default 10 s. */
  readonly max?: Duration.Input | undefined
}

const idempotentMethods = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])

/** GET, HEAD, OPTIONS, PUT and DELETE may be sent twice; POST and PATCH may not, unless marked. */
export const isIdempotentMethod = (method: string): boolean => idempotentMethods.has(method.toUpperCase())

/** Whether a failure of a request may be retried. */
export const shouldRetry = (reason: CrmErrorReason, idempotent: boolean): boolean => {
  if (reason._tag === "Transport") return idempotent || !reason.mayHaveReachedServer
  if (reason._tag === "Server") return idempotent && (reason.status === undefined || reason.status !== 501)
  return false
}

/** Jittered exponential backoff, capped, bounded in count. */
export const schedule = (policy: RetryPolicy = {}) =>
  Schedule.min([Schedule.exponential(policy.base ?? "250 millis"), Schedule.spaced(policy.max ?? "10 seconds")]).pipe(
    Schedule.jittered,
    Schedule.upTo({ times: policy.times ?? 4 }),
  )

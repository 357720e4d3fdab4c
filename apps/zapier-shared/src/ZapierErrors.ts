/**
 * The core's `CrmError` in Zapier's terms:
 *
 * - `Unauthorized` → `RefreshAuthError` for OAuth connections (Zapier refreshes the token
 *   and runs the step again), `ExpiredAuthError` for keys (only the user can fix them);
 * - `RateLimited` → `ThrottledError` with the wait in whole seconds (Zapier retries later);
 * - anything else → `z.errors.Error` with the provider's message, the request and the
 *   provider's trace id (`CrmError.message`), and the reason as the error code.
 *
 * Messages come from the core, which scrubs secrets before they land in an error.
 */
import type { CrmError } from "@crmkit/core"
import type { ZObject } from "zapier-platform-core"

export type ConnectionKind = "oauth2" | "key"

/** Seconds Zapier should wait before retrying; at least one. */
export const throttleSeconds = (millis: number | undefined): number | undefined =>
  millis === undefined ? undefined : Math.max(1, Math.ceil(millis / 1000))

export const toZapierError = (z: ZObject, error: CrmError, connection: ConnectionKind): Error => {
  const reason = error.reason
  switch (reason._tag) {
    case "Unauthorized":
      return connection === "oauth2"
        ? new z.errors.RefreshAuthError(error.message)
        : new z.errors.ExpiredAuthError(error.message)
    case "RateLimited":
      return new z.errors.ThrottledError(error.message, throttleSeconds(reason.retryAfterMillis))
    default:
      return new z.errors.Error(error.message, reason._tag, reason.status)
  }
}

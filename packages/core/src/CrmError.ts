/**
 * One typed error model for every provider.
 *
 * A failed call is a `CrmError` whose `reason` says what went wrong (the pattern of
 * Effect's own `HttpClientError` and `AiError`): handle one kind with
 * `Effect.catchReason("CrmError", "NotFound", ...)`. Every reason carries the
 * provider, the status, the provider's own error body and its request/trace id, and
 * never a secret: bodies pass through `Sensitive.scrubBody` before they land here.
 */
import { Schema } from "effect"

const details = {
  provider: Schema.String,
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  /** The provider's request or trace id, for support tickets. */
  requestId: Schema.optional(Schema.String),
  /** `METHOD path` of the request, without query string. */
  request: Schema.optional(Schema.String),
  operation: Schema.optional(Schema.String),
  /** The provider's error body, with secret-looking fields removed. */
  body: Schema.optional(Schema.Unknown),
}

/** The credential was refused: expired, revoked, or refresh failed. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", details) {}

/** The credential is valid but may not do this; `missingScope` names the scope when known. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  ...details,
  missingScope: Schema.optional(Schema.String),
}) {}

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", details) {}

export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", details) {}

/** The provider kept answering 429 after the bounded retries. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...details,
  retryAfterMillis: Schema.optional(Schema.Number),
}) {}

export const FieldIssue = Schema.Struct({ field: Schema.String, message: Schema.String })
export type FieldIssue = typeof FieldIssue.Type

/** Bad input: refused locally before sending (no `status`) or by the provider (400/422). */
export class Validation extends Schema.TaggedError<Validation>()("Validation", {
  ...details,
  fields: Schema.Array(FieldIssue),
}) {}

export class Server extends Schema.TaggedError<Server>()("Server", details) {}

/** The request did not complete: connection refused or reset, timeout, DNS. */
export class Transport extends Schema.TaggedError<Transport>()("Transport", {
  ...details,
  /** False when the request cannot have reached the server (connection refused): safe to resend. */
  mayHaveReachedServer: Schema.Boolean,
}) {}

/** The provider answered something we could not read (malformed JSON, unexpected shape). */
export class Decode extends Schema.TaggedError<Decode>()("Decode", details) {}

export const CrmErrorReason = Schema.Union([
  Unauthorized,
  Forbidden,
  NotFound,
  Conflict,
  RateLimited,
  Validation,
  Server,
  Transport,
  Decode,
])
export type CrmErrorReason = typeof CrmErrorReason.Type

export class CrmError extends Schema.TaggedError<CrmError>()("CrmError", { reason: CrmErrorReason }) {
  override get message(): string {
    const r = this.reason
    const parts = [`${r.provider}: ${r._tag}`]
    if (r.status !== undefined) parts.push(`(${r.status})`)
    if (r.request !== undefined) parts.push(`on ${r.request}`)
    parts.push(`- ${r.message}`)
    if (r._tag === "Forbidden" && r.missingScope !== undefined) parts.push(`(missing scope: ${r.missingScope})`)
    if (r.requestId !== undefined) parts.push(`[trace ${r.requestId}]`)
    return parts.join(" ")
  }
}

/** Builds a `Validation` failure for input refused before any request is sent. */
export const invalidInput = (provider: string, fields: ReadonlyArray<FieldIssue>, operation?: string): CrmError =>
  new CrmError({
    reason: new Validation({
      provider,
      message: `Invalid input: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`,
      fields,
      ...(operation === undefined ? {} : { operation }),
    }),
  })

/** True when retrying the same request later may succeed. */
export const isTransient = (reason: CrmErrorReason): boolean =>
  reason._tag === "Server" || reason._tag === "Transport" || reason._tag === "RateLimited"

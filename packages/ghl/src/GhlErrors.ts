/**
 * GHL errors: `{statusCode, message: string | string[], error, traceId}`. A 401 that
 * says the token is not authorized for a scope is a Forbidden, not an expired token.
 */
import type { Provider } from "@crmkit/core"

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {}

export const requestId = (response: Provider.ProviderResponse): string | undefined => {
  const body = asRecord(response.body)
  if (typeof body.traceId === "string") return body.traceId
  return response.headers["x-trace-id"] ?? response.headers.traceid
}

const scopeProblem = /not authorized for this scope/i

export const decodeError = (response: Provider.ProviderResponse): Provider.ProviderErrorInfo => {
  const body = asRecord(response.body)
  const messages = Array.isArray(body.message)
    ? body.message.map(String)
    : typeof body.message === "string"
      ? [body.message]
      : []
  const message =
    messages.length > 0 ? messages.join("; ") : typeof body.error === "string" ? body.error : `HTTP ${response.status}`
  return {
    message,
    requestId: requestId(response),
    // 422s list one message per problem; each usually starts with the field's name.
    fields:
      response.status === 422 || response.status === 400
        ? messages.map((m) => ({ field: /^[\w.[\]]+/.exec(m)?.[0] ?? "(input)", message: m }))
        : undefined,
    // Which scope GHL does not say; the operation's own scopes tell it (GhlOperations).
    ...(response.status === 401 && scopeProblem.test(message) ? { kind: "Forbidden" as const } : {}),
  }
}

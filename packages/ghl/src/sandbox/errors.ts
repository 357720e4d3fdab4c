import { randomUUID } from "node:crypto"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Payload Too Large",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
}

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Error"
}

/** A fresh trace id. GHL puts one in every error body (and in search responses); it sends no trace header. */
export function traceId(): string {
  return randomUUID()
}

/**
 * GHL's NestJS-style error: `{statusCode, message, error, traceId}`; `message` is a string, or a
 * string[] for validation errors (422). `extra` adds fields such as the duplicate-contact `meta`.
 */
export function ghlError(
  status: number,
  message: string | readonly string[],
  options: { error?: string | null; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): SandboxResponse {
  const error = options.error === undefined ? reasonPhrase(status) : options.error
  return json(
    status,
    { statusCode: status, message, ...(error === null ? {} : { error }), ...options.extra, traceId: traceId() },
    options.headers,
  )
}

/** 422 with the list of validation messages, as class-validator produces them. */
export function unprocessable(messages: readonly string[]): SandboxResponse {
  return ghlError(422, messages)
}

export const invalidToken = (): SandboxResponse => ghlError(401, "Invalid token: access token is invalid")

export const expiredToken = (): SandboxResponse => ghlError(401, "Invalid JWT")

export const legacyApiKeyRefused = (): SandboxResponse =>
  ghlError(
    401,
    "API v1 keys are not accepted by API v2: API v1 has reached end-of-life. Use an OAuth access token or a Private Integration Token.",
  )

export const wrongAuthClass = (): SandboxResponse =>
  ghlError(
    401,
    "This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.",
  )

/** The sandbox also names the missing scope in a header, so clients can report it precisely. */
export const REQUIRED_SCOPE_HEADER = "x-crmkit-sandbox-required-scope"

export const missingScope = (scope: string): SandboxResponse =>
  ghlError(401, "The token is not authorized for this scope.", { headers: { [REQUIRED_SCOPE_HEADER]: scope } })

export const noLocationAccess = (): SandboxResponse => ghlError(403, "The token does not have access to this location.")

export const tooManyRequests = (headers: Record<string, string>): SandboxResponse =>
  ghlError(429, "Too Many Requests", { error: null, headers })

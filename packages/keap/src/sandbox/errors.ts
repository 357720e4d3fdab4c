import { json, type SandboxResponse } from "@crmkit/sandbox/http"

/** Keap REST v2 `Error.details[]` entry. */
export interface KeapErrorDetail {
  readonly domain: string
  readonly resource: string
}

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "ALREADY_EXISTS",
  413: "INVALID_ARGUMENT",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  502: "BAD_GATEWAY",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
}

/** The v2 error shape every Keap v2 operation declares: `{code, message, status, details[]}`. */
export function keapError(status: number, message: string, details: readonly KeapErrorDetail[] = []): SandboxResponse {
  return json(status, { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN", details })
}

/** 400 pointing at the offending request field, e.g. `details: [{domain: "field", resource: "email_addresses"}]`. */
export function invalidArgument(message: string, resource: string, domain = "field"): SandboxResponse {
  return keapError(400, message, [{ domain, resource }])
}

/** Gateway-level 401 in the Apigee-style fault envelope (it never reaches the v2 error shape). */
function gatewayFault(faultstring: string, errorcode: string): SandboxResponse {
  return json(401, { fault: { faultstring, detail: { errorcode } } })
}

export const invalidAccessToken = (): SandboxResponse =>
  gatewayFault("Invalid Access Token", "keymanagement.service.invalid_access_token")

export const invalidApiKey = (): SandboxResponse => gatewayFault("Invalid ApiKey", "oauth.v2.InvalidApiKey")

/** OAuth token-endpoint error (RFC 6749 §5.2 shape), as Keap's /token returns. */
export function oauthError(status: number, error: string, description: string): SandboxResponse {
  return json(status, { error, error_description: description }, { "cache-control": "no-store" })
}

/** Body of a throttled request (community-observed; note `code` is a string here, unlike v2 errors). */
export function quotaExceeded(headers: Readonly<Record<string, string>>): SandboxResponse {
  return json(429, { code: "429", message: "Quota Exceeded", status: "Request Throttled", details: null }, headers)
}

const REASONS: Readonly<Record<number, string>> = {
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
}

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Server Error"
}

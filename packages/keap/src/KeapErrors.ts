/**
 * Keap answers errors in three shapes: the v2 `{code, message, status, details}`, the
 * OAuth `{error, error_description}`, and the API gateway's `{fault: {faultstring}}`.
 */
import type { Provider } from "@crmkit/core"

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {}

const text = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined)

export const requestIdHeaders = ["x-keap-request-id", "x-request-id", "x-b3-traceid"] as const

export const requestId =
  (headerNames: ReadonlyArray<string> = requestIdHeaders) =>
  (response: Provider.ProviderResponse): string | undefined => {
    for (const name of headerNames) {
      const value = response.headers[name.toLowerCase()]
      if (value) return value
    }
    return undefined
  }

export const decodeError =
  (headerNames?: ReadonlyArray<string>) =>
  (response: Provider.ProviderResponse): Provider.ProviderErrorInfo => {
    const body = asRecord(response.body)
    const id = requestId(headerNames)(response)
    const fault = asRecord(body.fault)
    if (text(fault.faultstring) !== undefined) {
      return { message: text(fault.faultstring)!, requestId: id }
    }
    if (text(body.error) !== undefined) {
      const description = text(body.error_description)
      return { message: description === undefined ? text(body.error)! : `${body.error}: ${description}`, requestId: id }
    }
    const details = Array.isArray(body.details) ? body.details.map(asRecord) : []
    const fields = details
      .filter((d) => text(d.resource) !== undefined || text(d.field) !== undefined)
      .map((d) => ({
        field: text(d.resource) ?? text(d.field)!,
        message: text(d.message) ?? text(d.domain) ?? "is invalid",
      }))
    return {
      message: text(body.message) ?? text(body.status) ?? `HTTP ${response.status}`,
      requestId: id,
      fields: fields.length > 0 ? fields : undefined,
    }
  }

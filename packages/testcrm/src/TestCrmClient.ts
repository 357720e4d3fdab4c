/** The TestCRM client: the core's pipeline with TestCRM's base URL, limits and error shape. */
import { CrmClient, type Provider } from "@crmkit/core"
import { Context, Layer } from "effect"

export class TestCrmClient extends Context.Service<TestCrmClient, CrmClient.CrmClient>()(
  "@crmkit/testcrm/TestCrmClient",
) {}

export const defaults = { baseUrl: "https://api.testcrm.example/v1", apiKeyHeader: "X-Api-Key" } as const

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {}

/** `{ error: { message, fields?: [{ field, message }] } }`. */
export const decodeError = (response: Provider.ProviderResponse): Provider.ProviderErrorInfo => {
  const error = asRecord(asRecord(response.body).error)
  const fields = Array.isArray(error.fields)
    ? error.fields.map((f) => ({ field: String(asRecord(f).field), message: String(asRecord(f).message) }))
    : undefined
  return { message: typeof error.message === "string" ? error.message : `HTTP ${response.status}`, fields }
}

export const profile = (options: { readonly baseUrl?: string | undefined } = {}): Provider.ProviderProfile => ({
  name: "testcrm",
  baseUrl: options.baseUrl ?? defaults.baseUrl,
  rateLimitPolicy: () => ({ name: "testcrm", windows: [{ name: "second", limit: 20, window: "1 second" }] }),
  decodeError,
})

/** Needs `HttpClient`, `Credentials` and `RateLimits`. */
export const layer = (options: { readonly baseUrl?: string | undefined } = {}) =>
  Layer.effect(TestCrmClient, CrmClient.make(profile(options)))

import { Context, Layer, Redacted } from "effect"
import { Credentials, CrmClient, type Provider, RateLimit } from "../../src/index.ts"

/**
 * A provider profile for the core's own tests: generic shapes only, so the core is
 * tested without depending on a provider package.
 */
export const testProfile = (
  baseUrl: string,
  overrides: Partial<Provider.ProviderProfile> = {},
): Provider.ProviderProfile => ({
  name: "testcrm",
  baseUrl,
  rateLimitPolicy: () => ({ name: "testcrm", windows: [{ name: "second", limit: 1000, window: "1 second" }] }),
  decodeError: ({ body }) => {
    const b = (body ?? {}) as Record<string, unknown>
    return {
      message: typeof b.message === "string" ? b.message : "request failed",
      requestId: typeof b.traceId === "string" ? b.traceId : undefined,
      fields: Array.isArray(b.fields) ? (b.fields as Array<{ field: string; message: string }>) : undefined,
    }
  },
  retry: { base: "10 millis", max: "50 millis", times: 3 },
  ...overrides,
})

/** The service tests read the client from. */
export class TestClient extends Context.Service<TestClient, CrmClient.CrmClient>()("test/TestClient") {}

export const secretToken = "tok_live_supersecret_0123456789"

export const clientLayer = (profile: Provider.ProviderProfile) =>
  Layer.effect(TestClient, CrmClient.make(profile)).pipe(
    Layer.provide(Credentials.layerBearer({ token: Redacted.make(secretToken) })),
    Layer.provide(RateLimit.layerMemory),
  )

/** Pieces the benchmark scripts share. */
import { Credentials, CrmClient, Pagination, RateLimit } from "@crmkit/core"
import { KeapClient } from "@crmkit/keap"
import { NodeHttpClient } from "@effect/platform-node"
import { Layer, Redacted } from "effect"

/**
 * A Keap client whose rate-limit windows never bind, so that a benchmark measures the
 * pipeline (the limiter still runs) rather than waits.
 */
export const unthrottledKeap = (baseUrl: string, apiKey: string) =>
  Layer.effect(
    KeapClient.KeapClient,
    CrmClient.make({
      ...KeapClient.profile({ baseUrl }),
      rateLimitPolicy: () => ({ name: "bench", windows: [{ name: "second", limit: 1e9, window: "1 second" }] }),
    }),
  ).pipe(
    Layer.provide(Credentials.layerApiKeyHeader({ header: "X-Keap-API-Key", key: Redacted.make(apiKey) })),
    Layer.provide(RateLimit.layerMemory),
    Layer.provide(NodeHttpClient.layerUndici),
  )

/** Keap v2 contacts, page after page. */
export const keapContactPages = (size: number) =>
  Pagination.cursorToken({
    items: "contacts",
    tokenParam: "page_token",
    nextToken: "next_page_token",
    sizeParam: "page_size",
    size,
  })

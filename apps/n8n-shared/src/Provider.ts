/**
 * What the shared n8n glue needs of a provider: its catalog, how to call and stream an
 * operation by id, and how to build its client over n8n's transport. Each node package
 * writes one of these (a few lines over @crmkit/keap or @crmkit/ghl).
 */
import type { Credentials, CrmError, Operation, RateLimit } from "@crmkit/core"
import type { Effect, Layer, Stream } from "effect"
import type { HttpClient } from "effect/http"
import type { HostRequest } from "./HostHttpClient.ts"

/** One n8n credential's values, as the provider client needs them. */
export interface Connection {
  /** The n8n credential type in use, e.g. `keapApi`. */
  readonly credentialType: string
  /** The provider's kind of credential (`oauth2`, `pat`, `sak`, `pit`): picks rate-limit windows. */
  readonly kind: string
  readonly baseUrl: string
  /** GHL: the location the credential works in. */
  readonly locationId?: string | undefined
  /** GHL: `Company` for an agency token (which must be exchanged for a location token). */
  readonly userType?: string | undefined
  /** GHL: the agency of an agency token. */
  readonly companyId?: string | undefined
  /** Rate-limit budget key (one per n8n credential). */
  readonly budget: string
  /** Sends with the n8n credential (n8n adds it and refreshes it). */
  readonly send: HostRequest
  /** Sends as is, for requests the provider signs itself (n8n's plain `httpRequest`). */
  readonly sendUnauthenticated: HostRequest
}

export interface ProviderAdapter<R> {
  readonly name: string
  readonly title: string
  readonly pageSize: number
  readonly catalog: ReadonlyArray<Operation.CatalogEntry>
  /** Reads the n8n credential into a connection. */
  readonly connection: (
    credentialType: string,
    data: Readonly<Record<string, unknown>>,
  ) => Omit<Connection, "send" | "sendUnauthenticated" | "budget">
  /** The provider client; the session supplies the transport, credentials and rate limits. */
  readonly layer: (
    connection: Connection,
  ) => Layer.Layer<R, CrmError, HttpClient.HttpClient | Credentials.Credentials | RateLimit.RateLimits>
  readonly call: (id: string, input: unknown) => Effect.Effect<unknown, CrmError, R>
  readonly stream: (id: string, input: unknown, pageSize: number) => Stream.Stream<unknown, CrmError, R>
  /** Fills what the connection implies and the user left out (GHL's `locationId`). */
  readonly complete?: (entry: Operation.CatalogEntry, input: Record<string, unknown>, connection: Connection) => void
}

/**
 * HighLevel's simulator for the sandbox kit (`@crmkit/ghl/sandbox`): API v2 with OAuth
 * (location and agency, location tokens), PITs, scopes, the Version header, rate limits,
 * contacts and the other resources, and signed webhooks. It imports only the kit, never
 * the client it is there to test.
 */
import { resolveCommonOptions } from "@crmkit/sandbox/options"
import type { CommonSimulatorOptions, SimulatorFactory } from "@crmkit/sandbox/provider"
import type { GhlCredentials } from "./credentials.ts"
import type { GhlAuthorizationOptions } from "./oauth.ts"
import { type GhlRateLimitOptions, resolveGhlRatePolicy } from "./rateLimits.ts"
import { GHL_AUTHORIZE_PATH, GHL_LOCATION_TOKEN_PATH, GHL_PREFIX, GHL_TOKEN_PATH, GhlSimulator } from "./simulator.ts"
import type { GhlWebhookSigner } from "./webhooks.ts"

export type { GhlContact, GhlCustomFieldValue } from "./contactStore.ts"
export {
  GHL_LIST_DEFAULT_LIMIT,
  GHL_LIST_MAX_LIMIT,
  GHL_SEARCH_MAX_PAGE_LIMIT,
  GHL_SEARCH_MAX_PAGED_RECORDS,
} from "./contacts.ts"
export { GHL_APP_SCOPES, type GhlCredentials } from "./credentials.ts"
export { REQUIRED_SCOPE_HEADER } from "./errors.ts"
export type { GhlAuthorizationOptions } from "./oauth.ts"
export { GHL_BURST_WINDOW, GHL_DAILY_WINDOW, type GhlRateLimitOptions } from "./rateLimits.ts"
export { GHL_ACCEPTED_VERSIONS, GhlSimulator } from "./simulator.ts"
export type { GhlUserType } from "./types.ts"

export interface GhlEndpoints {
  /** API root (like https://services.leadconnectorhq.com). */
  readonly baseUrl: string
  readonly tokenUrl: string
  readonly locationTokenUrl: string
  /** Location chooser (like https://marketplace.gohighlevel.com/oauth/chooselocation); redirects at once. */
  readonly authorizeUrl: string
  /** A code the token endpoint accepts once, as if the user had consented for a location (or the agency). */
  issueAuthorizationCode(options?: GhlAuthorizationOptions): string
  /** Signs (Ed25519 and legacy RSA, key pairs generated at start) and delivers GHL webhooks. */
  readonly webhooks: GhlWebhookSigner
  readonly webhookEd25519PublicKey: string
  readonly webhookRsaPublicKey: string
}

export interface GhlSandboxOptions extends CommonSimulatorOptions {
  /** `true`/`false`, or window overrides, e.g. `{ burst: { limit: 3, windowMs: 10_000 } }`. */
  readonly rateLimits?: boolean | GhlRateLimitOptions | undefined
  /**
   * The location's "Allow Duplicate Contact" setting (default false, as in GHL): when false,
   * `POST /contacts/` refuses an email another contact has; `GET /locations/:id` reports it
   * under `settings`. Tests may flip it later on `simulators.ghl.provider.contacts`.
   */
  readonly allowDuplicateContact?: boolean | undefined
}

export const simulator =
  (options: GhlSandboxOptions = {}): SimulatorFactory<GhlEndpoints, GhlCredentials> =>
  (env) => {
    const common = resolveCommonOptions("ghl", options)
    const ghl = new GhlSimulator(env, {
      contacts: common.contacts,
      accessTokenTtlSeconds: common.accessTokenTtlSeconds,
      allowDuplicateContact: options.allowDuplicateContact,
      rateLimits: resolveGhlRatePolicy(options.rateLimits ?? true, common.retryAfterHeader),
    })
    const credentials = ghl.credentials
    const baseUrl = (origin: string) => `${origin}${GHL_PREFIX}`
    return {
      provider: ghl,
      title: "HighLevel",
      credentials,
      endpoints: (origin) => ({
        baseUrl: baseUrl(origin),
        tokenUrl: `${baseUrl(origin)}${GHL_TOKEN_PATH}`,
        locationTokenUrl: `${baseUrl(origin)}${GHL_LOCATION_TOKEN_PATH}`,
        authorizeUrl: `${baseUrl(origin)}${GHL_AUTHORIZE_PATH}`,
        issueAuthorizationCode: (authorization) => ghl.issueAuthorizationCode(authorization),
        webhooks: ghl.webhooks,
        // PEM public keys of the sandbox's webhook signatures, for receivers in other processes.
        webhookEd25519PublicKey: ghl.webhooks.publicKeys.ed25519,
        webhookRsaPublicKey: ghl.webhooks.publicKeys.rsa,
      }),
      connection: (origin) => ({
        baseUrl: baseUrl(origin),
        credential: { kind: "pit", secret: credentials.privateIntegrationToken },
        context: { locationId: credentials.locationId },
      }),
      summary: (origin) => [
        ["API base URL", `${baseUrl(origin)}   (send Version: 2021-07-28)`],
        ["token URL", `${baseUrl(origin)}${GHL_TOKEN_PATH}`],
        ["authorize URL", `${baseUrl(origin)}${GHL_AUTHORIZE_PATH}`],
        ["OAuth client id", credentials.oauthApp.clientId],
        ["OAuth client secret", credentials.oauthApp.clientSecret],
        ["OAuth redirect URI", `${credentials.oauthApp.redirectUri} (or any http://127.0.0.1 loopback URI)`],
        ["company id", credentials.companyId],
        ["location id", credentials.locationId],
        ["PIT (contacts r/w)", credentials.privateIntegrationToken],
        ["PIT (read-only)", credentials.readOnlyPrivateIntegrationToken],
        ["legacy v1 API key", `${credentials.legacyApiKey} (refused by design)`],
      ],
      // GHL posts to the webhook URL of the marketplace app, set outside the API: the trigger names it (`to`).
      trigger: ({ event, overrides, to }) => {
        if (!GHL_WEBHOOK_EVENTS.includes(event)) {
          return { error: `HighLevel has no webhook event "${event}" (events: ${GHL_WEBHOOK_EVENTS.join(", ")})` }
        }
        if (to.length === 0) return { error: "Name the app's webhook URL to deliver to (to)" }
        const payload = {
          ...eventRecord(ghl, event, overrides.id),
          ...overrides,
          type: event,
          locationId: credentials.locationId,
        }
        for (const url of to) void ghl.webhooks.deliver(url, payload).catch(() => undefined)
        return { receivers: to }
      },
    }
  }

/** The events the sandbox fires, as GHL names them. */
export const GHL_WEBHOOK_EVENTS: ReadonlyArray<string> = [
  "ContactCreate",
  "ContactUpdate",
  "ContactDelete",
  "ContactTagUpdate",
  "ContactDndUpdate",
  "OpportunityCreate",
  "OpportunityUpdate",
  "OpportunityDelete",
  "OpportunityStageUpdate",
  "OpportunityStatusUpdate",
  "AppointmentCreate",
  "AppointmentUpdate",
  "AppointmentDelete",
  "TaskCreate",
  "NoteCreate",
  "InboundMessage",
  "OutboundMessage",
]

/** A contact event carries the contact (a seeded one unless `id` names another); others start from their id. */
const eventRecord = (ghl: GhlSimulator, event: string, id: string | undefined): Record<string, unknown> => {
  if (!event.startsWith("Contact")) return { id: id ?? `evt${event}` }
  const found = ghl.contacts.find(id ?? ghl.contacts.ids.encode(0))
  if (found === undefined) return { id }
  const { id: contactId, email, phone, firstName, lastName, tags } = found.contact as Record<string, unknown>
  return { id: contactId, email, phone, firstName, lastName, tags }
}

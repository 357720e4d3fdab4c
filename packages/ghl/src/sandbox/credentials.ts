import { ALPHANUMERIC, HEX, hash32, Rng } from "@crmkit/sandbox/seed"

/** Scopes the sandbox's GHL OAuth app may request. */
export const GHL_APP_SCOPES = [
  "contacts.readonly",
  "contacts.write",
  "locations.readonly",
  "oauth.readonly",
  "oauth.write",
] as const

/** Fake GHL credentials the sandbox accepts. Deterministic per seed. */
export interface GhlCredentials {
  readonly oauthApp: {
    readonly clientId: string
    readonly clientSecret: string
    /** Registered redirect URI; loopback URIs (http://127.0.0.1:PORT/...) are accepted too. */
    readonly redirectUri: string
    readonly scopes: readonly string[]
  }
  /** The agency (company) that owns the sandbox location. */
  readonly companyId: string
  /** The single sub-account (location) holding the seeded contacts. */
  readonly locationId: string
  /** The user who "installed" the app. */
  readonly userId: string
  /** Location Private Integration Token: contacts, opportunities, calendar events, conversations and messages, location tags, custom values and custom fields, businesses, custom object records (read/write); calendars, users, workflows, object schemas (read). */
  readonly privateIntegrationToken: string
  /** Location Private Integration Token with contacts.readonly only (for scope-refusal tests). */
  readonly readOnlyPrivateIntegrationToken: string
  /** A legacy API v1 location key (JWT-shaped); API v2 routes refuse it with a 401. */
  readonly legacyApiKey: string
}

export function ghlCredentials(seed: number): GhlCredentials {
  const rng = new Rng(hash32(seed, 0x67686c))
  const locationId = rng.string(20, ALPHANUMERIC)
  const companyId = rng.string(20, ALPHANUMERIC)
  const userId = rng.string(20, ALPHANUMERIC)
  const legacyPayload = { location_id: locationId, version: 1, iat: 1_650_000_000, sub: rng.string(20, ALPHANUMERIC) }
  const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
  return {
    oauthApp: {
      clientId: `${rng.string(24, HEX)}-${rng.string(8, "abcdefghijklmnopqrstuvwxyz0123456789")}`,
      clientSecret: rng.uuid(),
      redirectUri: "https://app.example.com/oauth/ghl/callback",
      scopes: GHL_APP_SCOPES,
    },
    companyId,
    locationId,
    userId,
    privateIntegrationToken: `pit-${rng.uuid()}`,
    readOnlyPrivateIntegrationToken: `pit-${rng.uuid()}`,
    legacyApiKey: `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(legacyPayload)}.${rng.string(43, `${ALPHANUMERIC}-_`)}`,
  }
}

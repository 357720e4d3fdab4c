import { createHmac, randomBytes } from "node:crypto"
import type { SandboxClock } from "@crmkit/sandbox/clock"
import type { TokenFactory } from "@crmkit/sandbox/oauth"
import type { GhlGrant } from "./types.ts"

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/** Refresh tokens stay valid for a year unless used (GHL OAuth FAQ). */
export const GHL_REFRESH_TOKEN_TTL_MS = 365 * 86_400_000

/**
 * GHL access and refresh tokens are JWTs (`bearerFormat: JWT`). The sandbox mints look-alikes with
 * GHL-style claims so clients that peek at `exp` or `authClass` behave as in production. The
 * signature is real HMAC but only the sandbox's own token table decides validity.
 */
export function ghlTokenFactory(clock: SandboxClock): TokenFactory<GhlGrant> {
  const secret = randomBytes(32)
  const sign = (payload: Record<string, unknown>) => {
    const unsigned = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(payload)}`
    return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`
  }
  const claims = (clientId: string, grant: GhlGrant) => {
    const authClassId = grant.userType === "Location" ? grant.locationId : grant.companyId
    return {
      authClass: grant.userType,
      authClassId,
      source: "INTEGRATION",
      sourceId: clientId,
      channel: "OAUTH",
      primaryAuthClassId: authClassId,
      oauthMeta: { scopes: grant.scopes, client: clientId.split("-")[0], clientKey: clientId },
      iat: Math.floor(clock.now() / 1000),
      jti: randomBytes(12).toString("base64url"),
    }
  }
  return {
    accessToken: (clientId, grant, expiresAt) =>
      sign({ ...claims(clientId, grant), exp: Math.floor(expiresAt / 1000) }),
    refreshToken: (clientId, grant) =>
      sign({ ...claims(clientId, grant), exp: Math.floor((clock.now() + GHL_REFRESH_TOKEN_TTL_MS) / 1000) }),
  }
}

/**
 * Whether a bearer is a legacy API v1 key: v1 location/agency keys are JWTs whose payload carries
 * `version: 1` and a `location_id` or `company_id` claim.
 */
export function looksLikeLegacyApiKey(token: string): boolean {
  const parts = token.split(".")
  if (parts.length !== 3 || parts[1] === undefined) return false
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Record<string, unknown>
    return payload.version === 1 && (typeof payload.location_id === "string" || typeof payload.company_id === "string")
  } catch {
    return false
  }
}

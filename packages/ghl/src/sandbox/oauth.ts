import { json, type RequestContext, redirect, type SandboxResponse } from "@crmkit/sandbox/http"
import {
  type CodeBinding,
  type IssuedTokens,
  isAllowedRedirectUri,
  type OAuthGrants,
  readPkceParams,
  withQuery,
} from "@crmkit/sandbox/oauth"
import type { SandboxStats } from "@crmkit/sandbox/stats"
import type { GhlCredentials } from "./credentials.ts"
import { ghlError, noLocationAccess, unprocessable } from "./errors.ts"
import type { GhlApiRequest, GhlGrant, GhlUserType } from "./types.ts"

export interface GhlOAuthDeps {
  readonly grants: OAuthGrants<GhlGrant>
  readonly credentials: GhlCredentials
  readonly stats: SandboxStats
}

export interface GhlAuthorizationOptions extends CodeBinding {
  /** Token level the consent is for. Default "Location". */
  readonly userType?: GhlUserType | undefined
  /** Location chosen by the user (Location grants). Default: the sandbox location. */
  readonly locationId?: string | undefined
  /** Granted scopes. Default: all of the app's scopes. */
  readonly scopes?: readonly string[] | undefined
}

function buildGrant(credentials: GhlCredentials, options: GhlAuthorizationOptions): GhlGrant {
  const userType = options.userType ?? "Location"
  const base = {
    userType,
    companyId: credentials.companyId,
    scopes: options.scopes ?? credentials.oauthApp.scopes,
    userId: credentials.userId,
  }
  return userType === "Location" ? { ...base, locationId: options.locationId ?? credentials.locationId } : base
}

export function issueAuthorizationCode(deps: GhlOAuthDeps, options: GhlAuthorizationOptions = {}): string {
  const app = deps.credentials.oauthApp
  return deps.grants.issueCode(app.clientId, buildGrant(deps.credentials, options), {
    redirectUri: options.redirectUri ?? app.redirectUri,
    codeChallenge: options.codeChallenge,
    codeChallengeMethod: options.codeChallengeMethod,
  })
}

/**
 * `GET /ghl/oauth/chooselocation`: the user picks the sandbox location and consents at once, then
 * is sent to `redirect_uri?code=...&state=...`. Sandbox extension: `user_type=Company` consents at
 * agency level instead.
 */
export function chooseLocation(deps: GhlOAuthDeps, ctx: RequestContext): SandboxResponse {
  const app = deps.credentials.oauthApp
  const query = ctx.query
  if (query.get("client_id") !== app.clientId) return ghlError(400, "Invalid client_id", { error: "invalid_client" })
  const redirectUri = query.get("redirect_uri")
  if (redirectUri === null || !isAllowedRedirectUri(redirectUri, app.redirectUri)) {
    return ghlError(400, "redirect_uri is missing or not registered for this app", { error: "invalid_request" })
  }
  const state = query.get("state") ?? undefined
  const fail = (error: string, description: string) =>
    redirect(withQuery(redirectUri, { error, error_description: description, state }))
  if (query.get("response_type") !== "code") return fail("unsupported_response_type", "response_type must be code")
  const requested = (query.get("scope") ?? "").split(/[\s+]+/).filter((scope) => scope.length > 0)
  const unknown = requested.filter((scope) => !app.scopes.includes(scope))
  if (unknown.length > 0) return fail("invalid_scope", `Scopes not allowed for this app: ${unknown.join(" ")}`)
  const userType = query.get("user_type") ?? "Location"
  if (userType !== "Location" && userType !== "Company")
    return fail("invalid_request", "user_type must be Location or Company")
  const pkce = readPkceParams(query)
  if (pkce.error !== undefined) return fail("invalid_request", pkce.error)
  const code = issueAuthorizationCode(deps, {
    userType,
    ...(requested.length > 0 ? { scopes: requested } : {}),
    ...pkce.binding,
    redirectUri,
  })
  return redirect(withQuery(redirectUri, { code, state }))
}

const USER_TYPES = new Set(["Company", "Location"])
const GRANT_TYPES = new Set(["authorization_code", "refresh_token", "client_credentials"])

const invalidGrant = (message: string) => ghlError(401, `Invalid grant: ${message}`, { error: "invalid_grant" })

/**
 * `POST /ghl/oauth/token` (form-encoded only: a JSON body reads as empty and fails validation with
 * 422, which is what GHL answers to clients that send JSON).
 */
export function token(deps: GhlOAuthDeps, ctx: RequestContext): SandboxResponse {
  const form = (ctx.contentType === "application/x-www-form-urlencoded" ? (ctx.body ?? {}) : {}) as Record<
    string,
    string
  >
  const messages: string[] = []
  if (!form.client_id) messages.push("client_id should not be empty")
  if (!form.client_secret) messages.push("client_secret should not be empty")
  if (!form.grant_type) messages.push("grant_type must be a valid enum value", "grant_type should not be empty")
  else if (!GRANT_TYPES.has(form.grant_type)) messages.push("grant_type must be a valid enum value")
  if (form.user_type !== undefined && !USER_TYPES.has(form.user_type))
    messages.push("user_type must be a valid enum value")
  if (form.grant_type === "authorization_code" && !form.code) messages.push("code should not be empty")
  if (form.grant_type === "refresh_token" && !form.refresh_token) messages.push("refresh_token should not be empty")
  if (messages.length > 0) return unprocessable(messages)

  const app = deps.credentials.oauthApp
  if (form.client_id !== app.clientId || form.client_secret !== app.clientSecret) {
    return ghlError(401, "Invalid client: client credentials are invalid", { error: "invalid_client" })
  }
  if (form.grant_type === "client_credentials") {
    return ghlError(400, "client_credentials is not supported for this app", { error: "unsupported_grant_type" })
  }

  if (form.grant_type === "authorization_code") {
    const redemption = deps.grants.redeemCode(form.code as string, app.clientId, {
      redirectUri: form.redirect_uri,
      codeVerifier: form.code_verifier,
    })
    if (!redemption.ok) {
      const reasons: Record<typeof redemption.reason, string> = {
        unknown_code: "authorization code is invalid",
        expired_code: "authorization code has expired",
        client_mismatch: "authorization code was issued to another client",
        redirect_mismatch: "redirect_uri does not match the authorization request",
        pkce_failed: "code_verifier does not match the code challenge",
      }
      return invalidGrant(reasons[redemption.reason])
    }
    if (form.user_type !== undefined && form.user_type !== redemption.grant.userType) {
      return invalidGrant(`user_type ${form.user_type} does not match the authorization (${redemption.grant.userType})`)
    }
    const tokens = deps.grants.issueTokens(app.clientId, redemption.grant, { withRefreshToken: true })
    return tokenResponse(deps, redemption.grant, tokens, false)
  }

  const outcome = deps.grants.refresh(form.refresh_token as string, app.clientId)
  if (!outcome.ok) {
    deps.stats.recordRejectedRefresh("ghl")
    return invalidGrant("refresh token is invalid")
  }
  return tokenResponse(deps, outcome.grant, outcome.tokens, true)
}

function tokenResponse(deps: GhlOAuthDeps, grant: GhlGrant, tokens: IssuedTokens, refresh: boolean): SandboxResponse {
  deps.stats.recordTokenGrant("ghl", { refresh })
  return json(
    200,
    {
      access_token: tokens.accessToken,
      token_type: "Bearer",
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
      scope: grant.scopes.join(" "),
      userType: grant.userType,
      companyId: grant.companyId,
      ...(grant.locationId === undefined
        ? { approvedLocations: [deps.credentials.locationId] }
        : { locationId: grant.locationId }),
      userId: grant.userId,
      isBulkInstallation: false,
    },
    { "cache-control": "no-store" },
  )
}

/**
 * `POST /ghl/oauth/locationToken` (Agency token only, form `companyId` + `locationId`): mints a
 * Location access token without a refresh token; the agency refreshes its own token instead.
 */
export function locationToken(deps: GhlOAuthDeps, { ctx, principal }: GhlApiRequest): SandboxResponse {
  const form = (ctx.contentType === "application/x-www-form-urlencoded" ? (ctx.body ?? {}) : {}) as Record<
    string,
    string
  >
  const messages: string[] = []
  if (!form.companyId) messages.push("companyId should not be empty")
  if (!form.locationId) messages.push("locationId should not be empty")
  if (messages.length > 0) return unprocessable(messages)
  if (form.companyId !== principal.companyId) return ghlError(403, "The token does not have access to this company.")
  if (form.locationId !== deps.credentials.locationId) return noLocationAccess()
  const grant: GhlGrant = {
    userType: "Location",
    companyId: principal.companyId,
    locationId: form.locationId,
    scopes: [...principal.scopes],
    userId: principal.userId,
  }
  const tokens = deps.grants.issueTokens(principal.appId, grant, { withRefreshToken: false })
  deps.stats.recordTokenGrant("ghl", { refresh: false })
  return json(200, {
    access_token: tokens.accessToken,
    token_type: "Bearer",
    expires_in: tokens.expiresIn,
    scope: grant.scopes.join(" "),
    userType: "Location",
    companyId: grant.companyId,
    locationId: grant.locationId,
    userId: grant.userId,
    appId: principal.appId.split("-")[0],
  })
}

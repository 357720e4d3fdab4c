import { header, json, type RequestContext, redirect, type SandboxResponse } from "@crmkit/sandbox/http"
import {
  basicCredentials,
  type CodeBinding,
  isAllowedRedirectUri,
  type OAuthGrants,
  readPkceParams,
  withQuery,
} from "@crmkit/sandbox/oauth"
import type { SandboxStats } from "@crmkit/sandbox/stats"
import type { KeapCredentials } from "./credentials.ts"
import { oauthError } from "./errors.ts"

/** What a Keap grant carries. Keap has a single scope. */
export interface KeapGrant {
  readonly scope: "full"
}

export interface KeapOAuthDeps {
  readonly grants: OAuthGrants<KeapGrant>
  readonly credentials: KeapCredentials
  readonly stats: SandboxStats
}

/**
 * `GET /keap/app/oauth/authorize`: the user "consents" at once and is sent back to
 * `redirect_uri?code=...&scope=full&state=...`. Errors about the client or redirect URI are shown
 * here (never redirected to an unverified URI); other errors are redirected, per RFC 6749 §4.1.2.1.
 */
export function authorize(deps: KeapOAuthDeps, ctx: RequestContext): SandboxResponse {
  const app = deps.credentials.oauthApp
  const query = ctx.query
  if (query.get("client_id") !== app.clientId) return oauthError(400, "invalid_client", "Unknown client_id")
  const redirectUri = query.get("redirect_uri")
  if (redirectUri === null || !isAllowedRedirectUri(redirectUri, app.redirectUri)) {
    return oauthError(400, "invalid_request", "redirect_uri is missing or not registered for this client")
  }
  const state = query.get("state") ?? undefined
  const fail = (error: string, description: string) =>
    redirect(withQuery(redirectUri, { error, error_description: description, state }))
  if (query.get("response_type") !== "code") return fail("unsupported_response_type", "response_type must be code")
  const scope = query.get("scope")
  if (scope !== null && scope !== "full") return fail("invalid_scope", "The only valid scope is 'full'")
  const pkce = readPkceParams(query)
  if (pkce.error !== undefined) return fail("invalid_request", pkce.error)
  const code = deps.grants.issueCode(app.clientId, { scope: "full" }, { ...pkce.binding, redirectUri })
  return redirect(withQuery(redirectUri, { code, scope: "full", state }))
}

/** Issues a code as if the user had consented (for tests that skip the browser step). */
export function issueAuthorizationCode(deps: KeapOAuthDeps, binding: CodeBinding = {}): string {
  const app = deps.credentials.oauthApp
  return deps.grants.issueCode(app.clientId, { scope: "full" }, { redirectUri: app.redirectUri, ...binding })
}

/**
 * `POST /keap/token` (form-encoded): `authorization_code` and `refresh_token` grants. The client
 * authenticates with HTTP Basic or with client_id/client_secret form fields. Refresh tokens rotate
 * and are single-use.
 */
export function token(deps: KeapOAuthDeps, ctx: RequestContext): SandboxResponse {
  if (ctx.contentType !== "application/x-www-form-urlencoded") {
    return oauthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
  }
  const form = (ctx.body ?? {}) as Record<string, string>
  const grantType = form.grant_type
  if (grantType === undefined || grantType === "") return oauthError(400, "invalid_request", "Missing grant_type")
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    return oauthError(400, "unsupported_grant_type", `Unsupported grant_type '${grantType}'`)
  }

  const app = deps.credentials.oauthApp
  const client = basicCredentials(header(ctx, "authorization")) ?? {
    clientId: form.client_id ?? "",
    clientSecret: form.client_secret ?? "",
  }
  if (client.clientId !== app.clientId || client.clientSecret !== app.clientSecret) {
    return oauthError(401, "invalid_client", "Invalid client credentials")
  }

  if (grantType === "authorization_code") {
    if (!form.code) return oauthError(400, "invalid_request", "Missing code")
    const redemption = deps.grants.redeemCode(form.code, app.clientId, {
      redirectUri: form.redirect_uri,
      codeVerifier: form.code_verifier,
    })
    if (!redemption.ok) {
      const description =
        redemption.reason === "redirect_mismatch"
          ? "redirect_uri does not match the authorization request"
          : redemption.reason === "pkce_failed"
            ? "Invalid code_verifier"
            : "Invalid Authorization Code"
      return oauthError(400, "invalid_grant", description)
    }
    return grantResponse(
      deps,
      deps.grants.issueTokens(app.clientId, redemption.grant, { withRefreshToken: true }),
      false,
    )
  }

  if (!form.refresh_token) return oauthError(400, "invalid_request", "Missing refresh_token")
  const outcome = deps.grants.refresh(form.refresh_token, app.clientId)
  if (!outcome.ok) {
    deps.stats.recordRejectedRefresh("keap")
    return oauthError(400, "invalid_grant", "Invalid Refresh Token")
  }
  return grantResponse(deps, outcome.tokens, true)
}

function grantResponse(
  deps: KeapOAuthDeps,
  tokens: { accessToken: string; refreshToken?: string; expiresIn: number },
  refresh: boolean,
): SandboxResponse {
  deps.stats.recordTokenGrant("keap", { refresh })
  return json(
    200,
    {
      access_token: tokens.accessToken,
      token_type: "bearer",
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
      scope: "full",
    },
    { "cache-control": "no-store", pragma: "no-cache" },
  )
}

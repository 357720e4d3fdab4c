import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import type { SandboxClock } from "./clock.ts"

/**
 * Provider-neutral OAuth 2.0 bookkeeping: single-use authorization codes (optionally bound to a
 * PKCE challenge and a redirect URI), access tokens with an expiry, and rotating single-use refresh
 * tokens. `G` is what a provider attaches to a grant (scopes, location, user type...).
 */

export type CodeChallengeMethod = "S256" | "plain"

export interface CodeBinding {
  readonly redirectUri?: string | undefined
  readonly codeChallenge?: string | undefined
  readonly codeChallengeMethod?: CodeChallengeMethod | undefined
}

interface CodeRecord<G> extends CodeBinding {
  readonly clientId: string
  readonly grant: G
  readonly expiresAt: number
}

interface AccessRecord<G> {
  readonly clientId: string
  readonly grant: G
  readonly expiresAt: number
}

interface RefreshRecord<G> {
  readonly clientId: string
  readonly grant: G
  readonly expiresAt: number
  used: boolean
}

export interface IssuedTokens {
  readonly accessToken: string
  readonly refreshToken?: string
  /** Seconds until the access token expires. */
  readonly expiresIn: number
}

export type CodeRedemption<G> =
  | { readonly ok: true; readonly grant: G }
  | {
      readonly ok: false
      readonly reason: "unknown_code" | "expired_code" | "client_mismatch" | "redirect_mismatch" | "pkce_failed"
    }

export type RefreshOutcome<G> =
  | { readonly ok: true; readonly grant: G; readonly tokens: IssuedTokens }
  | { readonly ok: false; readonly reason: "unknown" | "reused" | "expired" | "client_mismatch" }

export type AccessCheck<G> =
  | { readonly status: "valid"; readonly clientId: string; readonly grant: G; readonly expiresAt: number }
  | { readonly status: "expired" | "unknown" }

export interface OAuthLifetimes {
  readonly codeTtlMs: number
  readonly accessTtlMs: number
  readonly refreshTtlMs: number
}

/** Builds token strings; providers override it to mimic their token format (e.g. GHL's JWTs). */
export interface TokenFactory<G> {
  accessToken(clientId: string, grant: G, expiresAt: number): string
  refreshToken(clientId: string, grant: G): string
}

export const opaqueTokens: TokenFactory<unknown> = {
  accessToken: () => randomToken(24),
  refreshToken: () => randomToken(24),
}

export class OAuthGrants<G> {
  readonly #clock: SandboxClock
  readonly #lifetimes: OAuthLifetimes
  readonly #tokens: TokenFactory<G>
  readonly #codes = new Map<string, CodeRecord<G>>()
  readonly #access = new Map<string, AccessRecord<G>>()
  readonly #refresh = new Map<string, RefreshRecord<G>>()

  constructor(clock: SandboxClock, lifetimes: OAuthLifetimes, tokens: TokenFactory<G>) {
    this.#clock = clock
    this.#lifetimes = lifetimes
    this.#tokens = tokens
  }

  /** Records the user's consent and returns the code the token endpoint will accept once. */
  issueCode(clientId: string, grant: G, binding: CodeBinding = {}): string {
    const code = randomToken(18)
    this.#codes.set(code, { ...binding, clientId, grant, expiresAt: this.#clock.now() + this.#lifetimes.codeTtlMs })
    return code
  }

  /**
   * Redeems a code (it is consumed even when the exchange fails, as real servers do). The
   * redirect URI must match the one bound at authorization time, and so must the PKCE verifier.
   */
  redeemCode(
    code: string,
    clientId: string,
    presented: { redirectUri?: string | undefined; codeVerifier?: string | undefined },
  ): CodeRedemption<G> {
    const record = this.#codes.get(code)
    if (record === undefined) return { ok: false, reason: "unknown_code" }
    this.#codes.delete(code)
    if (record.expiresAt <= this.#clock.now()) return { ok: false, reason: "expired_code" }
    if (record.clientId !== clientId) return { ok: false, reason: "client_mismatch" }
    if (record.redirectUri !== undefined && presented.redirectUri !== record.redirectUri) {
      return { ok: false, reason: "redirect_mismatch" }
    }
    if (record.codeChallenge !== undefined) {
      const method = record.codeChallengeMethod ?? "plain"
      if (presented.codeVerifier === undefined || !verifyPkce(presented.codeVerifier, record.codeChallenge, method)) {
        return { ok: false, reason: "pkce_failed" }
      }
    }
    return { ok: true, grant: record.grant }
  }

  issueTokens(clientId: string, grant: G, options: { withRefreshToken: boolean }): IssuedTokens {
    const now = this.#clock.now()
    const expiresAt = now + this.#lifetimes.accessTtlMs
    const accessToken = this.#tokens.accessToken(clientId, grant, expiresAt)
    this.#access.set(accessToken, { clientId, grant, expiresAt })
    const expiresIn = Math.round(this.#lifetimes.accessTtlMs / 1000)
    if (!options.withRefreshToken) return { accessToken, expiresIn }
    const refreshToken = this.#tokens.refreshToken(clientId, grant)
    this.#refresh.set(refreshToken, { clientId, grant, expiresAt: now + this.#lifetimes.refreshTtlMs, used: false })
    return { accessToken, refreshToken, expiresIn }
  }

  /** Exchanges a refresh token for a new pair. The old refresh token is spent, even if the response is lost. */
  refresh(refreshToken: string, clientId: string): RefreshOutcome<G> {
    const record = this.#refresh.get(refreshToken)
    if (record === undefined) return { ok: false, reason: "unknown" }
    if (record.clientId !== clientId) return { ok: false, reason: "client_mismatch" }
    if (record.used) return { ok: false, reason: "reused" }
    if (record.expiresAt <= this.#clock.now()) return { ok: false, reason: "expired" }
    record.used = true
    return {
      ok: true,
      grant: record.grant,
      tokens: this.issueTokens(clientId, record.grant, { withRefreshToken: true }),
    }
  }

  checkAccessToken(accessToken: string): AccessCheck<G> {
    const record = this.#access.get(accessToken)
    if (record === undefined) return { status: "unknown" }
    if (record.expiresAt <= this.#clock.now()) return { status: "expired" }
    return { status: "valid", clientId: record.clientId, grant: record.grant, expiresAt: record.expiresAt }
  }
}

export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString("base64url")
}

export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url")
}

export function verifyPkce(verifier: string, challenge: string, method: CodeChallengeMethod): boolean {
  const expected = Buffer.from(method === "S256" ? pkceChallenge(verifier) : verifier)
  const actual = Buffer.from(challenge)
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/** Client credentials from `Authorization: Basic base64(id:secret)`, if present and well-formed. */
export function basicCredentials(
  authorization: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  if (authorization === undefined) return undefined
  const match = /^Basic\s+(\S+)$/i.exec(authorization)
  if (match?.[1] === undefined) return undefined
  const decoded = Buffer.from(match[1], "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return undefined
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) }
}

/** The token from `Authorization: Bearer <token>`, if present. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  return match?.[1]
}

/**
 * Whether a redirect URI is acceptable for an app: the registered one, or any loopback URI
 * (RFC 8252 §7.3: native apps such as a CLI listen on an ephemeral loopback port).
 */
export function isAllowedRedirectUri(candidate: string, registered: string): boolean {
  if (candidate === registered) return true
  try {
    const url = new URL(candidate)
    return (
      url.protocol === "http:" &&
      (url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]")
    )
  } catch {
    return false
  }
}

/** Parsed PKCE parameters from an authorize request; `error` when they are malformed. */
export function readPkceParams(query: URLSearchParams): { binding: CodeBinding; error?: string } {
  const codeChallenge = query.get("code_challenge") ?? undefined
  const rawMethod = query.get("code_challenge_method") ?? undefined
  if (codeChallenge === undefined) {
    return rawMethod === undefined
      ? { binding: {} }
      : { binding: {}, error: "code_challenge_method without code_challenge" }
  }
  const method = rawMethod ?? "plain"
  if (method !== "S256" && method !== "plain") {
    return { binding: {}, error: `unsupported code_challenge_method ${method}` }
  }
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(codeChallenge)) {
    return { binding: {}, error: "code_challenge must be 43-128 characters of [A-Za-z0-9-._~]" }
  }
  return { binding: { codeChallenge, codeChallengeMethod: method } }
}

/** Appends query parameters to a redirect URI, keeping any it already has. */
export function withQuery(uri: string, params: Readonly<Record<string, string | undefined>>): string {
  const url = new URL(uri)
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value)
  return url.toString()
}

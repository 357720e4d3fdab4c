import { header, type RequestContext, type SandboxResponse, withHeaders } from "@crmkit/sandbox/http"
import { bearerToken, type CodeBinding, OAuthGrants, opaqueTokens } from "@crmkit/sandbox/oauth"
import type { PreparedRequest, ProviderEnvironment, ProviderSimulator } from "@crmkit/sandbox/provider"
import { type RateWindow, secondsUntilReset } from "@crmkit/sandbox/rateLimit"
import { Router } from "@crmkit/sandbox/router"
import { KeapCommerceStore, registerCommerceV2 } from "./commerceV2.ts"
import { KeapContactStore } from "./contactStore.ts"
import { registerContactsV1 } from "./contactsV1.ts"
import { registerContactsV2 } from "./contactsV2.ts"
import { type KeapCredentials, keapCredentials } from "./credentials.ts"
import { KeapEngagementStore, registerEngagementV2 } from "./engagementV2.ts"
import { invalidAccessToken, invalidApiKey, keapError, oauthError, quotaExceeded, reasonPhrase } from "./errors.ts"
import { KeapHooks, registerHooks } from "./hooks.ts"
import { authorize, issueAuthorizationCode, type KeapGrant, type KeapOAuthDeps, token } from "./oauth.ts"
import { KeapPipelineStore, registerPipelineV2 } from "./pipelineV2.ts"
import { type KeapRatePolicy, keapRateHeaders, windowList } from "./rateLimits.ts"
import { KeapResourceStore, registerResourcesV2 } from "./resourcesV2.ts"
import type { KeapPrincipal, KeapRoute } from "./types.ts"

export const KEAP_PREFIX = "/keap"
/** Path (under the prefix) of the REST API; v1 and v2 live below it. */
export const KEAP_API_BASE = "/crm/rest"
export const KEAP_TOKEN_PATH = "/token"
export const KEAP_AUTHORIZE_PATH = "/app/oauth/authorize"

export interface KeapSimulatorOptions {
  readonly contacts: number
  readonly accessTokenTtlSeconds: number
  readonly rateLimits: KeapRatePolicy
}

/** Keap refresh tokens: 45 days per a community answer (research §2.2, unverified). Codes: 10 minutes. */
const REFRESH_TOKEN_TTL_MS = 45 * 86_400_000
const CODE_TTL_MS = 10 * 60_000

/** Simulates Keap: OAuth, PAT/SAK keys, per-app and per-key rate limits, contacts v1 and v2. */
export class KeapSimulator implements ProviderSimulator {
  readonly name = "keap"
  readonly prefix = KEAP_PREFIX
  readonly credentials: KeapCredentials
  readonly contacts: KeapContactStore
  readonly resources = new KeapResourceStore()
  readonly pipeline = new KeapPipelineStore()
  readonly engagement = new KeapEngagementStore()
  readonly commerce = new KeapCommerceStore()
  readonly hooks: KeapHooks
  #origin = "http://127.0.0.1"
  readonly #env: ProviderEnvironment
  readonly #policy: KeapRatePolicy
  readonly #grants: OAuthGrants<KeapGrant>
  readonly #apiKeys: ReadonlyMap<string, "pat" | "sak">
  readonly #oauthDeps: KeapOAuthDeps
  readonly #router = new Router<KeapRoute>()

  constructor(env: ProviderEnvironment, options: KeapSimulatorOptions) {
    this.#env = env
    this.#policy = options.rateLimits
    this.credentials = keapCredentials(env.seed)
    this.contacts = new KeapContactStore(env.seed, options.contacts, env.clock)
    this.#grants = new OAuthGrants<KeapGrant>(
      env.clock,
      { codeTtlMs: CODE_TTL_MS, accessTtlMs: options.accessTokenTtlSeconds * 1000, refreshTtlMs: REFRESH_TOKEN_TTL_MS },
      opaqueTokens,
    )
    this.#apiKeys = new Map([
      [this.credentials.personalAccessToken, "pat"],
      [this.credentials.serviceAccountKey, "sak"],
    ])
    this.#oauthDeps = { grants: this.#grants, credentials: this.credentials, stats: env.stats }

    this.#router
      .add("GET", KEAP_AUTHORIZE_PATH, { auth: "public", handle: (ctx) => authorize(this.#oauthDeps, ctx) })
      .add("POST", KEAP_TOKEN_PATH, { auth: "public", handle: (ctx) => token(this.#oauthDeps, ctx) })
    registerContactsV2(this.#router, this.contacts, KEAP_API_BASE, (id) => {
      const name = this.pipeline.companies.get(id)?.company_name
      return typeof name === "string" ? name : undefined
    })
    registerContactsV1(this.#router, this.contacts, KEAP_API_BASE)
    this.hooks = new KeapHooks(
      () => env.clock.now(),
      () => `${this.#origin}${KEAP_PREFIX}${KEAP_API_BASE}`,
    )
    this.contacts.onChange = (event, id) => this.hooks.emit(`contact.${event}`, id)
    registerHooks(this.#router, this.hooks, KEAP_API_BASE)
    registerCommerceV2(this.#router, this.contacts, this.commerce, KEAP_API_BASE, () => env.clock.now())
    registerEngagementV2(this.#router, this.contacts, this.engagement, KEAP_API_BASE, () => env.clock.now())
    registerPipelineV2(this.#router, this.contacts, this.pipeline, KEAP_API_BASE, () => env.clock.now())
    registerResourcesV2(this.#router, this.contacts, this.resources, KEAP_API_BASE, () => env.clock.now())
  }

  issueAuthorizationCode(binding?: CodeBinding): string {
    return issueAuthorizationCode(this.#oauthDeps, binding)
  }

  prepare(ctx: RequestContext): PreparedRequest {
    this.#origin = ctx.origin
    const path = ctx.pathname.slice(this.prefix.length) || "/"
    const lookup = this.#router.match(ctx.method, path)
    const routeKey = `${ctx.method} ${this.prefix}${lookup.kind === "match" ? lookup.pattern : " (unmatched)"}`
    return {
      routeKey,
      run: () => {
        if (lookup.kind === "not_found") return keapError(404, `No route for ${ctx.method} ${ctx.pathname}`)
        if (lookup.kind === "method_not_allowed") {
          return withHeaders(keapError(405, `Method ${ctx.method} not allowed`), { allow: lookup.allowed.join(", ") })
        }
        if (ctx.bodyError !== undefined) {
          return lookup.route.auth === "public"
            ? oauthError(400, "invalid_request", "Malformed request body")
            : keapError(400, `Invalid JSON body: ${ctx.bodyError}`, [{ domain: "field", resource: "body" }])
        }
        const route = lookup.route
        if (route.auth === "public") return route.handle(ctx)
        const principal = this.#authenticate(ctx)
        if ("status" in principal) return principal
        const limited = this.#countRequest(principal)
        if (limited.response !== undefined) return limited.response
        const handled = route.handle({ ctx, params: lookup.params, principal })
        return handled instanceof Promise
          ? handled.then((response) => withHeaders(response, limited.headers))
          : withHeaders(handled, limited.headers)
      },
    }
  }

  injectedFailure(kind: "429" | "5xx", status: number, ctx: RequestContext): SandboxResponse {
    const onTokenEndpoint = ctx.pathname === `${this.prefix}${KEAP_TOKEN_PATH}`
    if (kind === "5xx") {
      return onTokenEndpoint
        ? oauthError(status, "server_error", reasonPhrase(status))
        : keapError(status, reasonPhrase(status))
    }
    // Report the caller's real usage when it can be identified, with spike and throttle shown as exhausted.
    const principal = this.#authenticate(ctx)
    const caller = "status" in principal ? undefined : principal
    const windows = windowList(caller === undefined ? this.#policy.oauth : this.#windowsFor(caller))
    const usages = this.#env.limiter
      .peek(caller === undefined ? "keap:anonymous" : this.#bucket(caller), windows)
      .map((usage, i) => (i < 2 ? { ...usage, used: usage.window.limit, remaining: 0 } : usage))
    const headers = keapRateHeaders(caller === undefined || caller.kind === "oauth" ? "oauth" : "apiKey", usages)
    // An injected 429 lasts only for the faulted requests, so point at the shortest window.
    const spike = usages[0]
    if (this.#policy.retryAfter && spike !== undefined) {
      headers["retry-after"] = String(secondsUntilReset(spike, this.#env.clock.now()))
    }
    return quotaExceeded(headers)
  }

  /** `X-Keap-API-Key` (PAT/SAK) or `Authorization: Bearer` (OAuth access token, or a PAT/SAK as Keap's own SDK samples send). */
  #authenticate(ctx: RequestContext): KeapPrincipal | SandboxResponse {
    const apiKey = header(ctx, "x-keap-api-key")
    if (apiKey !== undefined) {
      const kind = this.#apiKeys.get(apiKey)
      return kind === undefined ? invalidApiKey() : { kind, key: apiKey }
    }
    const bearer = bearerToken(header(ctx, "authorization"))
    if (bearer === undefined) return invalidAccessToken()
    const keyKind = this.#apiKeys.get(bearer)
    if (keyKind !== undefined) return { kind: keyKind, key: bearer }
    const check = this.#grants.checkAccessToken(bearer)
    return check.status === "valid" ? { kind: "oauth", clientId: check.clientId } : invalidAccessToken()
  }

  #windowsFor(principal: KeapPrincipal) {
    return principal.kind === "oauth" ? this.#policy.oauth : this.#policy.apiKey
  }

  /** OAuth traffic is counted per app (client_id), PAT/SAK traffic per key. */
  #bucket(principal: KeapPrincipal): string {
    return principal.kind === "oauth" ? `keap:oauth:${principal.clientId}` : `keap:key:${principal.key}`
  }

  #countRequest(principal: KeapPrincipal): { headers: Record<string, string>; response?: SandboxResponse } {
    const windows: RateWindow[] = windowList(this.#windowsFor(principal))
    const decision = this.#env.limiter.hit(this.#bucket(principal), windows, this.#policy.enforce)
    const headers = keapRateHeaders(principal.kind === "oauth" ? "oauth" : "apiKey", decision.usages)
    if (decision.allowed || decision.blockedBy === undefined) return { headers }
    if (this.#policy.retryAfter)
      headers["retry-after"] = String(secondsUntilReset(decision.blockedBy, this.#env.clock.now()))
    return { headers, response: quotaExceeded(headers) }
  }
}

import { header, type RequestContext, type SandboxResponse, withHeaders } from "@crmkit/sandbox/http"
import { bearerToken, OAuthGrants } from "@crmkit/sandbox/oauth"
import type { PreparedRequest, ProviderEnvironment, ProviderSimulator } from "@crmkit/sandbox/provider"
import { secondsUntilReset } from "@crmkit/sandbox/rateLimit"
import { Router } from "@crmkit/sandbox/router"
import { registerBusinesses } from "./businesses.ts"
import { registerCalendars } from "./calendars.ts"
import { registerContactRelations } from "./contactRelations.ts"
import { GhlContactStore } from "./contactStore.ts"
import { registerContacts } from "./contacts.ts"
import { registerConversations } from "./conversations.ts"
import { type GhlCredentials, ghlCredentials } from "./credentials.ts"
import { registerDirectory } from "./directory.ts"
import {
  expiredToken,
  ghlError,
  invalidToken,
  legacyApiKeyRefused,
  missingScope,
  reasonPhrase,
  tooManyRequests,
  wrongAuthClass,
} from "./errors.ts"
import { registerLocations } from "./locations.ts"
import {
  chooseLocation,
  type GhlAuthorizationOptions,
  type GhlOAuthDeps,
  issueAuthorizationCode,
  locationToken,
  token,
} from "./oauth.ts"
import { registerObjects } from "./objects.ts"
import { registerOpportunities } from "./opportunities.ts"
import { type GhlRatePolicy, ghlRateHeaders } from "./rateLimits.ts"
import { GHL_REFRESH_TOKEN_TTL_MS, ghlTokenFactory, looksLikeLegacyApiKey } from "./tokens.ts"
import type { GhlGrant, GhlPrincipal, GhlRoute } from "./types.ts"
import { GhlWebhookSigner } from "./webhooks.ts"

export const GHL_PREFIX = "/ghl"
export const GHL_TOKEN_PATH = "/oauth/token"
export const GHL_LOCATION_TOKEN_PATH = "/oauth/locationToken"
export const GHL_AUTHORIZE_PATH = "/oauth/chooselocation"

/**
 * `Version` values accepted on API routes: the contacts spec's `2021-07-28`, plus `2021-04-15` and
 * `2023-02-21` (the official SDK's default since v3.0.0). Others get a 400.
 */
export const GHL_ACCEPTED_VERSIONS: ReadonlySet<string> = new Set(["2021-07-28", "2021-04-15", "2023-02-21"])

export interface GhlSimulatorOptions {
  readonly contacts: number
  /** The location's "Allow Duplicate Contact" setting (default false, as in GHL). */
  readonly allowDuplicateContact?: boolean | undefined
  readonly accessTokenTtlSeconds: number
  readonly rateLimits: GhlRatePolicy
}

const CODE_TTL_MS = 10 * 60_000

/** Simulates GoHighLevel (LeadConnector) API v2: OAuth and PITs, scopes, Version header, rate limits, contacts. */
export class GhlSimulator implements ProviderSimulator {
  readonly name = "ghl"
  readonly prefix = GHL_PREFIX
  readonly credentials: GhlCredentials
  readonly contacts: GhlContactStore
  /** Signs webhook deliveries with key pairs generated at start. */
  readonly webhooks: GhlWebhookSigner
  readonly #env: ProviderEnvironment
  readonly #policy: GhlRatePolicy
  readonly #grants: OAuthGrants<GhlGrant>
  readonly #pits: ReadonlyMap<string, GhlPrincipal>
  readonly #router = new Router<GhlRoute>()
  readonly #oauthDeps: GhlOAuthDeps

  constructor(env: ProviderEnvironment, options: GhlSimulatorOptions) {
    this.#env = env
    this.webhooks = new GhlWebhookSigner(env.clock)
    this.#policy = options.rateLimits
    this.credentials = ghlCredentials(env.seed)
    this.contacts = new GhlContactStore(env.seed, options.contacts, this.credentials.locationId, env.clock)
    this.contacts.allowDuplicateContact = options.allowDuplicateContact ?? false
    this.#grants = new OAuthGrants<GhlGrant>(
      env.clock,
      {
        codeTtlMs: CODE_TTL_MS,
        accessTtlMs: options.accessTokenTtlSeconds * 1000,
        refreshTtlMs: GHL_REFRESH_TOKEN_TTL_MS,
      },
      ghlTokenFactory(env.clock),
    )
    const pit = (token: string, scopes: readonly string[]): [string, GhlPrincipal] => [
      token,
      {
        kind: "pit",
        authClass: "Location",
        appId: token,
        companyId: this.credentials.companyId,
        locationId: this.credentials.locationId,
        scopes: new Set(scopes),
        userId: this.credentials.userId,
      },
    ]
    this.#pits = new Map([
      pit(this.credentials.privateIntegrationToken, [
        "contacts.readonly",
        "contacts.write",
        "opportunities.readonly",
        "opportunities.write",
        "calendars.readonly",
        "calendars/events.readonly",
        "calendars/events.write",
        "conversations.readonly",
        "conversations.write",
        "conversations/message.readonly",
        "conversations/message.write",
        "locations.readonly",
        "locations/tags.readonly",
        "locations/tags.write",
        "locations/customValues.readonly",
        "locations/customValues.write",
        "locations/customFields.readonly",
        "locations/customFields.write",
        "users.readonly",
        "workflows.readonly",
        "businesses.readonly",
        "businesses.write",
        "objects/schema.readonly",
        "objects/record.readonly",
        "objects/record.write",
      ]),
      pit(this.credentials.readOnlyPrivateIntegrationToken, ["contacts.readonly"]),
    ])
    this.#oauthDeps = { grants: this.#grants, credentials: this.credentials, stats: env.stats }

    this.#router
      .add("GET", GHL_AUTHORIZE_PATH, { auth: "public", handle: (ctx) => chooseLocation(this.#oauthDeps, ctx) })
      .add("POST", GHL_TOKEN_PATH, { auth: "public", handle: (ctx) => token(this.#oauthDeps, ctx) })
      .add("POST", GHL_LOCATION_TOKEN_PATH, {
        auth: "api",
        access: "agency-only",
        scope: "oauth.write",
        handle: (request) => locationToken(this.#oauthDeps, request),
      })
    registerContacts(this.#router, this.contacts)
    registerContactRelations(this.#router, this.contacts, () => env.clock.now())
    registerOpportunities(this.#router, this.contacts, env.clock)
    registerCalendars(this.#router, this.contacts, env.clock)
    registerConversations(this.#router, this.contacts, env.clock)
    registerLocations(this.#router, this.contacts)
    registerBusinesses(this.#router, this.contacts, env.clock)
    registerDirectory(this.#router, this.credentials, () => ({
      allowDuplicateContact: this.contacts.allowDuplicateContact,
    }))
    registerObjects(this.#router, this.credentials.locationId, env.clock)
  }

  issueAuthorizationCode(options?: GhlAuthorizationOptions): string {
    return issueAuthorizationCode(this.#oauthDeps, options)
  }

  prepare(ctx: RequestContext): PreparedRequest {
    const path = ctx.pathname.slice(this.prefix.length) || "/"
    const lookup = this.#router.match(ctx.method, path)
    const routeKey = `${ctx.method} ${this.prefix}${lookup.kind === "match" ? lookup.pattern : " (unmatched)"}`
    return {
      routeKey,
      run: () => {
        // NestJS's wording for unknown routes.
        if (lookup.kind !== "match") return ghlError(404, `Cannot ${ctx.method} ${path}`)
        if (ctx.bodyError !== undefined) return ghlError(400, `Unexpected JSON body: ${ctx.bodyError}`)
        const route = lookup.route
        if (route.auth === "public") return route.handle(ctx)

        const version = header(ctx, "version")
        if (version === undefined || version === "") return ghlError(400, "version header is required", { error: null })
        if (!GHL_ACCEPTED_VERSIONS.has(version))
          return ghlError(400, `version header is invalid: ${version}`, { error: null })

        const principal = this.#authenticate(ctx)
        if ("status" in principal) return principal
        // Counted before the scope checks: the request reached the API and uses the app's quota.
        const decision = this.#env.limiter.hit(
          this.#bucket(principal),
          [this.#policy.burst, this.#policy.daily],
          this.#policy.enforce,
        )
        const headers = ghlRateHeaders(decision.usages)
        if (!decision.allowed && decision.blockedBy !== undefined) {
          if (this.#policy.retryAfter)
            headers["Retry-After"] = String(secondsUntilReset(decision.blockedBy, this.#env.clock.now()))
          return tooManyRequests(headers)
        }
        const allowedClass =
          route.access === "agency-only"
            ? principal.kind === "oauth" && principal.authClass === "Company"
            : route.access === "both" || principal.authClass === "Location"
        const response = !allowedClass
          ? wrongAuthClass()
          : !principal.scopes.has(route.scope)
            ? missingScope(route.scope)
            : route.handle({ ctx, params: lookup.params, principal })
        return withHeaders(response, headers)
      },
    }
  }

  injectedFailure(kind: "429" | "5xx", status: number, ctx: RequestContext): SandboxResponse {
    if (kind === "5xx") return ghlError(status, reasonPhrase(status))
    const principal = this.#authenticate(ctx)
    const windows = [this.#policy.burst, this.#policy.daily]
    const key = "status" in principal ? "ghl:anonymous" : this.#bucket(principal)
    const [burst, daily] = this.#env.limiter.peek(key, windows)
    const usages =
      burst === undefined || daily === undefined ? [] : [{ ...burst, used: burst.window.limit, remaining: 0 }, daily]
    const headers = ghlRateHeaders(usages)
    if (this.#policy.retryAfter && burst !== undefined)
      headers["Retry-After"] = String(secondsUntilReset(burst, this.#env.clock.now()))
    return tooManyRequests(headers)
  }

  #authenticate(ctx: RequestContext): GhlPrincipal | SandboxResponse {
    const bearer = bearerToken(header(ctx, "authorization"))
    if (bearer === undefined) return invalidToken()
    const pit = this.#pits.get(bearer)
    if (pit !== undefined) return pit
    if (bearer === this.credentials.legacyApiKey || looksLikeLegacyApiKey(bearer)) return legacyApiKeyRefused()
    const check = this.#grants.checkAccessToken(bearer)
    if (check.status !== "valid") return check.status === "expired" ? expiredToken() : invalidToken()
    const grant = check.grant
    return {
      kind: "oauth",
      authClass: grant.userType,
      appId: check.clientId,
      companyId: grant.companyId,
      ...(grant.locationId === undefined ? {} : { locationId: grant.locationId }),
      scopes: new Set(grant.scopes),
      userId: grant.userId,
    }
  }

  /** Limits apply per app (or PIT) and per resource (location, or company for agency tokens). */
  #bucket(principal: GhlPrincipal): string {
    return `ghl:${principal.appId}:${principal.locationId ?? principal.companyId}`
  }
}

/**
 * Keap's simulator for the sandbox kit (`@crmkit/keap/sandbox`): OAuth, PAT/SAK keys,
 * per-app and per-key rate limits, contacts v1 and v2, the other v2 resources and REST
 * hooks. It imports only the kit, never the client it is there to test.
 */

import type { CodeBinding } from "@crmkit/sandbox/oauth"
import { resolveCommonOptions } from "@crmkit/sandbox/options"
import type { CommonSimulatorOptions, SimulatorFactory } from "@crmkit/sandbox/provider"
import type { KeapCredentials } from "./credentials.ts"
import { KEAP_HOOK_EVENT_KEYS } from "./hooks.ts"
import { type KeapRateLimitOptions, resolveKeapRatePolicy } from "./rateLimits.ts"
import { KEAP_API_BASE, KEAP_AUTHORIZE_PATH, KEAP_PREFIX, KEAP_TOKEN_PATH, KeapSimulator } from "./simulator.ts"

export type { KeapContact } from "./contactStore.ts"
export { KEAP_V1_DEFAULT_LIMIT, KEAP_V1_MAX_LIMIT } from "./contactsV1.ts"
export { KEAP_V2_DEFAULT_PAGE_SIZE, KEAP_V2_MAX_PAGE_SIZE } from "./contactsV2.ts"
export type { KeapCredentials } from "./credentials.ts"
export {
  KEAP_API_KEY_WINDOWS,
  KEAP_OAUTH_WINDOWS,
  type KeapRateLimitOptions,
  type KeapWindows,
} from "./rateLimits.ts"
export { KeapSimulator } from "./simulator.ts"

export interface KeapEndpoints {
  /** REST API root: append `/v1/...` or `/v2/...` (like https://api.infusionsoft.com/crm/rest). */
  readonly baseUrl: string
  /** OAuth token endpoint (like https://api.infusionsoft.com/token). */
  readonly tokenUrl: string
  /** OAuth authorization page (like https://accounts.infusionsoft.com/app/oauth/authorize); redirects at once. */
  readonly authorizeUrl: string
  /** A code the token endpoint accepts once, as if the user had consented. Bound to the registered redirect URI unless given. */
  issueAuthorizationCode(binding?: CodeBinding): string
}

export interface KeapSandboxOptions extends CommonSimulatorOptions {
  /** `true`/`false`, or window overrides, e.g. `{ apiKey: { daily: { limit: 5, windowMs: 60_000 } } }`. */
  readonly rateLimits?: boolean | KeapRateLimitOptions | undefined
}

export const simulator =
  (options: KeapSandboxOptions = {}): SimulatorFactory<KeapEndpoints, KeapCredentials> =>
  (env) => {
    const common = resolveCommonOptions("keap", options)
    const keap = new KeapSimulator(env, {
      contacts: common.contacts,
      accessTokenTtlSeconds: common.accessTokenTtlSeconds,
      rateLimits: resolveKeapRatePolicy(options.rateLimits ?? true, common.retryAfterHeader),
    })
    const baseUrl = (origin: string) => `${origin}${KEAP_PREFIX}${KEAP_API_BASE}`
    return {
      provider: keap,
      title: "Keap",
      credentials: keap.credentials,
      endpoints: (origin) => ({
        baseUrl: baseUrl(origin),
        tokenUrl: `${origin}${KEAP_PREFIX}${KEAP_TOKEN_PATH}`,
        authorizeUrl: `${origin}${KEAP_PREFIX}${KEAP_AUTHORIZE_PATH}`,
        issueAuthorizationCode: (binding) => keap.issueAuthorizationCode(binding),
      }),
      connection: (origin) => ({
        baseUrl: baseUrl(origin),
        credential: { kind: "pat", secret: keap.credentials.personalAccessToken },
        context: {},
      }),
      summary: (origin) => [
        ["API base URL", `${baseUrl(origin)}   (v1: /v1/contacts, v2: /v2/contacts)`],
        ["token URL", `${origin}${KEAP_PREFIX}${KEAP_TOKEN_PATH}`],
        ["authorize URL", `${origin}${KEAP_PREFIX}${KEAP_AUTHORIZE_PATH}`],
        ["OAuth client id", keap.credentials.oauthApp.clientId],
        ["OAuth client secret", keap.credentials.oauthApp.clientSecret],
        ["OAuth redirect URI", `${keap.credentials.oauthApp.redirectUri} (or any http://127.0.0.1 loopback URI)`],
        ["PAT (X-Keap-API-Key)", keap.credentials.personalAccessToken],
        ["SAK (X-Keap-API-Key)", keap.credentials.serviceAccountKey],
      ],
      // REST hooks go to the hooks subscribed (and verified) through the API, batched as Keap batches them.
      trigger: ({ event, overrides }) => {
        if (!KEAP_HOOK_EVENT_KEYS.includes(event)) {
          return { error: `Keap has no hook event "${event}" (events: ${KEAP_HOOK_EVENT_KEYS.join(", ")})` }
        }
        const receivers = keap.hooks
          .list()
          .filter((hook) => hook.status === "Verified" && hook.eventKey === event)
          .map((hook) => hook.hookUrl)
        keap.hooks.emit(event, overrides.id ?? "1")
        return { receivers }
      },
    }
  }

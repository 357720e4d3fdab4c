/**
 * @crmkit/sandbox: a stateful local simulator of the Keap and GoHighLevel APIs.
 * Start one with `startSandbox()`; see README.md for the URL layout, credentials and controls.
 */

export { ADMIN_PREFIX } from "./admin.ts"
export { SandboxClock } from "./clock.ts"
export {
  arrayView,
  type CollectionQuery,
  firstPositionAfter,
  type IndexView,
  type SortKey,
  slice,
  VirtualCollection,
  type VirtualCollectionOptions,
} from "./collection.ts"
export {
  FAULT_KINDS,
  FaultInjector,
  type FaultKind,
  type FaultPlan,
  type FaultSpec,
  FaultSpecError,
  faultSpecFromJson,
  type PendingFault,
} from "./faults.ts"
export type { GhlContact, GhlCustomFieldValue } from "./ghl/contactStore.ts"
export {
  GHL_LIST_DEFAULT_LIMIT,
  GHL_LIST_MAX_LIMIT,
  GHL_SEARCH_MAX_PAGE_LIMIT,
  GHL_SEARCH_MAX_PAGED_RECORDS,
} from "./ghl/contacts.ts"
export { GHL_APP_SCOPES, type GhlCredentials } from "./ghl/credentials.ts"
export { REQUIRED_SCOPE_HEADER } from "./ghl/errors.ts"
export type { GhlAuthorizationOptions } from "./ghl/oauth.ts"
export { GHL_BURST_WINDOW, GHL_DAILY_WINDOW, type GhlRateLimitOptions } from "./ghl/rateLimits.ts"
export { GHL_ACCEPTED_VERSIONS, GhlSimulator } from "./ghl/simulator.ts"
export type { GhlUserType } from "./ghl/types.ts"
export type { RequestContext, SandboxResponse } from "./http.ts"
export type { KeapContact } from "./keap/contactStore.ts"
export { KEAP_V1_DEFAULT_LIMIT, KEAP_V1_MAX_LIMIT } from "./keap/contactsV1.ts"
export { KEAP_V2_DEFAULT_PAGE_SIZE, KEAP_V2_MAX_PAGE_SIZE } from "./keap/contactsV2.ts"
export type { KeapCredentials } from "./keap/credentials.ts"
export {
  KEAP_API_KEY_WINDOWS,
  KEAP_OAUTH_WINDOWS,
  type KeapRateLimitOptions,
  type KeapWindows,
} from "./keap/rateLimits.ts"
export { KeapSimulator } from "./keap/simulator.ts"
export { type CodeBinding, type CodeChallengeMethod, pkceChallenge } from "./oauth.ts"
export { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, DEFAULT_CONTACTS, DEFAULT_SEED, type SandboxOptions } from "./options.ts"
export type { PreparedRequest, ProviderEnvironment, ProviderSimulator } from "./provider.ts"
export {
  describeWindow,
  FixedWindowCounter,
  type RateDecision,
  type RateWindow,
  type WindowUsage,
} from "./rateLimit.ts"
export { type RouteLookup, type RouteMatch, Router } from "./router.ts"
export {
  type GhlEndpoints,
  type KeapEndpoints,
  type SandboxCredentials,
  type SandboxServer,
  startSandbox,
} from "./Sandbox.ts"
export { hash32, mulberry32, Rng, type SeedPerson, seedPerson } from "./seed.ts"
export { type ProviderCounters, SandboxStats, type SandboxStatsSnapshot } from "./stats.ts"

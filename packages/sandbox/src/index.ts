/**
 * @crmkit/sandbox: the kit for stateful local simulators of CRM APIs (http, router, faults,
 * clock, stats, admin, OAuth grants, rate-limit windows, seeded data). Each provider package
 * contributes its simulator; `startSandbox({ simulators })` serves them together.
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
export type { RequestContext, SandboxResponse } from "./http.ts"
export { type CodeBinding, type CodeChallengeMethod, pkceChallenge } from "./oauth.ts"
export {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_CONTACTS,
  DEFAULT_SEED,
  resolveCommonOptions,
  type SandboxOptions,
} from "./options.ts"
export type {
  CommonSimulatorOptions,
  PreparedRequest,
  ProviderEnvironment,
  ProviderSimulator,
  SandboxConnection,
  Simulator,
  SimulatorFactory,
  SimulatorModule,
  TriggerOutcome,
  TriggerRequest,
} from "./provider.ts"
export {
  describeWindow,
  FixedWindowCounter,
  type RateDecision,
  type RateWindow,
  type WindowUsage,
} from "./rateLimit.ts"
export { type RouteLookup, type RouteMatch, Router } from "./router.ts"
export { type SandboxBase, type SandboxServer, startSandbox } from "./Sandbox.ts"
export { hash32, mulberry32, Rng, type SeedPerson, seedPerson } from "./seed.ts"
export { type ProviderCounters, SandboxStats, type SandboxStatsSnapshot } from "./stats.ts"

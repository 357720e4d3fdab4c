export * as Invocation from "./Invocation.ts"
export * as ZapierErrors from "./ZapierErrors.ts"
export * as ZapierHttpClient from "./ZapierHttpClient.ts"
export * as ZapierRateLimits from "./ZapierRateLimits.ts"

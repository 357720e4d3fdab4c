/**
 * The loaded half of TestCrm's connector, for hosts that need it synchronously (n8n reads a
 * node's description as it loads the file). Others use `connector.load()`.
 */
export { runtime } from "./internal/connectorRuntime.ts"

/**
 * @crmkit/mcp: Keap, HighLevel and any other connector's actions and operations as MCP
 * tools for AI agents, each call checked against a per-agent policy and appended to a
 * tamper-evident audit log. `crmkit mcp` runs it with the CLI's credentials.
 */
export * as Audit from "./Audit.ts"
export * as Policy from "./Policy.ts"
export * as Server from "./Server.ts"
export * as Tools from "./Tools.ts"

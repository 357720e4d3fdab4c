/**
 * The providers the CLI knows: one line each. Adding a CRM adds a line here and a
 * runtime entry in providers/runtime.ts. Only names load at start-up; the provider
 * packages load when a command needs them.
 */
import type { CliProvider } from "./providers/runtime.ts"

export interface CliProviderInfo {
  readonly name: string
  readonly title: string
  readonly load: () => Promise<CliProvider>
}

export const providers: ReadonlyArray<CliProviderInfo> = [
  { name: "keap", title: "Keap", load: async () => (await import("./providers/runtime.ts")).keap },
  { name: "ghl", title: "HighLevel", load: async () => (await import("./providers/runtime.ts")).ghl },
]

export type { CliProvider, LoginApp } from "./providers/runtime.ts"

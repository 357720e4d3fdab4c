import { Command } from "effect/cli"
import { resourceCommands } from "./commands/actions.ts"
import { authCommand } from "./commands/auth.ts"
import { callCommand } from "./commands/call.ts"
import { exportCommand } from "./commands/export.ts"
import { operationsCommand } from "./commands/operations.ts"
import { sandboxCommand } from "./commands/sandbox.ts"
import { webhooksCommand } from "./commands/webhooks.ts"
import { type CliProviderInfo, providers } from "./providers.ts"
import { root } from "./Root.ts"

// Building a command per action (each with dozens of flags) is most of start-up: build a
// provider's only when the command line names that provider, or asks for completions.
const args = process.argv.slice(2)
const needsResources = (provider: CliProviderInfo) =>
  args.includes(provider.name) || args.some((arg) => arg.startsWith("--completions"))

const providerCommand = (provider: CliProviderInfo) =>
  Command.make(provider.name).pipe(
    Command.withDescription(`${provider.title}: everyday resources, and the whole API by operation id`),
    Command.withSubcommands([
      ...(needsResources(provider) ? resourceCommands(provider) : []),
      operationsCommand(provider),
      callCommand(provider),
      exportCommand(provider),
    ]),
  )

export const cli = root.pipe(
  Command.withSubcommands([...providers.map(providerCommand), authCommand, webhooksCommand, sandboxCommand]),
)

import type { Connector } from "@crmkit/core"
import { Command } from "effect/cli"
import { resourceCommands } from "./commands/actions.ts"
import { authCommand } from "./commands/auth.ts"
import { callCommand } from "./commands/call.ts"
import { exportCommand } from "./commands/export.ts"
import { auditCommand, mcpCommand, policyCommand } from "./commands/mcp.ts"
import { migrateCommand } from "./commands/migrate.ts"
import { operationsCommand } from "./commands/operations.ts"
import { sandboxCommand } from "./commands/sandbox.ts"
import { webhooksCommand } from "./commands/webhooks.ts"
import { connectors } from "./connectors.ts"
import { root } from "./Root.ts"

// Building a command per action (each with dozens of flags) is most of start-up: build a
// provider's only when the command line names that provider, or asks for completions.
const args = process.argv.slice(2)
const others = ["auth", "webhooks", "sandbox", "mcp", "policy", "audit"]
const first = args.find((arg) => !arg.startsWith("-"))
// An unknown first word (`crmkit contacts`): every provider's resources, to suggest `crmkit keap contacts`.
const unknownFirst =
  first !== undefined && !others.includes(first) && !connectors.some((c) => [c.name, ...c.aliases].includes(first))
const needsResources = (connector: Connector.Connector) =>
  [connector.name, ...connector.aliases].some((name) => args.includes(name)) ||
  args.some((arg) => arg.startsWith("--completions")) ||
  unknownFirst

const providerCommand = (provider: Connector.Connector) =>
  Command.make(provider.name).pipe(
    Command.withDescription(`${provider.title}: everyday resources, and the whole API by operation id`),
    // effect/cli takes one alias per command: the first is the name people use most.
    (command) => (provider.aliases[0] === undefined ? command : Command.withAlias(command, provider.aliases[0])),
    Command.withSubcommands([
      ...(needsResources(provider) ? resourceCommands(provider) : []),
      operationsCommand(provider),
      callCommand(provider),
      exportCommand(provider),
    ]),
  )

export const cli = root.pipe(
  Command.withSubcommands([
    ...connectors.map(providerCommand),
    authCommand,
    webhooksCommand,
    sandboxCommand,
    mcpCommand,
    policyCommand,
    auditCommand,
    migrateCommand,
  ]),
)

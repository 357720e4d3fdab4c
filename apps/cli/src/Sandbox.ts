/**
 * The sandbox as the CLI serves it: every connector's simulator (`--sandbox` serves only
 * the one a command needs), started through the sandbox kit.
 */
import type { Connector } from "@crmkit/core"
import type { CommonSimulatorOptions, SandboxServer, SimulatorFactory, SimulatorModule } from "@crmkit/sandbox"
import { connectors } from "./connectors.ts"

export interface StartOptions extends CommonSimulatorOptions {
  readonly port?: number | undefined
  readonly seed?: number | undefined
  readonly latencyMs?: number | undefined
}

const simulatorOf = async (connector: Connector.Connector, options: CommonSimulatorOptions) => {
  const module = (await connector.sandbox?.()) as SimulatorModule | undefined
  return module?.simulator(options)
}

/** Starts a sandbox with the simulators of `only` (default: every connector that has one). */
export const start = async (
  options: StartOptions = {},
  only: ReadonlyArray<Connector.Connector> = connectors,
): Promise<SandboxServer> => {
  const { port, seed, latencyMs, ...common } = options
  const simulators: Record<string, SimulatorFactory> = {}
  for (const connector of only) {
    const factory = await simulatorOf(connector, common)
    if (factory !== undefined) simulators[connector.name] = factory
  }
  const { startSandbox } = await import("@crmkit/sandbox")
  return startSandbox({ simulators, port, seed, latencyMs })
}

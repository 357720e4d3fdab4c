/**
 * The CRMs the CLI knows: one line each. Their descriptions are plain data (cheap to
 * load for `--help`); each one's runtime loads when a command needs it.
 */
import type { Action } from "@crmkit/core"
import type * as Connector from "@crmkit/core/Connector"
import { connector as ghl } from "@crmkit/ghl/connector"
import { connector as keap } from "@crmkit/keap/connector"

export const connectors: Array<Connector.Connector> = [keap, ghl]

/** Actions of the connectors added at start (the built-in ones are described at build time). */
export const addedActions = new Map<string, ReadonlyArray<Action.Description>>()

export const connectorNamed = (name: string): Connector.Connector | undefined =>
  connectors.find((c) => c.name === name || c.aliases.includes(name))

/**
 * Adds a connector before the commands are built (a program that embeds the CLI with a
 * CRM of its own). The connector must share this program's copy of Effect and the core.
 */
export const add = async (connector: Connector.Connector) => {
  if (connectorNamed(connector.name) !== undefined) return
  const { describe } = await import("@crmkit/core/Action")
  connectors.push(connector)
  addedActions.set(connector.name, (await connector.load()).actions.map(describe))
}

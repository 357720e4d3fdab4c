/**
 * The CRMs the CLI knows: one line each. Their descriptions are plain data (cheap to
 * load for `--help`); each one's runtime loads when a command needs it.
 */
import type * as Connector from "@crmkit/core/Connector"
import { connector as ghl } from "@crmkit/ghl/connector"
import { connector as keap } from "@crmkit/keap/connector"

export const connectors: ReadonlyArray<Connector.Connector> = [keap, ghl]

export const connectorNamed = (name: string): Connector.Connector | undefined =>
  connectors.find((c) => c.name === name || c.aliases.includes(name))

/**
 * `crmkit` with a third CRM: the test-only TestCRM connector, registered by the one line
 * below and nothing else. Run from the sources (one copy of Effect and the core).
 */
import { connector } from "@crmkit/testcrm/connector"
import { add } from "../../src/connectors.ts"

await add(connector)
await import("../../src/main.ts")

/**
 * The HighLevel Zapier app, for either kind of connection. `index.ts` ships the OAuth app; the
 * Private Integration Token variant (`keyApp.ts`) is the same surface for locations that use a
 * PIT (Zapier allows one authentication type per integration).
 */
import { createRequire } from "node:module"
import { Definitions } from "@crmkit/zapier-shared"
import zapier from "zapier-platform-core"
import * as Creates from "./creates/index.ts"
import * as Searches from "./searches/index.ts"
import * as Dropdowns from "./triggers/dropdowns.ts"
import * as Polling from "./triggers/polling.ts"

const version = (createRequire(import.meta.url)("../package.json") as { version: string }).version

export const makeApp = (authentication: object) =>
  Definitions.app({
    version,
    platformVersion: zapier.version,
    authentication,
    triggers: [...Polling.triggers, ...Dropdowns.dropdowns],
    creates: Creates.creates,
    searches: Searches.searches,
    searchOrCreates: [
      {
        search: "find_contact",
        create: "create_contact",
        label: "Find or Create Contact",
        description: "Finds a contact by email, phone or id, or creates one when none matches.",
      },
    ],
  })

/** Workflows of a location (enrol contacts with `Contacts.addToWorkflow`). */
import type { CrmError } from "@crmkit/core"
import { Effect } from "effect"
import type { GhlClient } from "../GhlClient.ts"
import { location, type Output, send } from "./internal.ts"

export const list = (locationId?: string): Effect.Effect<Output<"get-workflow">, CrmError, GhlClient> =>
  Effect.flatMap(location(locationId), (id) => send("get-workflow", { locationId: id }))

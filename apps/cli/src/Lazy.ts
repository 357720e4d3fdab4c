/**
 * Modules that commands load when they run, not when the CLI starts: `crmkit --help`
 * should parse effect/cli and the command tree, not the providers, undici or the sandbox.
 */

import type { Connector } from "@crmkit/core"
import * as Effect from "effect/Effect"

export const Action = Effect.promise(() => import("@crmkit/core/Action"))
export const Operation = Effect.promise(() => import("@crmkit/core/Operation"))
export const Session = Effect.promise(() => import("./Session.ts"))
export const Profiles = Effect.promise(() => import("./Profiles.ts"))
export const runtime = (connector: Connector.Connector): Effect.Effect<Connector.Runtime> =>
  Effect.promise(() => connector.load())

import { RateLimit } from "@crmkit/core"
import { GhlAuth, GhlClient } from "@crmkit/ghl"
import { connector as ghlConnector } from "@crmkit/ghl/connector"
import { type GhlSandboxOptions, simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { KeapAuth, KeapClient } from "@crmkit/keap"
import { connector as keapConnector } from "@crmkit/keap/connector"
import { type KeapSandboxOptions, simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { startSandbox } from "@crmkit/sandbox"
import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Layer, Redacted, Scope } from "effect"
import type { Engine } from "../src/index.ts"

/** A sandbox with both simulators. */
export const startBoth = (keap: KeapSandboxOptions, ghl: GhlSandboxOptions) =>
  startSandbox({ simulators: { keap: keapSimulator(keap), ghl: ghlSimulator(ghl) } })

export type Both = Awaited<ReturnType<typeof startBoth>>

/** No client-side budget: the sandbox runs without rate limits, so tests need not wait for windows. */
export const unlimited = Layer.succeed(
  RateLimit.RateLimits,
  RateLimit.RateLimits.of({
    admit: () => Effect.succeed({ budget: "test", sequence: 0 }),
    observe: () => Effect.void,
    delayAfter429: () => Effect.succeed(Duration.millis(20)),
    waited: Effect.succeed(Duration.zero),
  }),
)

/** Both sides' client services, built once; `close` releases them. */
export const sides = async (sandbox: Both, rateLimits: Layer.Layer<RateLimit.RateLimits> = unlimited) => {
  const scope = Effect.runSync(Scope.make())
  const keapLayer = KeapClient.layer({ baseUrl: sandbox.keap.baseUrl }).pipe(
    Layer.provide(KeapAuth.layerApiKey(Redacted.make(sandbox.credentials.keap.personalAccessToken))),
    Layer.provide(rateLimits),
    Layer.provide(NodeHttpClient.layerUndici),
  )
  const ghlLayer = GhlClient.layer({
    baseUrl: sandbox.ghl.baseUrl,
    locationId: sandbox.credentials.ghl.locationId,
  }).pipe(
    Layer.provide(GhlAuth.layerPrivateIntegrationToken(Redacted.make(sandbox.credentials.ghl.privateIntegrationToken))),
    Layer.provide(rateLimits),
    Layer.provide(NodeHttpClient.layerUndici),
  )
  const keapServices = await Effect.runPromise(Layer.buildWithScope(keapLayer, scope))
  const ghlServices = await Effect.runPromise(Layer.buildWithScope(ghlLayer, scope))
  const keapRuntime = await keapConnector.load()
  const ghlRuntime = await ghlConnector.load()
  const keap: Engine.Side = { name: "keap", records: keapRuntime.records!, services: keapServices }
  const ghl: Engine.Side = { name: "ghl", records: ghlRuntime.records!, services: ghlServices }
  return { keap, ghl, close: () => Effect.runPromise(Scope.close(scope, Effect.void as never)) }
}

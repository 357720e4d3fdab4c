import type { CrmError } from "@crmkit/core"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import { GhlAuth, GhlClient } from "../src/index.ts"
import { type GhlSandboxOptions, simulator } from "../src/sandbox/index.ts"

/** One sandbox for the file. */
export const useSandbox = (options: GhlSandboxOptions) => {
  let server: SandboxServer | undefined
  beforeAll(async () => {
    server = await startSandbox({ simulators: { ghl: simulator(options) } })
  })
  afterAll(() => server?.close())
  return () => {
    if (server === undefined) throw new Error("sandbox not started")
    return server
  }
}

/**
 * GhlClient against the sandbox with a Private Integration Token (the sandbox's unless given) and
 * the sandbox's location (unless `locationId` is given, even as undefined), over undici.
 */
export const pitLayer = (
  sandbox: SandboxServer,
  options: {
    readonly token?: string
    readonly scopes?: ReadonlyArray<string>
    readonly locationId?: string | undefined
  } = {},
) =>
  GhlClient.layerWithMemoryRateLimits({
    baseUrl: sandbox.ghl.baseUrl,
    locationId: "locationId" in options ? options.locationId : sandbox.credentials.ghl.locationId,
  }).pipe(
    Layer.provide(
      GhlAuth.layerPrivateIntegrationToken(
        Redacted.make(options.token ?? sandbox.credentials.ghl.privateIntegrationToken),
        { scopes: options.scopes },
      ),
    ),
    Layer.provide(NodeHttpClient.layerUndici),
  )

/** Runs an effect with the given layer (by default `pitLayer` with the sandbox's PIT). */
export const runWith =
  (sandbox: () => SandboxServer) =>
  <A>(
    effect: Effect.Effect<A, CrmError, GhlClient.GhlClient>,
    layer: Layer.Layer<GhlClient.GhlClient, CrmError> = pitLayer(sandbox()),
  ): Promise<A> =>
    Effect.runPromise(Effect.provide(effect, layer))

/** The typed failure of an effect (rejects if it succeeds). */
export const failureOf =
  (sandbox: () => SandboxServer) =>
  <A>(
    effect: Effect.Effect<A, CrmError, GhlClient.GhlClient>,
    layer: Layer.Layer<GhlClient.GhlClient, CrmError> = pitLayer(sandbox()),
  ): Promise<CrmError> =>
    Effect.runPromise(Effect.flip(Effect.provide(effect, layer)))

import { RateLimit } from "@crmkit/core"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import * as KeapAuth from "../src/KeapAuth.ts"
import * as KeapClient from "../src/KeapClient.ts"
import { type KeapSandboxOptions, simulator } from "../src/sandbox/index.ts"

/** One sandbox for the file. */
export const useSandbox = (options: KeapSandboxOptions = { rateLimits: false, contacts: 60 }) => {
  let server: SandboxServer | undefined
  beforeAll(async () => {
    server = await startSandbox({ simulators: { keap: simulator(options) } })
  })
  afterAll(() => server?.close())
  return () => {
    if (server === undefined) throw new Error("sandbox not started")
    return server
  }
}

/** KeapClient against the sandbox with its Personal Access Token, over undici. */
export const keapLayer = (sandbox: SandboxServer) =>
  KeapClient.layer({ baseUrl: sandbox.keap.baseUrl }).pipe(
    Layer.provide(KeapAuth.layerApiKey(Redacted.make(sandbox.credentials.keap.personalAccessToken))),
    Layer.provide(RateLimit.layerMemory),
    Layer.provide(NodeHttpClient.layerUndici),
  )

export const runWith =
  (sandbox: () => SandboxServer) =>
  <A, E>(effect: Effect.Effect<A, E, KeapClient.KeapClient>): Promise<A> =>
    Effect.runPromise(Effect.provide(effect, keapLayer(sandbox())))

/** The typed failure of an effect (rejects if it succeeds). */
export const failureOf =
  (sandbox: () => SandboxServer) =>
  <A, E>(effect: Effect.Effect<A, E, KeapClient.KeapClient>): Promise<E> =>
    Effect.runPromise(Effect.provide(Effect.flip(effect), keapLayer(sandbox())))

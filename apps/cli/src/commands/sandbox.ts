import * as Console from "effect/Console"
import { Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"

/** `crmkit sandbox`: the simulator as a server, until interrupted. */
export const sandboxCommand = Command.make(
  "sandbox",
  {
    port: Flag.Int("port").pipe(Flag.withDescription("Port to listen on (0: any free port)"), Flag.withDefault(4010)),
    seed: Flag.Int("seed").pipe(Flag.withDescription("Seed of the generated data"), Flag.withDefault(42)),
    contacts: Flag.Int("contacts").pipe(Flag.withDescription("Seeded contacts per provider"), Flag.withDefault(250)),
  },
  Effect.fn(function* ({ port, seed, contacts }) {
    const server = yield* Effect.acquireRelease(
      Effect.promise(async () =>
        (await import("@crmkit/sandbox")).startSandbox({ port, seed, contacts: { keap: contacts, ghl: contacts } }),
      ),
      (s) => Effect.promise(() => s.close()),
    )
    yield* Console.log(`sandbox listening on ${server.url}`)
    yield* Console.log(
      `  keap: ${server.keap.baseUrl}  (X-Keap-API-Key: ${server.credentials.keap.personalAccessToken})`,
    )
    yield* Console.log(
      `  ghl:  ${server.ghl.baseUrl}  (Bearer ${server.credentials.ghl.privateIntegrationToken}, location ${server.credentials.ghl.locationId})`,
    )
    yield* Console.log("These are sandbox-only credentials. Ctrl-C stops it.")
    yield* Effect.never
  }, Effect.scoped),
).pipe(Command.withDescription("Run the Keap and HighLevel sandbox server"))

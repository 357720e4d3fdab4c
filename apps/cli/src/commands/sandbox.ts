/**
 * `crmkit sandbox`: every connector's simulator as one server, until interrupted. It prints
 * the URLs and the fake, sandbox-only credentials (or all of it as JSON with `--json`).
 */
import * as Console from "effect/Console"
import { Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** The endpoints' plain values (URLs): what a tool outside this process can use. */
const plain = (endpoints: unknown) =>
  Object.fromEntries(
    Object.entries(endpoints as Record<string, unknown>).filter(([, value]) => typeof value === "string"),
  )

export const sandboxCommand = Command.make(
  "sandbox",
  {
    port: Flag.Int("port").pipe(Flag.withDescription("Port to listen on (0: any free port)"), Flag.withDefault(4010)),
    seed: Flag.Int("seed").pipe(Flag.withDescription("Seed of the generated data"), Flag.withDefault(42)),
    contacts: Flag.Int("contacts").pipe(Flag.withDescription("Seeded contacts per provider"), Flag.withDefault(250)),
    rateLimits: Flag.Boolean("rate-limits").pipe(
      Flag.withDescription("Enforce each provider's rate limits (--rate-limits=false: never refuse)"),
      Flag.withDefault(true),
    ),
    retryAfter: Flag.Boolean("retry-after").pipe(
      Flag.withDescription("Send Retry-After on 429s (neither provider documents one)"),
      Flag.withDefault(false),
    ),
    latency: Flag.Int("latency").pipe(Flag.withDescription("Milliseconds added to every request"), Flag.optional),
    json: Flag.Boolean("json").pipe(
      Flag.withDescription("Print the URLs and credentials as one JSON line"),
      Flag.withDefault(false),
    ),
  },
  Effect.fn(function* ({ port, seed, contacts, rateLimits, retryAfter, latency, json }) {
    const Sandbox = yield* Effect.promise(() => import("../Sandbox.ts"))
    const server = yield* Effect.acquireRelease(
      Effect.promise(() =>
        Sandbox.start({
          port,
          seed,
          contacts,
          rateLimits,
          retryAfterHeader: retryAfter,
          latencyMs: Option.getOrUndefined(latency),
        }),
      ),
      (s) => Effect.promise(() => s.close()),
    )
    const names = Object.keys(server.simulators)
    if (json) {
      const simulators = Object.fromEntries(
        names.map((name) => [
          name,
          {
            title: server.simulators[name]!.title,
            endpoints: plain(server.simulators[name]!.endpoints(server.url)),
            connection: server.connections[name],
            credentials: server.credentials[name],
          },
        ]),
      )
      yield* Console.log(JSON.stringify({ url: server.url, seed: server.seed, simulators }))
    } else {
      const lines = [`sandbox listening on ${server.url} (seed ${server.seed}; fake, sandbox-only credentials)`]
      for (const name of names) {
        const simulator = server.simulators[name]!
        lines.push("", `${simulator.title} (crmkit --base-url ... ${name})`)
        for (const [label, value] of simulator.summary(server.url)) lines.push(`  ${label.padEnd(22)}${value}`)
      }
      lines.push(
        "",
        `Admin: ${server.url}/__sandbox/stats, POST|DELETE ${server.url}/__sandbox/faults, POST ${server.url}/__sandbox/clock`,
        "Ctrl-C stops it.",
      )
      yield* Console.log(lines.join("\n"))
    }
    yield* Effect.never
  }, Effect.scoped),
).pipe(Command.withDescription("Run every provider's simulator as one sandbox server"))

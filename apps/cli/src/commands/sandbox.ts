/**
 * `crmkit sandbox`: every connector's simulator as one server, until interrupted. It prints
 * the URLs and the fake, sandbox-only credentials (or all of it as JSON with `--json`).
 */
import * as Console from "effect/Console"
import { Argument, Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { UsageError } from "../UsageError.ts"

/** The endpoints' plain values (URLs): what a tool outside this process can use. */
const plain = (endpoints: unknown) =>
  Object.fromEntries(
    Object.entries(endpoints as Record<string, unknown>).filter(([, value]) => typeof value === "string"),
  )

const serve = Command.make(
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

/**
 * `crmkit sandbox trigger <simulator> <event>`: a running sandbox fires a webhook event,
 * signed as the provider signs it, to its receivers: Keap's subscribed REST hooks, or the
 * URLs given with `--to` (GHL posts to its app's webhook URL, which no API sets).
 */
const trigger = Command.make(
  "trigger",
  {
    simulator: Argument.String("simulator").pipe(Argument.withDescription("Whose event: keap, ghl, ...")),
    event: Argument.String("event").pipe(Argument.withDescription("The event, as the provider names it")),
    override: Flag.KeyValuePair("override").pipe(
      Flag.withDescription("A field of the event's record, as name=value (e.g. id=12, email=a@b.co)"),
      Flag.optional,
    ),
    to: Flag.String("to").pipe(Flag.withDescription("A receiver URL (repeatable)"), Flag.atLeast(0)),
    url: Flag.String("url").pipe(
      Flag.withDescription("The running sandbox (crmkit sandbox)"),
      Flag.withDefault("http://127.0.0.1:4010"),
    ),
  },
  Effect.fn(function* ({ simulator, event, override, to, url }) {
    const answer = yield* Effect.tryPromise({
      try: async () => {
        const response = await fetch(`${url.replace(/\/$/, "")}/__sandbox/trigger`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ simulator, event, overrides: Option.getOrElse(override, () => ({})), to }),
        })
        return { status: response.status, body: (await response.json()) as { receivers?: string[]; error?: string } }
      },
      catch: (cause) =>
        new UsageError({
          message: `No sandbox answers at ${url} (${(cause as Error).message}): start it with crmkit sandbox`,
        }),
    })
    if (answer.status !== 202)
      return yield* new UsageError({ message: answer.body.error ?? `sandbox answered ${answer.status}` })
    const receivers = answer.body.receivers ?? []
    yield* Console.log(
      receivers.length === 0
        ? `${event}: no receiver is subscribed (subscribe a hook first, or give --to)`
        : `${event} sent to ${receivers.join(", ")}`,
    )
  }),
).pipe(Command.withDescription("Fire a webhook event from a running sandbox to its receivers"))

export const sandboxCommand = serve.pipe(Command.withSubcommands([trigger]))

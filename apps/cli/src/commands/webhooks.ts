/**
 * `crmkit webhooks listen <provider> --port N`: a local receiver that prints each event as
 * one JSON line on stdout and each refusal, with its reason, on stderr. The handshake,
 * the signature checks and the answers are the connector's receiver's; this is only the
 * server.
 */
import * as fs from "node:fs"
import * as Console from "effect/Console"
import { Argument, Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { connectorNamed, connectors } from "../connectors.ts"
import * as Lazy from "../Lazy.ts"
import { UsageError } from "../UsageError.ts"
import * as WebhookServer from "../WebhookServer.ts"

/** `name=@path` reads the file (a PEM key), anything else is the value itself. */
const settingValue = (value: string) => (value.startsWith("@") ? fs.readFileSync(value.slice(1), "utf8") : value)

/** `--setting name=value|name=@file` for a receiver: unknown names refused, files read. */
export const receiverSettings = (
  title: string,
  receiver: { readonly settings: ReadonlyArray<{ readonly name: string }> },
  given: Readonly<Record<string, string>>,
) =>
  Effect.gen(function* () {
    const known = receiver.settings.map((s) => s.name)
    const unknown = Object.keys(given).filter((name) => !known.includes(name))
    if (unknown.length > 0) {
      return yield* new UsageError({
        message: `${title} webhooks take no setting ${unknown.join(", ")}${known.length ? ` (they take ${known.join(", ")})` : ""}`,
      })
    }
    return yield* Effect.try({
      try: () => Object.fromEntries(Object.entries(given).map(([name, value]) => [name, settingValue(value)])),
      catch: (cause) => new UsageError({ message: `--setting: ${(cause as Error).message}` }),
    })
  })

export const settingFlag = Flag.KeyValuePair("setting").pipe(
  Flag.withDescription("A receiver setting, as name=value or name=@file (e.g. a GHL ed25519Key=@key.pem)"),
  Flag.optional,
)

export const webhooksCommand = Command.make("webhooks").pipe(
  Command.withDescription("Receive webhooks locally"),
  Command.withSubcommands([
    Command.make(
      "listen",
      {
        provider: Argument.Literals(
          "provider",
          connectors.map((c) => c.name) as unknown as readonly [string, ...string[]],
        ),
        port: Flag.Int("port").pipe(
          Flag.withDescription("Port on 127.0.0.1 (0: any free port)"),
          Flag.withDefault(8787),
        ),
        setting: settingFlag,
        forwardTo: Flag.String("forward-to").pipe(
          Flag.withDescription(
            "Forward each verified delivery to this local URL, with its original headers and body (so your own verification runs)",
          ),
          Flag.optional,
        ),
      },
      Effect.fn(function* ({ provider, port, setting, forwardTo }) {
        const connector = connectorNamed(provider)!
        const runtime = yield* Lazy.runtime(connector)
        const receiver = runtime.webhooks
        if (receiver === undefined) {
          return yield* new UsageError({ message: `${connector.title} sends no webhooks` })
        }
        const settings = yield* receiverSettings(
          connector.title,
          receiver,
          Option.getOrElse(setting, () => ({})),
        )
        const receive = receiver.make(settings)
        const target = Option.getOrUndefined(forwardTo)
        if (target !== undefined && !/^https?:\/\//.test(target)) {
          return yield* new UsageError({ message: `--forward-to ${target} is not an http(s) URL` })
        }
        // The delivery as it came, to a local app: its status is printed, the provider is answered as before.
        const forward = (headers: Record<string, string | undefined>, body: Buffer) => {
          if (target === undefined) return
          const sent = Object.fromEntries(
            Object.entries(headers).filter(
              (entry): entry is [string, string] =>
                entry[1] !== undefined && !["host", "content-length", "connection"].includes(entry[0]),
            ),
          )
          fetch(target, { method: "POST", headers: sent, body }).then(
            (answer) => process.stderr.write(`forwarded to ${target}: ${answer.status}\n`),
            (error: Error) => process.stderr.write(`forward to ${target} failed: ${error.message}\n`),
          )
        }
        const listening = yield* WebhookServer.serve(receive, port, (received, request) => {
          switch (received._tag) {
            case "Handshake":
              process.stdout.write(`${JSON.stringify({ provider, handshake: true })}\n`)
              break
            case "Delivered":
              for (const event of received.events) process.stdout.write(`${JSON.stringify({ provider, ...event })}\n`)
              forward(request.headers, request.body)
              break
            case "Refused":
              process.stderr.write(`refused (${received.response.status}): ${received.reason}\n`)
          }
        })
        yield* Console.error(`listening for ${provider} webhooks on http://127.0.0.1:${listening}/ (Ctrl-C stops)`)
        yield* Effect.never
      }, Effect.scoped),
    ).pipe(Command.withDescription("Print each webhook received; refuse and explain bad ones")),
  ]),
)

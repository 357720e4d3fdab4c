/**
 * `crmkit webhooks listen <provider> --port N`: a local receiver that prints each event as
 * one JSON line on stdout and each refusal, with its reason, on stderr. Keap: answers the
 * `X-Hook-Secret` handshake and reads batched deliveries. GHL: verifies `x-ghl-signature`
 * (Ed25519) or the legacy `x-wh-signature` (RSA) over the raw body and refuses stale or
 * replayed deliveries. The verification is the provider packages'; this is only the server.
 */
import * as fs from "node:fs"
import type * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Console from "effect/Console"
import { Argument, Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { connectors } from "../connectors.ts"
import { nodeHttp } from "../NodeBuiltins.ts"

type Outcome =
  | {
      readonly accepted: true
      readonly status: number
      readonly headers: Record<string, string>
      readonly body: string
      readonly line: unknown
    }
  | {
      readonly accepted: false
      readonly status: number
      readonly headers: Record<string, string>
      readonly body: string
      readonly reason: string
    }

type Receiver = (method: string, headers: http.IncomingHttpHeaders, body: Buffer) => Promise<Outcome>

const json = { "content-type": "application/json" }

const keapReceiver = async (): Promise<Receiver> => {
  const { Hooks } = await import("@crmkit/keap")
  return async (method, headers, body) => {
    const received = Hooks.handle({ method, headers: headers as Record<string, string>, body })
    const { status, headers: replyHeaders, body: replyBody } = received.response
    switch (received._tag) {
      case "Handshake":
        return {
          accepted: true,
          status,
          headers: { ...replyHeaders },
          body: replyBody,
          line: { provider: "keap", handshake: true },
        }
      case "Delivery":
        return {
          accepted: true,
          status,
          headers: { ...replyHeaders },
          body: replyBody,
          line: { provider: "keap", ...received.delivery },
        }
      case "Rejected":
        return { accepted: false, status, headers: { ...replyHeaders }, body: replyBody, reason: received.reason }
    }
  }
}

const ghlReceiver = async (keys: { ed25519?: string | undefined; rsa?: string | undefined }): Promise<Receiver> => {
  const { GhlWebhooks } = await import("@crmkit/ghl")
  const verify = GhlWebhooks.verifier({ keys })
  return (_method, headers, body) =>
    Effect.runPromise(
      verify(body, headers as Record<string, string>).pipe(
        Effect.match({
          onSuccess: (verified): Outcome => ({
            accepted: true,
            status: 200,
            headers: json,
            body: "{}",
            line: { provider: "ghl", scheme: verified.scheme, webhookId: verified.webhookId, event: verified.event },
          }),
          onFailure: (error): Outcome => ({
            accepted: false,
            status: 401,
            headers: json,
            body: JSON.stringify({ error: error.reason }),
            reason: `${error.reason}: ${error.message}`,
          }),
        }),
      ),
    )
}

const readKey = (file: Option.Option<string>) => (Option.isSome(file) ? fs.readFileSync(file.value, "utf8") : undefined)

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
        ed25519Key: Flag.String("ed25519-key").pipe(
          Flag.withDescription("GHL: PEM file of the Ed25519 public key (default: GHL's published key)"),
          Flag.optional,
        ),
        rsaKey: Flag.String("rsa-key").pipe(
          Flag.withDescription("GHL: PEM file of the legacy RSA public key (default: GHL's published key)"),
          Flag.optional,
        ),
      },
      Effect.fn(function* ({ provider, port, ed25519Key, rsaKey }) {
        const receive = yield* Effect.promise(() =>
          provider === "keap" ? keapReceiver() : ghlReceiver({ ed25519: readKey(ed25519Key), rsa: readKey(rsaKey) }),
        )
        const server = nodeHttp().createServer((request, response) => {
          const chunks: Array<Buffer> = []
          request.on("data", (chunk: Buffer) => chunks.push(chunk))
          request.on("end", () => {
            receive(request.method ?? "GET", request.headers, Buffer.concat(chunks)).then((outcome) => {
              response.writeHead(outcome.status, outcome.headers).end(outcome.body)
              if (outcome.accepted) process.stdout.write(`${JSON.stringify(outcome.line)}\n`)
              else process.stderr.write(`rejected (${outcome.status}): ${outcome.reason}\n`)
            })
          })
        })
        yield* Effect.acquireRelease(
          Effect.promise(() => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()))),
          () => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve()))),
        )
        const address = server.address() as AddressInfo
        yield* Console.error(`listening for ${provider} webhooks on http://127.0.0.1:${address.port}/ (Ctrl-C stops)`)
        yield* Effect.never
      }, Effect.scoped),
    ).pipe(Command.withDescription("Print each webhook received; refuse and explain bad ones")),
  ]),
)

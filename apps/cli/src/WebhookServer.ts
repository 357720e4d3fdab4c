/**
 * A connector's webhook receiver behind a local HTTP server (127.0.0.1): each request is
 * answered as the receiver says, then handed on with what it carried. `webhooks listen` and
 * `migrate follow` serve this way.
 */
import type { AddressInfo } from "node:net"
import type { Webhooks } from "@crmkit/core"
import * as Effect from "effect/Effect"
import { nodeHttp } from "./NodeBuiltins.ts"

export interface Request {
  readonly headers: Record<string, string | undefined>
  readonly body: Buffer
}

/** Listens for the command's scope; resolves with the port it got (0 picks a free one). */
export const serve = (
  receive: (request: Webhooks.WebhookRequest) => Effect.Effect<Webhooks.Received>,
  port: number,
  onReceived: (received: Webhooks.Received, request: Request) => void,
) =>
  Effect.gen(function* () {
    const server = nodeHttp().createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]),
        )
        const body = Buffer.concat(chunks)
        Effect.runPromise(receive({ method: request.method ?? "GET", headers, body })).then((received) => {
          response.writeHead(received.response.status, received.response.headers).end(received.response.body)
          onReceived(received, { headers, body })
        })
      })
    })
    yield* Effect.acquireRelease(
      Effect.promise(() => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()))),
      () => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve()))),
    )
    return (server.address() as AddressInfo).port
  })

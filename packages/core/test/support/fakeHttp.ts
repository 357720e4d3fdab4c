import { Effect, Layer } from "effect"
import { HttpClient, type HttpClientRequest, HttpClientResponse } from "effect/http"

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * An HttpClient answering from a function, recording every request: for unit tests of
 * our own logic. Transport behaviour is tested against the sandbox's real HTTP server.
 */
export const fakeHttp = (
  answer: (request: Recorded) => {
    status: number
    body?: unknown
    /** Sent as is instead of `body`, e.g. a truncated JSON document. */
    raw?: string
    headers?: Record<string, string>
  },
) => {
  const requests: Array<Recorded> = []
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request: HttpClientRequest.HttpClientRequest, url) =>
      Effect.sync(() => {
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        const recorded: Recorded = { method: request.method, url, headers: request.headers, body }
        requests.push(recorded)
        const reply = answer(recorded)
        return HttpClientResponse.fromWeb(
          request,
          new Response(reply.raw ?? (reply.body === undefined ? null : JSON.stringify(reply.body)), {
            status: reply.status,
            headers: { "content-type": "application/json", ...reply.headers },
          }),
        )
      }),
    ),
  )
  return { layer, requests }
}

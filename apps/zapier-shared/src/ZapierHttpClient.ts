/**
 * The core's transport inside Zapier: an Effect `HttpClient` that sends through `z.request`,
 * so Zapier logs every request, censors the connection's secrets, and applies the app's
 * middleware.
 *
 * Responses of every status come back to the core (`skipThrowForStatus`, and
 * `throwForThrottlingEarly: false` so a 429 is not turned into Zapier's generic
 * ThrottledError before the core can read the provider's rate-limit headers). Errors that
 * Zapier's own middleware throws (`z.errors.*`) are not HTTP failures: they travel as
 * defects, which the core neither wraps nor retries, and `Invocation.run` rethrows them as
 * they are.
 */
import { Effect, Layer } from "effect"
import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "effect/http"
import type { HttpRequestOptions, HttpResponse, ZObject } from "zapier-platform-core"

/** True for the errors Zapier defines (`z.errors.*`), which must reach Zapier unchanged. */
export const isZapierError = (z: ZObject, error: unknown): boolean =>
  error instanceof Error &&
  Object.values(z.errors as unknown as Record<string, unknown>).some(
    // `z.errors` also holds helpers (handleError), which are not classes.
    (ErrorClass) =>
      typeof ErrorClass === "function" && ErrorClass.prototype !== undefined && error instanceof ErrorClass,
  )

const bodyOf = (body: HttpClientRequest.HttpClientRequest["body"]): string | Buffer | undefined => {
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return body.text ?? Buffer.from(body.body)
    case "Raw":
      if (typeof body.body === "string") return body.body
      break
  }
  // The providers only send JSON and form bodies; anything else is a programming error.
  throw new Error(`z.request transport cannot send a ${body._tag} body`)
}

const contentTypeOf = (body: HttpClientRequest.HttpClientRequest["body"]): string | undefined =>
  body._tag === "Uint8Array" || body._tag === "Raw" ? body.contentType : undefined

// Statuses whose responses must not carry a body in the Fetch API.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304])

const toWebResponse = (response: HttpResponse): Response => {
  const headers = new Headers()
  response.headers.forEach((value: string, name: string) => {
    headers.append(name, value)
  })
  const body = nullBodyStatuses.has(response.status) || response.content === "" ? null : response.content
  return new Response(body, { status: response.status, headers })
}

/** The `z.request` options for one core request. */
export const toZapierRequest = (request: HttpClientRequest.HttpClientRequest, url: URL) => {
  const headers: Record<string, string> = { ...request.headers }
  const contentType = contentTypeOf(request.body)
  if (contentType !== undefined && headers["content-type"] === undefined) headers["content-type"] = contentType
  const body = bodyOf(request.body)
  return {
    url: url.toString(),
    method: request.method as NonNullable<HttpRequestOptions["method"]>,
    headers,
    ...(body === undefined ? {} : { body }),
    skipThrowForStatus: true,
    throwForThrottlingEarly: false,
    // The core follows next-page links itself; a redirect is followed as fetch would.
    redirect: "follow" as const,
  }
}

export const make = (z: ZObject): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.tryPromise({
      try: () => z.request(toZapierRequest(request, url) as HttpRequestOptions & { url: string }),
      catch: (cause) => cause,
    }).pipe(
      Effect.catch((cause) =>
        isZapierError(z, cause)
          ? Effect.die(cause)
          : Effect.fail(
              new HttpClientError.HttpClientError({
                reason: new HttpClientError.TransportError({ request, cause, description: String(cause) }),
              }),
            ),
      ),
      Effect.map((response) => HttpClientResponse.fromWeb(request, toWebResponse(response))),
    ),
  )

export const layer = (z: ZObject): Layer.Layer<HttpClient.HttpClient> => Layer.succeed(HttpClient.HttpClient, make(z))

/**
 * An Effect `HttpClient` that sends through n8n's own `httpRequestWithAuthentication`.
 *
 * n8n adds the credential (API key header, OAuth bearer) and refreshes OAuth tokens itself,
 * storing the rotated pair back into the credential: Keap and GHL refresh tokens are
 * single-use, so only the host may refresh them. n8n refreshes when a request *throws* a
 * 401, so 401s are left to throw (every other status is returned), and what still fails
 * after n8n's refresh is turned back into the response the core reads. Everything else
 * (rate limits, retries, typed errors) stays in the core's pipeline on top of this transport.
 */
import { Effect, Layer } from "effect"
import { HttpClient, HttpClientError, HttpClientResponse } from "effect/http"
import type { IHttpRequestMethods, IHttpRequestOptions, IN8nHttpFullResponse } from "n8n-workflow"

/** What the node context offers: `(options) => this.helpers.httpRequestWithAuthentication.call(this, type, options)`. */
export type HostRequest = (options: IHttpRequestOptions) => Promise<IN8nHttpFullResponse>

const bodyOf = (request: Parameters<Parameters<typeof HttpClient.make>[0]>[0]): Buffer | string | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      // n8n rebuilds form bodies with `new URLSearchParams(body)`, which takes a string, not bytes.
      return body.contentType.startsWith("application/x-www-form-urlencoded")
        ? Buffer.from(body.body).toString("utf8")
        : Buffer.from(body.body)
    default:
      // The core only sends JSON or form bodies (both Uint8Array); anything else is a bug here.
      throw new Error(`crmkit n8n transport cannot send a ${body._tag} body`)
  }
}

const toHeaders = (headers: IN8nHttpFullResponse["headers"]): Headers => {
  const result = new Headers()
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue
    if (Array.isArray(value)) for (const item of value) result.append(name, String(item))
    else result.set(name, String(value))
  }
  return result
}

const toBytes = (body: unknown): Uint8Array | string | null => {
  if (body === undefined || body === null) return null
  if (Buffer.isBuffer(body)) return new Uint8Array(body)
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (typeof body === "string") return body
  return JSON.stringify(body)
}

/** The HTTP answer inside an error n8n threw (its NodeApiError wraps the HTTP client's error). */
const httpResponseOf = (error: unknown): IN8nHttpFullResponse | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const response = (current as { response?: { status?: unknown; headers?: unknown; data?: unknown } }).response
    if (response !== undefined && typeof response.status === "number") {
      return {
        statusCode: response.status,
        headers: { ...(response.headers as IN8nHttpFullResponse["headers"]) },
        body: response.data as IN8nHttpFullResponse["body"],
      }
    }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const noBodyStatus = (status: number) => status === 204 || status === 205 || status === 304

export interface TransportOptions {
  /**
   * Whether n8n authenticates and refreshes (default): 401s then throw so that n8n refreshes.
   * `false` for requests the core signs itself (a GHL location token minted from an agency
   * token), whose 401s the core's own refresh handles.
   */
  readonly hostRefreshes?: boolean
}

export const make = (send: HostRequest, options: TransportOptions = {}): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) =>
    Effect.tryPromise({
      try: async () => {
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(request.headers)) headers[name] = value
        const body = bodyOf(request)
        if (body !== undefined && request.body._tag === "Uint8Array") headers["content-type"] = request.body.contentType
        const response = await send({
          url: url.toString(),
          method: request.method as IHttpRequestMethods,
          headers,
          ...(body === undefined ? {} : { body }),
          encoding: "arraybuffer",
          json: false,
          returnFullResponse: true,
          ignoreHttpStatusErrors: options.hostRefreshes === false ? true : { ignore: true, except: [401] },
          abortSignal: signal,
        }).catch((error: unknown) => {
          const refused = httpResponseOf(error)
          if (refused === undefined) throw error
          return refused
        })
        const status = response.statusCode
        const web = new Response(noBodyStatus(status) ? null : toBytes(response.body), {
          status,
          headers: toHeaders(response.headers),
        })
        return HttpClientResponse.fromWeb(request, web)
      },
      catch: (cause) =>
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.TransportError({ request, cause, description: String(cause) }),
        }),
    }),
  )

export const layer = (send: HostRequest, options: TransportOptions = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, make(send, options))

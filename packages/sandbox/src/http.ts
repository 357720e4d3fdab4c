import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http"

/** What a handler returns; the server serializes and writes it. */
export interface SandboxResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  /** JSON-serialized into the body. Absent for empty responses (204, 302). */
  readonly body?: unknown
}

/**
 * Everything a handler needs about a request. The body is read and parsed before routing:
 * JSON bodies become values, form bodies (`application/x-www-form-urlencoded`) become string records.
 */
export interface RequestContext {
  readonly method: string
  readonly url: URL
  /** The full URL path, including the provider prefix (e.g. "/keap/crm/rest/v2/contacts"). */
  readonly pathname: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  /** Media type of the body without parameters, lower-cased ("" if none). */
  readonly contentType: string
  readonly rawBody: Buffer
  /** Parsed JSON value, form fields, or undefined when there is no body. */
  readonly body: unknown
  /** Set when the body could not be parsed as its declared content type. */
  readonly bodyError?: string
  /** The sandbox's own base URL (http://127.0.0.1:PORT), for absolute URLs in responses. */
  readonly origin: string
}

export const MAX_BODY_BYTES = 5 * 1024 * 1024

export class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError"
}

/** First value of a request header (header names are case-insensitive). */
export function header(ctx: Pick<RequestContext, "headers">, name: string): string | undefined {
  const value = ctx.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes`))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })
}

export function buildContext(req: IncomingMessage, rawBody: Buffer, origin: string): RequestContext {
  // Concatenate instead of resolving against the origin, so a path like "//x" stays a path.
  const target = req.url ?? "/"
  const url = new URL(`${origin}${target.startsWith("/") ? target : `/${target}`}`)
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? ""
  const base = {
    method: (req.method ?? "GET").toUpperCase(),
    url,
    pathname: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    contentType,
    rawBody,
    origin,
  }
  if (rawBody.length === 0) return { ...base, body: undefined }
  const text = rawBody.toString("utf8")
  if (contentType === "application/x-www-form-urlencoded") {
    return { ...base, body: Object.fromEntries(new URLSearchParams(text)) }
  }
  if (contentType === "application/json" || contentType.endsWith("+json")) {
    try {
      return { ...base, body: JSON.parse(text) as unknown }
    } catch (error) {
      return { ...base, body: undefined, bodyError: (error as Error).message }
    }
  }
  return { ...base, body: text }
}

export function json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): SandboxResponse {
  return headers === undefined ? { status, body } : { status, body, headers }
}

export function noContent(headers?: Readonly<Record<string, string>>): SandboxResponse {
  return headers === undefined ? { status: 204 } : { status: 204, headers }
}

export function redirect(location: string): SandboxResponse {
  return { status: 302, headers: { location, "cache-control": "no-store" } }
}

/** Adds headers to a response (later values win). */
export function withHeaders(response: SandboxResponse, headers: Readonly<Record<string, string>>): SandboxResponse {
  return { ...response, headers: { ...response.headers, ...headers } }
}

export function serializeBody(response: SandboxResponse): string {
  return response.body === undefined ? "" : JSON.stringify(response.body)
}

/**
 * Cuts a JSON body so it no longer parses, as if the connection dropped mid-transfer while the
 * headers already promised success.
 */
export function truncateJson(body: string): string {
  const cut = body.slice(0, Math.max(1, Math.floor(body.length / 2)))
  if (cut === "") return '{"'
  try {
    JSON.parse(cut)
  } catch {
    return cut
  }
  return '{"'
}

export function writeResponse(
  res: ServerResponse,
  response: SandboxResponse,
  body: string = serializeBody(response),
): void {
  const headers: Record<string, string | number> = { ...response.headers }
  if (body.length > 0) {
    headers["content-type"] ??= "application/json; charset=utf-8"
  }
  headers["content-length"] = Buffer.byteLength(body)
  res.writeHead(response.status, headers)
  res.end(body)
}

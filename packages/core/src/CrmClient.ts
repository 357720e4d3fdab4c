/**
 * The request pipeline every provider shares:
 *
 *   authorize → wait for the rate limit → send → learn the rate-limit headers
 *   → 401: refresh once and resend → 429: wait as told and resend (bounded)
 *   → 5xx / connection failure: back off and resend if that is safe → typed error
 *
 * `HttpClient` stays a requirement, so the CLI can send through undici and the n8n and
 * Zapier apps through their hosts' own request helpers.
 */
import { Context, Duration, Effect, Schema } from "effect"
import { HttpClient, HttpClientRequest, type HttpClientResponse, type HttpMethod } from "effect/http"
import { Credentials } from "./Credentials.ts"
import {
  Conflict,
  CrmError,
  Decode,
  Forbidden,
  NotFound,
  RateLimited,
  Server,
  Transport,
  Unauthorized,
  Validation,
} from "./CrmError.ts"
import type { ProviderErrorInfo, ProviderProfile, ProviderResponse } from "./Provider.ts"
import { RateLimits } from "./RateLimit.ts"
import * as Retry from "./Retry.ts"
import * as Sensitive from "./Sensitive.ts"

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number | boolean>

export interface CrmRequest {
  readonly method: HttpMethod.HttpMethod
  /** Relative to the provider's base URL, or an absolute URL on the same host (next-page links). */
  readonly path: string
  readonly query?: Readonly<Record<string, QueryValue>> | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Sent as JSON. */
  readonly body?: unknown
  /** Sent as `application/x-www-form-urlencoded`. */
  readonly form?: Readonly<Record<string, string>> | undefined
  /** Overrides the method's default: may this request be sent twice? */
  readonly idempotent?: boolean | undefined
  /** The operation id, for errors and traces. */
  readonly operation?: string | undefined
}

export interface CrmResponse extends ProviderResponse {}

export interface CrmClient {
  readonly provider: string
  readonly baseUrl: string
  readonly credentialKind: string
  /**
   * Values the connection knows and operations take (GHL's `locationId`), filled into
   * every operation that takes them and was not given one (`Operation.fillContext`).
   */
  readonly context: Readonly<Record<string, string>>
  readonly execute: (request: CrmRequest) => Effect.Effect<CrmResponse, CrmError>
  /** Executes and decodes the body with a Schema. */
  readonly decode: <S extends Schema.Top>(
    request: CrmRequest,
    schema: S,
  ) => Effect.Effect<S["Type"], CrmError, S["DecodingServices"]>
}

/**
 * Whether each HTTP exchange gets Effect's HTTP client span (with the request and
 * response headers as attributes, and trace headers sent to the provider). Off unless
 * set: the span costs about a tenth of the pipeline's time per request with no tracer to
 * export it (`bench/results/`), and Keap and GHL read no trace headers. Provide `true`
 * to the client's layer when a tracer (OpenTelemetry) collects the spans.
 */
export const HttpSpans = Context.Reference<boolean>("@crmkit/core/CrmClient/HttpSpans", {
  defaultValue: () => false,
})

const noHttpSpan = () => true

/** Serialises query values: arrays repeat the key, undefined and null are left out. */
export const appendQuery = (url: URL, query: Readonly<Record<string, QueryValue>> | undefined): URL => {
  if (query === undefined) return url
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue
    if (Array.isArray(value)) {
      for (const item of value) url.searchParams.append(name, String(item))
    } else {
      url.searchParams.set(name, String(value))
    }
  }
  return url
}

export const resolveUrl = (baseUrl: string, path: string): URL =>
  /^https?:\/\//.test(path)
    ? new URL(path)
    : new URL(baseUrl.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`))

const errorKinds = {
  Unauthorized,
  Forbidden,
  NotFound,
  Conflict,
  Validation,
  Server,
} as const

const kindForStatus = (status: number): NonNullable<ProviderErrorInfo["kind"]> => {
  if (status === 401) return "Unauthorized"
  if (status === 403) return "Forbidden"
  if (status === 404 || status === 410) return "NotFound"
  if (status === 409) return "Conflict"
  if (status >= 500) return "Server"
  return "Validation"
}

const readBody = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(response.text, (text): { readonly ok: true; readonly body: unknown } | { readonly ok: false } => {
    if (text.length === 0) return { ok: true, body: undefined }
    try {
      return { ok: true, body: JSON.parse(text) }
    } catch {
      return { ok: false }
    }
  })

const transportFailure = (cause: unknown): { readonly message: string; readonly mayHaveReachedServer: boolean } => {
  const text = String((cause as { reason?: { cause?: unknown } })?.reason?.cause ?? cause)
  const code = /E[A-Z]{3,}[A-Z_]*/.exec(text)?.[0]
  // A refused or unresolved connection never carried the request.
  const notSent = code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN"
  return {
    message: Sensitive.scrubText(code === undefined ? "connection failed" : `connection failed (${code})`),
    mayHaveReachedServer: !notSent,
  }
}

export interface MakeOptions {
  /** See `CrmClient.context`. */
  readonly context?: Readonly<Record<string, string | undefined>> | undefined
}

/** Builds the pipeline for one provider and one credential. */
export const make = Effect.fnUntraced(function* (profile: ProviderProfile, options: MakeOptions = {}) {
  const http = yield* HttpClient.HttpClient
  const credentials = yield* Credentials
  const rateLimits = yield* RateLimits
  const policy = profile.rateLimitPolicy(credentials)
  const maxThrottleRetries = policy.maxRetries ?? 5
  const timeout = profile.timeout ?? "30 seconds"
  const retrySchedule = Retry.schedule(profile.retry)
  const send = (yield* HttpSpans)
    ? http.execute
    : (request: HttpClientRequest.HttpClientRequest) =>
        Effect.provideService(http.execute(request), HttpClient.TracerDisabledWhen, noHttpSpan)

  const buildRequest = (request: CrmRequest): HttpClientRequest.HttpClientRequest => {
    const url = appendQuery(resolveUrl(profile.baseUrl, request.path), request.query)
    let built = HttpClientRequest.make(request.method)(url, {
      headers: { ...profile.defaultHeaders, ...request.headers },
    }).pipe(HttpClientRequest.acceptJson)
    if (request.form !== undefined) built = HttpClientRequest.bodyUrlParams(built, request.form)
    else if (request.body !== undefined) built = HttpClientRequest.bodyJsonUnsafe(built, request.body)
    return built
  }

  const failWith = (
    request: CrmRequest,
    kind: keyof typeof errorKinds | "RateLimited" | "Decode",
    fields: {
      readonly message: string
      readonly status?: number | undefined
      readonly requestId?: string | undefined
      readonly body?: unknown
      readonly info?: ProviderErrorInfo | undefined
      readonly retryAfterMillis?: number | undefined
    },
  ) => {
    const common = {
      provider: profile.name,
      message: Sensitive.scrubText(fields.message),
      request: `${request.method} ${resolveUrl(profile.baseUrl, request.path).pathname}`,
      ...(fields.status === undefined ? {} : { status: fields.status }),
      ...(fields.requestId === undefined ? {} : { requestId: fields.requestId }),
      ...(request.operation === undefined ? {} : { operation: request.operation }),
      ...(fields.body === undefined ? {} : { body: Sensitive.scrubBody(fields.body) }),
    }
    switch (kind) {
      case "RateLimited":
        return new CrmError({
          reason: new RateLimited({
            ...common,
            ...(fields.retryAfterMillis === undefined ? {} : { retryAfterMillis: fields.retryAfterMillis }),
          }),
        })
      case "Decode":
        return new CrmError({ reason: new Decode(common) })
      case "Validation":
        return new CrmError({ reason: new Validation({ ...common, fields: fields.info?.fields ?? [] }) })
      case "Forbidden":
        return new CrmError({
          reason: new Forbidden({
            ...common,
            ...(fields.info?.missingScope === undefined ? {} : { missingScope: fields.info.missingScope }),
          }),
        })
      default:
        return new CrmError({ reason: new errorKinds[kind](common) })
    }
  }

  const attempt = (request: CrmRequest, built: HttpClientRequest.HttpClientRequest) =>
    Effect.gen(function* () {
      let refreshed = false
      let throttled = 0
      for (;;) {
        const { request: signed, generation } = yield* credentials.authorize(built)
        const ticket = yield* rateLimits
          .admit(policy, credentials.budget ?? credentials.id)
          .pipe(
            Effect.mapError((error) =>
              failWith(request, "Server", { message: `Rate-limit store failed: ${error.reason._tag}` }),
            ),
          )
        const exchange = Effect.flatMap(send(signed), (response) =>
          Effect.map(readBody(response), (read) => ({ response, read })),
        ).pipe(
          Effect.mapError((error) => {
            const failure = transportFailure(error)
            return new CrmError({
              reason: new Transport({
                provider: profile.name,
                message: failure.message,
                request: `${request.method} ${new URL(signed.url).pathname}`,
                mayHaveReachedServer: failure.mayHaveReachedServer,
                ...(request.operation === undefined ? {} : { operation: request.operation }),
              }),
            })
          }),
          Effect.timeoutOrElse({
            duration: timeout,
            orElse: () =>
              Effect.fail(
                new CrmError({
                  reason: new Transport({
                    provider: profile.name,
                    message: `no response within ${Duration.format(Duration.fromInputUnsafe(timeout))}`,
                    request: `${request.method} ${new URL(signed.url).pathname}`,
                    mayHaveReachedServer: true,
                  }),
                }),
              ),
          }),
        )
        const { response, read } = yield* exchange
        // Read once: the transport may rebuild the headers object on every access.
        const headers = response.headers
        yield* rateLimits.observe(policy, ticket, headers)
        const status = response.status
        const body = read.ok ? read.body : undefined
        const providerResponse: ProviderResponse = { status, headers, body }

        if (status === 401 && !refreshed) {
          refreshed = true
          if (yield* credentials.refresh(generation)) continue
        }
        if (status === 429) {
          throttled++
          const delay = yield* rateLimits.delayAfter429(policy, ticket, headers, throttled)
          if (throttled <= maxThrottleRetries) {
            yield* Effect.sleep(delay)
            continue
          }
          const info = profile.decodeError(providerResponse)
          return yield* failWith(request, "RateLimited", {
            message: `${info.message} (still throttled after ${maxThrottleRetries} retries)`,
            status,
            requestId: info.requestId,
            body,
            retryAfterMillis: Duration.toMillis(delay),
          })
        }
        if (!read.ok) {
          return yield* failWith(request, "Decode", {
            message: `response body is not valid JSON (status ${status})`,
            status,
            requestId: profile.requestId?.(providerResponse),
          })
        }
        if (status < 400) return providerResponse
        const info = profile.decodeError(providerResponse)
        return yield* failWith(request, info.kind ?? kindForStatus(status), {
          message: info.message,
          status,
          requestId: info.requestId,
          body,
          info,
        })
      }
    })

  const execute = (request: CrmRequest): Effect.Effect<CrmResponse, CrmError> => {
    const idempotent = request.idempotent ?? Retry.isIdempotentMethod(request.method)
    const built = buildRequest(request)
    return attempt(request, built).pipe(
      Effect.retry({
        schedule: retrySchedule,
        while: (error: CrmError) =>
          Retry.shouldRetry(error.reason, idempotent) ||
          (idempotent && error.reason._tag === "Decode" && (error.reason.status ?? 500) < 300),
      }),
    )
  }

  const decode = <S extends Schema.Top>(request: CrmRequest, schema: S) =>
    Effect.flatMap(execute(request), (response) =>
      Schema.decodeUnknownEffect(schema)(response.body).pipe(
        Effect.mapError((issue) =>
          failWith(request, "Decode", {
            message: `unexpected response shape: ${String(issue.message).slice(0, 500)}`,
            status: response.status,
            requestId: profile.requestId?.(response),
          }),
        ),
      ),
    )

  return {
    provider: profile.name,
    baseUrl: profile.baseUrl,
    credentialKind: credentials.kind,
    context: Object.fromEntries(
      Object.entries(options.context ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    execute,
    decode,
  } satisfies CrmClient
})

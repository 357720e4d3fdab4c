/**
 * A described API operation: what the provider packages generate from the official
 * OpenAPI specs, one per operation, and what the apps and AI agents discover through
 * each provider's catalog.
 *
 * `call` validates the input with the operation's Schema before any request is sent
 * (bad input is refused with a `Validation` error naming the field), builds the request
 * (path parameters encoded, query, headers such as GHL's `Version`, JSON body) and
 * decodes the response.
 */
import { Effect, Schema, SchemaIssue, Stream } from "effect"
import type { HttpMethod } from "effect/http"
import type { CrmClient, CrmRequest, QueryValue } from "./CrmClient.ts"
import { type CrmError, type FieldIssue, invalidInput } from "./CrmError.ts"
import * as Pagination from "./Pagination.ts"

export type ParameterLocation = "path" | "query" | "header"

export interface OperationParameter {
  readonly name: string
  readonly in: ParameterLocation
  readonly required: boolean
  /** `false`: an array is sent as one comma-separated value (OpenAPI `explode: false`). Default true. */
  readonly explode?: boolean | undefined
}

/** How an operation pages, when it does; the provider maps this onto a `PaginationStyle`. */
export interface OperationPagination {
  readonly style: "cursor-token" | "offset-limit" | "page-number" | "keyset" | "body-cursor" | "next-url"
  /** Response path of the records, e.g. `contacts`. */
  readonly items: string
  /** Style-specific parameter names, e.g. `{ tokenParam: "page_token", nextToken: "next_page_token" }`. */
  readonly params: Readonly<Record<string, string>>
}

/** The machine-readable catalog entry; the same fields for every provider. */
export interface CatalogEntry {
  readonly id: string
  readonly method: HttpMethod.HttpMethod
  readonly path: string
  readonly summary: string
  readonly resource: string
  readonly access: "read" | "write"
  readonly idempotent: boolean
  readonly parameters: ReadonlyArray<OperationParameter>
  readonly hasBody: boolean
  readonly bodyRequired: boolean
  /** When the body is not JSON, e.g. `application/x-www-form-urlencoded` or `multipart/form-data`. */
  readonly bodyContentType?: string | undefined
  readonly pagination?: OperationPagination | undefined
  readonly deprecated?: boolean | undefined
  /** Scopes the operation requires (GHL). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Token kinds the operation accepts (GHL: Location, Agency). */
  readonly tokenKinds?: ReadonlyArray<string> | undefined
  /** Fixed headers the operation needs (GHL: `Version`). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * Where the operation takes each context value the connection knows (GHL's
   * `locationId`): parameter names, or `body.<property>`. See `fillContext`.
   */
  readonly context?: Readonly<Record<string, ReadonlyArray<string>>> | undefined
}

export interface Operation<I = unknown, O = unknown> extends CatalogEntry {
  /** Parameters (by name) and, under `body`, the request body. */
  readonly input: Schema.Codec<I, unknown>
  readonly output: Schema.Codec<O, unknown>
}

/** Input of an operation: its parameters by name, and its body under `body`. */
export type InputOf<Op> = Op extends Operation<infer I, any> ? I : never
export type OutputOf<Op> = Op extends Operation<any, infer O> ? O : never

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Flattens a Schema issue into one entry per bad field, with its dotted path. */
export const fieldIssues = (issue: SchemaIssue.Issue): ReadonlyArray<FieldIssue> =>
  formatIssues(issue).issues.map((entry) => ({
    field:
      entry.path === undefined || entry.path.length === 0
        ? "(input)"
        : entry.path.map((key) => String(typeof key === "object" ? key.key : key)).join("."),
    message: entry.message,
  }))

/** Validates input against the operation's Schema; the failure names each bad field. */
export const validate = <I, O>(provider: string, operation: Operation<I, O>, input: unknown) =>
  Schema.decodeUnknownEffect(operation.input)(input, { errors: "all", onExcessProperty: "error" }).pipe(
    Effect.mapError((error) => invalidInput(provider, fieldIssues(error.issue), operation.id)),
  )

/** Builds the request for an already validated input. */
export const toRequest = (operation: CatalogEntry, input: Readonly<Record<string, unknown>>): CrmRequest => {
  let path = operation.path
  const query: Record<string, QueryValue> = {}
  const headers: Record<string, string> = { ...operation.headers }
  for (const parameter of operation.parameters) {
    const value = input[parameter.name]
    if (value === undefined) continue
    switch (parameter.in) {
      case "path":
        // toWellFormed: a lone surrogate would make encodeURIComponent throw.
        path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(value).toWellFormed()))
        break
      case "query":
        // An empty list is no value at all (`fields=` would ask for the empty field).
        if (Array.isArray(value) && value.length === 0) continue
        query[parameter.name] =
          Array.isArray(value) && parameter.explode === false ? value.join(",") : (value as QueryValue)
        break
      case "header":
        headers[parameter.name] = String(value)
        break
    }
  }
  const form =
    operation.bodyContentType === "application/x-www-form-urlencoded" && input.body !== undefined
      ? Object.fromEntries(Object.entries(input.body as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
      : undefined
  return {
    method: operation.method,
    path,
    query,
    headers,
    ...(form === undefined ? { body: input.body } : { form }),
    idempotent: operation.idempotent,
    operation: operation.id,
  }
}

/** Validates, sends and decodes one operation. */
export const call = <I, O>(client: CrmClient, operation: Operation<I, O>, input: I): Effect.Effect<O, CrmError> =>
  Effect.flatMap(validate(client.provider, operation, input), (valid) =>
    client.decode(toRequest(operation, valid as Readonly<Record<string, unknown>>), operation.output),
  )

/** Validates, sends and returns the raw body: for dynamic callers (CLI `call`, "Custom API Call"). */
export const callUnknown = (
  client: CrmClient,
  operation: Operation,
  input: unknown,
): Effect.Effect<unknown, CrmError> =>
  Effect.flatMap(validate(client.provider, operation, input), (valid) =>
    Effect.map(client.execute(toRequest(operation, valid as Readonly<Record<string, unknown>>)), (r) => r.body),
  )

/** Every record of a paginated operation, validated once, streamed page by page. */
export const stream = <A>(
  client: CrmClient,
  operation: Operation,
  input: unknown,
  style: Pagination.PaginationStyle<A>,
): Stream.Stream<A, CrmError> =>
  Stream.unwrap(
    Effect.map(validate(client.provider, operation, input), (valid) =>
      Pagination.items(client, toRequest(operation, valid as Readonly<Record<string, unknown>>), style),
    ),
  )

/**
 * The Pagination style for a generated operation. `params` use the option names of the
 * `Pagination` constructors; keyset cursors are written `"cursor.<response path>": "<request param>"`, and cursors read from the
 * last record `"itemCursor.<path in the record>": "<request param>"`.
 */
export const paginationStyle = <A = unknown>(
  pagination: OperationPagination,
  pageSize: number,
): Pagination.PaginationStyle<A> => {
  const p = pagination.params
  const placement = p.placement === "body" ? ("body" as const) : ("query" as const)
  switch (pagination.style) {
    case "cursor-token":
      return Pagination.cursorToken<A>({
        items: pagination.items,
        tokenParam: p.tokenParam ?? "page_token",
        nextToken: p.nextToken ?? "next_page_token",
        sizeParam: p.sizeParam,
        size: p.sizeParam === undefined ? undefined : pageSize,
        placement,
      })
    case "offset-limit":
      return Pagination.offsetLimit<A>({
        items: pagination.items,
        offsetParam: p.offsetParam,
        limitParam: p.limitParam,
        limit: pageSize,
        total: p.total,
        placement,
      })
    case "page-number":
      return Pagination.pageNumber<A>({
        items: pagination.items,
        pageParam: p.pageParam,
        sizeParam: p.sizeParam ?? "limit",
        size: pageSize,
        hasMore: p.hasMore,
        placement,
      })
    case "keyset": {
      const cursor: Record<string, string> = {}
      const itemCursor: Record<string, string> = {}
      for (const [key, param] of Object.entries(p)) {
        if (key.startsWith("cursor.")) cursor[key.slice("cursor.".length)] = param
        if (key.startsWith("itemCursor.")) itemCursor[key.slice("itemCursor.".length)] = param
      }
      return Pagination.keyset<A>({
        items: pagination.items,
        cursor,
        itemCursor,
        limitParam: p.limitParam,
        limit: p.limitParam === undefined ? undefined : pageSize,
        hasMore: p.hasMore,
        placement,
      })
    }
    case "body-cursor":
      return Pagination.bodyCursor<A>({
        items: pagination.items,
        cursorParam: p.cursorParam ?? "searchAfter",
        itemCursor: p.itemCursor ?? "searchAfter",
        sizeParam: p.sizeParam ?? "pageLimit",
        size: pageSize,
        removeWithCursor: p.removeWithCursor?.split(","),
      })
    case "next-url":
      return Pagination.nextUrl<A>({
        items: pagination.items,
        next: p.next ?? "next",
        sizeParam: p.sizeParam,
        size: pageSize,
      })
  }
}

/** Every page of a paginated operation, validated once; `resumeAt` continues from a saved `Page.next`. */
export const streamPages = (
  client: CrmClient,
  operation: Operation,
  input: unknown,
  pageSize: number,
  options: { readonly resumeAt?: CrmRequest | undefined } = {},
): Stream.Stream<Pagination.Page<unknown>, CrmError> =>
  operation.pagination === undefined
    ? Stream.fail(
        invalidInput(
          client.provider,
          [{ field: "(operation)", message: `${operation.id} does not paginate` }],
          operation.id,
        ),
      )
    : Stream.unwrap(
        Effect.map(validate(client.provider, operation, input), (valid) =>
          Pagination.pages(
            client,
            toRequest(operation, valid as Readonly<Record<string, unknown>>),
            paginationStyle(operation.pagination!, pageSize),
            options,
          ),
        ),
      )

/** Streams every record of a paginated operation (validated once, before the first request). */
export const streamAll = (client: CrmClient, operation: Operation, input: unknown, pageSize: number) =>
  operation.pagination === undefined
    ? Stream.fail(
        invalidInput(
          client.provider,
          [{ field: "(operation)", message: `${operation.id} does not paginate` }],
          operation.id,
        ),
      )
    : stream(client, operation, input, paginationStyle(operation.pagination, pageSize))

/**
 * Fills the context values the connection knows (`CrmClient.context`) wherever the
 * operation takes them (`CatalogEntry.context`) and the input left them out. A body the
 * operation takes is created for them when the input has none.
 */
export const fillContext = (
  operation: CatalogEntry,
  input: unknown,
  context: Readonly<Record<string, string>>,
): unknown => {
  if (operation.context === undefined || (input !== undefined && (input === null || typeof input !== "object"))) {
    return input
  }
  let filled = { ...(input as Record<string, unknown> | undefined) }
  for (const [name, places] of Object.entries(operation.context)) {
    const value = context[name]
    if (value === undefined) continue
    for (const place of places) {
      if (place.startsWith("body.")) {
        const body = filled.body
        if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) continue
        const property = place.slice("body.".length)
        const current = (body ?? {}) as Record<string, unknown>
        if (current[property] === undefined) filled = { ...filled, body: { ...current, [property]: value } }
      } else if (filled[place] === undefined) {
        filled = { ...filled, [place]: value }
      }
    }
  }
  return filled
}

/**
 * Puts the page size where a paginated operation reads it, unless the input has one, so
 * that an input that requires it (a search body's `pageLimit`) validates.
 */
export const withPageSize = (operation: CatalogEntry, input: unknown, pageSize: number): unknown => {
  const pagination = operation.pagination
  if (pagination === undefined || (input !== undefined && (input === null || typeof input !== "object"))) return input
  const params = pagination.params
  const name = params.sizeParam ?? params.limitParam ?? (pagination.style === "body-cursor" ? "pageLimit" : undefined)
  if (name === undefined) return input
  const record = (input ?? {}) as Record<string, unknown>
  const inBody = pagination.style === "body-cursor" || params.placement === "body"
  if (inBody) {
    const body = (record.body ?? {}) as Record<string, unknown>
    return name in body ? record : { ...record, body: { ...body, [name]: pageSize } }
  }
  return name in record ? record : { ...record, [name]: pageSize }
}

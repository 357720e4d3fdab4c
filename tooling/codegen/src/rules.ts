/**
 * Pagination detection rules for provider configs. Each rule looks at an operation's
 * parameters and JSON response and returns an `OperationPagination` whose `params`
 * use the option names of `@crmkit/core`'s `Pagination` constructors:
 *
 * - `cursor-token` → `Pagination.cursorToken`: `tokenParam`, `nextToken`, `sizeParam`, `placement`
 * - `offset-limit` → `Pagination.offsetLimit`: `offsetParam`, `limitParam`, `total`, `placement`
 * - `page-number`  → `Pagination.pageNumber`: `pageParam`, `sizeParam`, `hasMore`, `placement`
 * - `keyset`       → `Pagination.keyset`: `limitParam`, `hasMore`, `placement`, and one
 *                    `cursor.<response path>` entry per cursor value, naming the request parameter
 * - `body-cursor`  → `Pagination.bodyCursor`: `cursorParam`, `itemCursor`, `sizeParam`,
 *                    `removeWithCursor` (comma-separated)
 *
 * `placement` is only present when it is `body` (the core default is `query`).
 */
import type { OperationPagination, PaginationContext, PaginationRule } from "./config.ts"

type Placement = "query" | "body"

const placementOf = (context: PaginationContext, names: ReadonlyArray<string>): Placement | undefined => {
  if (names.every((name) => context.query.includes(name))) return "query"
  if (names.every((name) => context.body.includes(name))) return "body"
  return undefined
}

/**
 * The response path of the records: `preferred` when the response has that array,
 * otherwise the only top-level array, otherwise the only array one level down.
 */
export const itemsOf = (context: PaginationContext, preferred?: ReadonlyArray<string>): string | undefined => {
  for (const name of preferred ?? []) if (context.responseArrays.includes(name)) return name
  const top = context.responseArrays.filter((path) => !path.includes("."))
  if (top.length === 1) return top[0]
  if (top.length > 1) return undefined
  const nested = context.responseArrays.filter((path) => path.split(".").length === 2)
  return nested.length === 1 ? nested[0] : undefined
}

const make = (
  style: OperationPagination["style"],
  items: string,
  placement: Placement,
  params: Record<string, string | undefined>,
): OperationPagination => {
  const clean: Record<string, string> = {}
  for (const [key, value] of Object.entries(params)) if (value !== undefined) clean[key] = value
  if (placement === "body") clean.placement = "body"
  return { style, items, params: clean }
}

const firstPresent = (context: PaginationContext, placement: Placement, names: ReadonlyArray<string>) =>
  names.find((name) => (placement === "query" ? context.query : context.body).includes(name))

/** An opaque token: `page_token` → `next_page_token` (Keap v2), `cursor` → `nextCursor`. */
export const cursorToken =
  (options: {
    readonly tokenParam: string
    readonly nextToken: string
    readonly sizeParams?: ReadonlyArray<string>
    /** Only when the response declares `nextToken` (default true). */
    readonly requireNextToken?: boolean
    readonly items?: ReadonlyArray<string>
  }): PaginationRule =>
  (context) => {
    const placement = placementOf(context, [options.tokenParam])
    if (placement === undefined) return undefined
    if (options.requireNextToken !== false && context.response[options.nextToken.split(".")[0]!] === undefined) {
      return undefined
    }
    const items = itemsOf(context, options.items)
    if (items === undefined) return undefined
    return make("cursor-token", items, placement, {
      tokenParam: options.tokenParam,
      nextToken: options.nextToken,
      sizeParam: firstPresent(context, placement, options.sizeParams ?? []),
    })
  }

const TOTALS = ["total", "totalCount"]

/** `offset`/`limit` or `skip`/`limit`, in the query or the body. */
export const offsetLimit =
  (options: {
    readonly offsetParam: string
    readonly limitParam: string
    readonly items?: ReadonlyArray<string>
  }): PaginationRule =>
  (context) => {
    const placement = placementOf(context, [options.offsetParam, options.limitParam])
    if (placement === undefined) return undefined
    const items = itemsOf(context, options.items)
    if (items === undefined) return undefined
    const total = TOTALS.find((name) => context.response[name] === "number")
    return make("offset-limit", items, placement, {
      offsetParam: options.offsetParam,
      limitParam: options.limitParam,
      total,
    })
  }

/** `page` with one of the size parameters (`limit`, `pageSize`, `pageLimit`...). */
export const pageNumber =
  (options: {
    readonly pageParam: string
    readonly sizeParams: ReadonlyArray<string>
    readonly hasMore?: string
    readonly items?: ReadonlyArray<string>
  }): PaginationRule =>
  (context) => {
    for (const sizeParam of options.sizeParams) {
      const placement = placementOf(context, [options.pageParam, sizeParam])
      if (placement === undefined) continue
      const items = itemsOf(context, options.items)
      if (items === undefined) return undefined
      const hasMore =
        options.hasMore !== undefined && context.response[options.hasMore] === "boolean" ? options.hasMore : undefined
      return make("page-number", items, placement, { pageParam: options.pageParam, sizeParam, hasMore })
    }
    return undefined
  }

/**
 * Keyset: the next request takes values from the response, e.g.
 * `{ "meta.startAfterId": "startAfterId", "meta.startAfter": "startAfter" }`.
 */
export const keyset =
  (options: {
    /** Request parameters that must all be present. */
    readonly requires: ReadonlyArray<string>
    /** Response path → request parameter. */
    readonly cursor: Readonly<Record<string, string>>
    readonly limitParam?: string
    readonly hasMore?: string
    /** Only when the response declares every cursor path's first segment (default true). */
    readonly requireCursorInResponse?: boolean
    readonly items?: ReadonlyArray<string>
  }): PaginationRule =>
  (context) => {
    const placement = placementOf(context, options.requires)
    if (placement === undefined) return undefined
    if (
      options.requireCursorInResponse !== false &&
      Object.keys(options.cursor).some((path) => context.response[path.split(".")[0]!] === undefined)
    ) {
      return undefined
    }
    const items = itemsOf(context, options.items)
    if (items === undefined) return undefined
    const params: Record<string, string | undefined> = {
      limitParam:
        options.limitParam !== undefined && firstPresent(context, placement, [options.limitParam]) !== undefined
          ? options.limitParam
          : undefined,
      hasMore:
        options.hasMore !== undefined && context.response[options.hasMore] !== undefined ? options.hasMore : undefined,
    }
    for (const [from, to] of Object.entries(options.cursor)) params[`cursor.${from}`] = to
    return make("keyset", items, placement, params)
  }

/** The last item's sort values go into the next body (`searchAfter`), e.g. GHL contact search. */
export const bodyCursor =
  (options: {
    readonly cursorParam: string
    readonly itemCursor: string
    readonly sizeParams: ReadonlyArray<string>
    readonly removeWithCursor?: ReadonlyArray<string>
    /** Only when the items declare `itemCursor` (default true). */
    readonly requireItemCursor?: boolean
    readonly items?: ReadonlyArray<string>
  }): PaginationRule =>
  (context) => {
    if (!context.body.includes(options.cursorParam)) return undefined
    const sizeParam = options.sizeParams.find((name) => context.body.includes(name))
    if (sizeParam === undefined) return undefined
    const items = itemsOf(context, options.items)
    if (items === undefined) return undefined
    if (options.requireItemCursor !== false && !context.itemProperties(items).includes(options.itemCursor)) {
      return undefined
    }
    const remove = (options.removeWithCursor ?? []).filter((name) => context.body.includes(name))
    return {
      style: "body-cursor",
      items,
      params: {
        cursorParam: options.cursorParam,
        itemCursor: options.itemCursor,
        sizeParam,
        ...(remove.length > 0 ? { removeWithCursor: remove.join(",") } : {}),
      },
    }
  }

/**
 * A tiny method + path-pattern router. Patterns use `:name` segments (`/contacts/:id`); a trailing
 * slash is ignored on both sides, so `/contacts/` and `/contacts` match the same route (GHL documents
 * some paths with a trailing slash, clients send both). When several patterns match, the one with
 * more literal segments wins, so `/contacts/search` beats `/contacts/:id` whatever the order of `add`.
 */

export interface RouteMatch<R> {
  readonly kind: "match"
  readonly route: R
  /** The pattern as registered, for stats keys such as "GET /contacts/:id". */
  readonly pattern: string
  readonly params: Readonly<Record<string, string>>
}

export type RouteLookup<R> =
  | RouteMatch<R>
  | { readonly kind: "method_not_allowed"; readonly allowed: readonly string[] }
  | { readonly kind: "not_found" }

interface Entry<R> {
  readonly method: string
  readonly pattern: string
  readonly segments: readonly string[]
  readonly literalCount: number
  readonly route: R
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment.length > 0)
}

export class Router<R> {
  readonly #entries: Entry<R>[] = []

  add(method: string, pattern: string, route: R): this {
    const segments = splitPath(pattern)
    this.#entries.push({
      method: method.toUpperCase(),
      pattern,
      segments,
      literalCount: segments.filter((segment) => !segment.startsWith(":")).length,
      route,
    })
    return this
  }

  match(method: string, path: string): RouteLookup<R> {
    const segments = splitPath(path)
    let best: { entry: Entry<R>; params: Record<string, string> } | undefined
    const allowed = new Set<string>()
    for (const entry of this.#entries) {
      const params = matchSegments(entry.segments, segments)
      if (params === undefined) continue
      allowed.add(entry.method)
      if (entry.method !== method) continue
      if (best === undefined || entry.literalCount > best.entry.literalCount) best = { entry, params }
    }
    if (best !== undefined) {
      return { kind: "match", route: best.entry.route, pattern: best.entry.pattern, params: best.params }
    }
    return allowed.size > 0 ? { kind: "method_not_allowed", allowed: [...allowed] } : { kind: "not_found" }
  }
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string
    const segment = actual[i] as string
    if (expected.startsWith(":")) {
      try {
        params[expected.slice(1)] = decodeURIComponent(segment)
      } catch {
        return undefined
      }
    } else if (expected !== segment) {
      return undefined
    }
  }
  return params
}

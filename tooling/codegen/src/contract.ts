/**
 * Helpers for the providers' contract tests, which check the requests built from operation
 * descriptors against the official specs with an OpenAPI request validator.
 */

/** A request's query as the validator reads it: each value a string (or strings), null and undefined left out. */
export const specQuery = (query: Readonly<Record<string, unknown>> | undefined): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue
    out[name] = Array.isArray(value) ? value.map(String) : String(value)
  }
  return out
}

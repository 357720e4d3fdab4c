/** Rows as Zapier needs them: a string `id` on every item (its dedupe key for polling). */
export type Row = Record<string, unknown> & { readonly id: string }

export const row = (record: object): Row => ({
  ...(record as Record<string, unknown>),
  id: String((record as { id?: unknown }).id),
})

/** For "changed" triggers: the same record changing again is a new item (Zapier dedupes by id). */
export const changeRow = (record: object, originalKey: string, ...parts: ReadonlyArray<unknown>): Row => {
  const original = String((record as { id?: unknown }).id)
  return {
    ...(record as Record<string, unknown>),
    [originalKey]: original,
    id: [original, ...parts.map(String)].join("-"),
  }
}

/** Newest first by a date field; records without it sort last. */
export const newestFirst = <A extends object>(records: ReadonlyArray<A>, field: string): Array<A> =>
  [...records].sort(
    (a, b) =>
      (Date.parse(String((b as Record<string, unknown>)[field] ?? "")) || 0) -
      (Date.parse(String((a as Record<string, unknown>)[field] ?? "")) || 0),
  )

/** Zapier's dedupe needs each id once per poll. */
export const uniqueById = (rows: ReadonlyArray<Row>): Array<Row> => {
  const seen = new Set<string>()
  return rows.filter((r) => {
    if (seen.has(r.id)) return false
    seen.add(r.id)
    return true
  })
}

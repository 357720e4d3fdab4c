/**
 * Output formats. Data goes to stdout only; progress and errors go to stderr, so a
 * pipe receives clean records.
 */
export type Format = "table" | "json" | "ndjson" | "csv"

export const defaultFormat = (): Format => (process.stdout.isTTY ? "table" : "ndjson")

const cell = (value: unknown): string => {
  if (value === undefined || value === null) return ""
  if (typeof value === "object") return JSON.stringify(value)
  return String(value)
}

const csvCell = (value: unknown): string => {
  const text = cell(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Columns: the keys of the first rows, in order of appearance. */
export const columnsOf = (rows: ReadonlyArray<unknown>): ReadonlyArray<string> => {
  const seen = new Set<string>()
  for (const row of rows.slice(0, 50)) {
    if (row !== null && typeof row === "object" && !Array.isArray(row))
      for (const key of Object.keys(row)) seen.add(key)
  }
  return [...seen]
}

export const table = (rows: ReadonlyArray<unknown>, columns = columnsOf(rows), maxWidth = 40): string => {
  if (rows.length === 0) return "(no records)"
  if (columns.length === 0) return rows.map(cell).join("\n")
  const text = rows.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c]).slice(0, maxWidth)))
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i]!.length)))
  const line = (values: ReadonlyArray<string>) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n")
}

export const csvHeader = (columns: ReadonlyArray<string>) => columns.map(csvCell).join(",")
export const csvRow = (row: unknown, columns: ReadonlyArray<string>) =>
  columns.map((c) => csvCell((row as Record<string, unknown>)?.[c])).join(",")

/** Renders a complete result (not streamed). */
export const render = (value: unknown, format: Format): string => {
  const rows = Array.isArray(value) ? value : [value]
  switch (format) {
    case "json":
      return JSON.stringify(value, null, 2)
    case "ndjson":
      return rows.map((r) => JSON.stringify(r)).join("\n")
    case "csv": {
      const columns = columnsOf(rows)
      return [csvHeader(columns), ...rows.map((r) => csvRow(r, columns))].join("\n")
    }
    case "table":
      return table(rows)
  }
}

/** One answer (not a stream): a table only when it is a list of records, JSON otherwise. */
export const renderResult = (value: unknown, format: Format): string =>
  render(value ?? null, format === "table" && !Array.isArray(value) ? "json" : format)

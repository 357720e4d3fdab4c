/**
 * The "API Request" action of both apps: any catalog operation by id, except those that move
 * money (Zapier's publishing rules forbid financial transactions). The choice list is built
 * from the provider's catalog, so it needs no request.
 */
import type { Operation } from "@crmkit/core"

// Writes on these resources charge, refund or bill: never offered, refused if named.
const moneyMoving =
  /payment|subscription|transaction|refund|charge|merchant|credit.?card|billing|invoice|wallet|coupon/i

export const isMoneyMoving = (entry: Operation.CatalogEntry): boolean =>
  entry.access === "write" && moneyMoving.test(`${entry.id} ${entry.path}`)

export interface Choice {
  readonly id: string
  readonly name: string
}

/** Dropdown rows (id + readable name) of the operations the action may run. */
export const choices = (catalog: ReadonlyArray<Operation.CatalogEntry>): Array<Choice> =>
  catalog
    .filter((entry) => !isMoneyMoving(entry))
    .map((entry) => ({
      id: entry.id,
      name: `${entry.method} ${entry.path} (${entry.id})${entry.summary ? `: ${entry.summary}` : ""}`,
    }))

/** Parses a JSON object field, or explains which field is wrong. */
export const jsonObject = (field: string, value: unknown): Record<string, unknown> | string => {
  if (value === undefined || value === null || value === "") return {}
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(String(value))
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>
  } catch {}
  return `${field} must be a JSON object, e.g. {"contact_id": "12"}`
}

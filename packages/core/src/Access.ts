/**
 * What an operation can do to an account, as a person granting an AI agent access thinks
 * of it: read, write, delete, send a message to people, or move money. Each provider
 * names its money resources and its sending operations (`Connector.Runtime.risks`); the
 * rest follows from the catalog (a GET reads, a DELETE deletes).
 */
import type { CatalogEntry } from "./Operation.ts"

export type Access = "read" | "write" | "delete" | "send" | "money"

/** From the least to the most an operation can do. */
export const levels: ReadonlyArray<Access> = ["read", "write", "delete", "send", "money"]

export interface Risks {
  /** Catalog resources whose writes move money (orders, payments, subscriptions, refunds...). */
  readonly money: ReadonlyArray<string>
  /** Operations that send an email, a text or a document to people. */
  readonly sends: ReadonlyArray<string>
}

export const none: Risks = { money: [], sends: [] }

/** `contacts`, `Contact`, `custom-fields` and `customField` name one resource. */
export const sameResource = (a: string, b: string): boolean => normalize(a) === normalize(b)

const normalize = (name: string) =>
  name
    .toLowerCase()
    .replace(/[-_\s]/g, "")
    .replace(/ies$/, "y")
    .replace(/s$/, "")

/** What one catalog operation can do. */
export const ofOperation = (entry: CatalogEntry, risks: Risks = none): Access => {
  if (entry.access === "read") return "read"
  if (risks.sends.includes(entry.id)) return "send"
  if (risks.money.some((resource) => sameResource(resource, entry.resource))) return "money"
  return entry.method === "DELETE" ? "delete" : "write"
}

/** The most any of these operations can do; `fallback` when none is known. */
export const ofOperations = (
  ids: ReadonlyArray<string>,
  catalog: ReadonlyArray<CatalogEntry>,
  risks: Risks = none,
  fallback: Access = "write",
): Access => {
  const byId = new Map(catalog.map((entry) => [entry.id, entry]))
  const found = ids.flatMap((id) => {
    const entry = byId.get(id)
    return entry === undefined ? [] : [ofOperation(entry, risks)]
  })
  if (found.length === 0) return fallback
  return found.reduce((most, access) => (levels.indexOf(access) > levels.indexOf(most) ? access : most))
}

/** The entities a migration moves, and the hashes that tell whether a record changed. */
import { createHash } from "node:crypto"
import type { Records } from "@crmkit/core"

/** Companies are part of the common model; the engine does not move them yet. */
export type Entity = "contact" | "note" | "task" | "opportunity"
export const ENTITIES: ReadonlyArray<Entity> = ["contact", "note", "task", "opportunity"]

const stable = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(",")}}`
  }
  return JSON.stringify(value ?? null)
}

export const hash = (value: unknown): string => createHash("sha256").update(stable(value)).digest("hex").slice(0, 32)

const str = (value: unknown) => (value === undefined || value === null ? "" : String(value).trim())

/**
 * What of a contact both CRMs hold, compared the same way on both sides: the primary
 * email and phone, names, company, the first address, tags (case-insensitive), custom
 * fields (values as text), owner. The source-id marker is not part of it.
 */
export const contactProjection = (c: Records.Contact) => {
  const a = c.addresses[0]
  return {
    givenName: str(c.givenName),
    familyName: str(c.familyName),
    email: str(c.emails[0]),
    phone: str(c.phones[0]),
    companyName: str(c.companyName),
    address:
      a === undefined
        ? {}
        : {
            line1: str(a.line1),
            city: str(a.city),
            region: str(a.region),
            postalCode: str(a.postalCode),
            country: str(a.country),
          },
    tags: [...new Set(c.tags.map((t) => t.toLowerCase()))].sort(),
    customFields: Object.fromEntries(
      Object.entries(c.customFields)
        .filter(([, v]) => v !== null && v !== "")
        .map(([k, v]) => [k, str(v)]),
    ),
    owner: str(c.ownerEmail),
  }
}

export const contactHash = (c: Records.Contact): string => hash(contactProjection(c))

/** The fields of two projections that differ, with both values. */
export const differences = (
  source: ReturnType<typeof contactProjection>,
  target: ReturnType<typeof contactProjection>,
): Record<string, { readonly source: unknown; readonly target: unknown }> => {
  const out: Record<string, { source: unknown; target: unknown }> = {}
  for (const key of Object.keys(source) as Array<keyof typeof source>) {
    if (hash(source[key]) !== hash(target[key])) out[key] = { source: source[key], target: target[key] }
  }
  return out
}

/** A note's content under its parent, as found again in the target. */
export const noteHash = (parentTargetId: string, body: string): string =>
  hash({ parent: parentTargetId, body: body.trim() })

export const taskHash = (parentTargetId: string, task: Records.Task): string =>
  hash({ parent: parentTargetId, title: task.title.trim(), body: str(task.body), completed: task.completed })

export const opportunityHash = (o: Records.Opportunity): string =>
  hash({
    contact: o.contactId,
    name: o.name,
    value: o.value ?? null,
    status: o.status,
    pipeline: o.pipeline,
    stage: o.stage,
    owner: str(o.ownerEmail),
  })

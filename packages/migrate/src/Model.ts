/**
 * The entities a migration moves, the field groups of a contact, and the hashes that tell
 * whether a record changed (a contact's per group, so that a record edited on both sides can
 * be resolved group by group).
 */
import { createHash } from "node:crypto"
import type { Records } from "@crmkit/core"

/** The records a migration moves. */
export type RecordEntity = "company" | "contact" | "note" | "task" | "opportunity"
/** What the state keeps links and intents of: the records, and the target custom fields a run created. */
export type Entity = RecordEntity | "customField"
/** In the order a run moves them: custom fields and companies before the contacts using them, children after. */
export const ENTITIES: ReadonlyArray<Entity> = ["customField", "company", "contact", "note", "task", "opportunity"]

/**
 * A contact's fields in groups, each with its own conflict policy: `identity` (email and phone),
 * `name`, `company` (name and company record), `address`, `tags`, `customFields`, `owner`, `optIn`.
 */
export const CONTACT_GROUPS = [
  "identity",
  "name",
  "company",
  "address",
  "tags",
  "customFields",
  "owner",
  "optIn",
] as const
export type ContactGroup = (typeof CONTACT_GROUPS)[number]

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

/** The channels stated, in a fixed order; undefined when none (so that it leaves a hash as it was). */
const optInProjection = (optIn: Records.OptIn | undefined) => {
  if (optIn === undefined) return undefined
  const stated = Object.entries(optIn).filter(([, v]) => v !== undefined)
  return stated.length === 0 ? undefined : Object.fromEntries(stated.sort(([a], [b]) => a.localeCompare(b)))
}

/**
 * What of a contact both CRMs hold, compared the same way on both sides: the primary
 * email and phone, names, company (the company record where the target links one, else the name),
 * the first address, tags (case-insensitive), custom fields (values as text), owner, opt-in.
 * The source-id marker is not part of it. A company record or opt-in state nobody stated adds
 * nothing, so hashes taken before they existed still hold.
 */
export const contactProjection = (c: Records.Contact) => {
  const a = c.addresses[0]
  return {
    givenName: str(c.givenName),
    familyName: str(c.familyName),
    email: str(c.emails[0]),
    phone: str(c.phones[0]),
    // Linked to a company record, the contact's company is that record (its name is the record's).
    companyName: c.companyId === undefined ? str(c.companyName) : "",
    companyId: c.companyId,
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
    optIn: optInProjection(c.optIn),
  }
}

export type ContactProjection = ReturnType<typeof contactProjection>

/** The group each field of the projection belongs to. */
export const GROUP_OF: Readonly<Record<keyof ContactProjection, ContactGroup>> = {
  email: "identity",
  phone: "identity",
  givenName: "name",
  familyName: "name",
  companyName: "company",
  companyId: "company",
  address: "address",
  tags: "tags",
  customFields: "customFields",
  owner: "owner",
  optIn: "optIn",
}

const groupValues = (projection: ContactProjection, group: ContactGroup) =>
  Object.fromEntries(
    (Object.keys(projection) as Array<keyof ContactProjection>)
      .filter((k) => GROUP_OF[k] === group)
      .map((k) => [k, projection[k]]),
  )

/**
 * A contact's hash: one short hash per field group (`identity=…;name=…;…`), so that a later run
 * sees which groups changed since the two sides were last in step.
 */
export const contactHash = (c: Records.Contact): string => {
  const projection = contactProjection(c)
  return CONTACT_GROUPS.map((g) => `${g}=${hash(groupValues(projection, g)).slice(0, 16)}`).join(";")
}

const parseGroups = (stored: string): Map<string, string> | undefined => {
  if (!stored.includes("=")) return undefined
  return new Map(stored.split(";").map((part) => part.split("=") as [string, string]))
}

/**
 * The groups of `c` that differ from a stored contact hash. A hash stored before hashes had
 * groups (one hash of the whole record) tells only whether anything changed: then every group
 * counts as changed, or none.
 */
export const changedGroups = (stored: string, c: Records.Contact): ReadonlySet<ContactGroup> => {
  const groups = parseGroups(stored)
  if (groups === undefined) return new Set(stored === hash(contactProjection(c)) ? [] : CONTACT_GROUPS)
  const current = parseGroups(contactHash(c)) as Map<string, string>
  return new Set(CONTACT_GROUPS.filter((g) => groups.get(g) !== current.get(g)))
}

/** Whether `c` is the contact a stored hash was taken of (in every group). */
export const sameContact = (stored: string, c: Records.Contact): boolean => changedGroups(stored, c).size === 0

/** The fields of two projections that differ, with both values (only those of `groups`, when given). */
export const differences = (
  source: ContactProjection,
  target: ContactProjection,
  groups?: ReadonlySet<ContactGroup>,
): Record<string, { readonly source: unknown; readonly target: unknown }> => {
  const out: Record<string, { source: unknown; target: unknown }> = {}
  for (const key of Object.keys(source) as Array<keyof ContactProjection>) {
    if (groups !== undefined && !groups.has(GROUP_OF[key])) continue
    if (hash(source[key]) !== hash(target[key])) out[key] = { source: source[key], target: target[key] }
  }
  return out
}

/** The groups in which two contacts differ. */
export const differingGroups = (a: Records.Contact, b: Records.Contact): ReadonlySet<ContactGroup> =>
  new Set(
    Object.keys(differences(contactProjection(a), contactProjection(b))).map(
      (k) => GROUP_OF[k as keyof ContactProjection],
    ),
  )

export const companyHash = (c: Records.Company): string =>
  hash({
    name: c.name.trim(),
    email: str(c.email),
    phone: str(c.phone),
    website: str(c.website),
    address:
      c.address === undefined
        ? {}
        : {
            line1: str(c.address.line1),
            city: str(c.address.city),
            region: str(c.address.region),
            postalCode: str(c.address.postalCode),
            country: str(c.address.country),
          },
  })

/** A company's name as matched across CRMs: trimmed, case and spacing ignored. */
export const companyKey = (name: string): string => name.trim().toLowerCase().replace(/\s+/g, " ")

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

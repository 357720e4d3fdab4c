/**
 * The mapping file (YAML): which source custom field, tag, user, pipeline and stage
 * becomes which in the target, and the conflict policy per entity. `propose` writes a
 * first version from both sides' lookups (custom fields by normalised name, tags by
 * name, users by email, pipelines and stages by name); the user edits it. `null` means
 * "not carried": such a field is reported as unmapped, never dropped quietly.
 */
import type { Records } from "@crmkit/core"
import * as YAML from "yaml"
import type { Entity } from "./Model.ts"

export const POLICIES = ["source-wins", "target-wins", "newest-wins", "merge-non-empty", "review"] as const
export type Policy = (typeof POLICIES)[number]

export interface PipelineMapping {
  readonly to: string | null
  readonly stages: Readonly<Record<string, string | null>>
}

export interface Mapping {
  readonly version: 1
  readonly from: string
  readonly to: string
  readonly customFields: Readonly<Record<string, string | null>>
  readonly tags: Readonly<Record<string, string | null>>
  readonly users: Readonly<Record<string, string | null>>
  readonly pipelines: Readonly<Record<string, PipelineMapping>>
  readonly conflicts: Readonly<Record<Entity, Policy>>
  /** Whether `source-wins` may overwrite a target's email and phone (default false: they are kept). */
  readonly overwriteIdentity: boolean
  /** Default region for phone numbers written without a country code (alpha-2). */
  readonly defaultRegion: string
}

/** Lower case, letters and digits only: `Lead Score`, `lead_score` and `leadScore` match. */
export const normaliseName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, "")

export const propose = (from: string, to: string, source: Records.Lookups, target: Records.Lookups): Mapping => {
  const byName = <T extends { readonly name: string }>(items: ReadonlyArray<T>, name: string) =>
    items.find((item) => normaliseName(item.name) === normaliseName(name))
  const pipelines: Record<string, PipelineMapping> = {}
  for (const p of source.pipelines) {
    const match = byName(target.pipelines, p.name) ?? (target.pipelines.length === 1 ? target.pipelines[0] : undefined)
    pipelines[p.name] = {
      to: match?.name ?? null,
      stages: Object.fromEntries(p.stages.map((s) => [s.name, (match && byName(match.stages, s.name)?.name) ?? null])),
    }
  }
  return {
    version: 1,
    from,
    to,
    customFields: Object.fromEntries(
      source.customFields.map((f) => [f.name, byName(target.customFields, f.name)?.name ?? null]),
    ),
    tags: Object.fromEntries(source.tags.map((t) => [t.name, byName(target.tags, t.name)?.name ?? t.name])),
    users: Object.fromEntries(
      source.users.map((u) => [u.email, target.users.find((t) => t.email === u.email)?.email ?? null]),
    ),
    pipelines,
    conflicts: { contact: "review", note: "source-wins", task: "source-wins", opportunity: "source-wins" },
    overwriteIdentity: false,
    defaultRegion: "US",
  }
}

const HEADER = `# crmkit migrate mapping: edit, then run \`crmkit migrate plan\` again.
# customFields, tags, users: source name (or email) -> target name (or email); null = not carried (reported).
# pipelines: source pipeline -> { to: target pipeline, stages: { source stage: target stage } }.
# conflicts: per entity, one of ${POLICIES.join(", ")} (a record changed on both sides since the last run).
# overwriteIdentity: true lets source-wins replace a target's email and phone.
`

export const stringify = (mapping: Mapping): string => HEADER + YAML.stringify(mapping)

export class MappingError extends Error {
  override readonly name = "MappingError"
}

const record = (value: unknown, path: string, problems: Array<string>): Record<string, unknown> => {
  if (value === undefined || value === null) return {}
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push(`${path} must be a map`)
    return {}
  }
  return value as Record<string, unknown>
}

const names = (value: unknown, path: string, problems: Array<string>): Record<string, string | null> => {
  const out: Record<string, string | null> = {}
  for (const [k, v] of Object.entries(record(value, path, problems))) {
    if (v === null || typeof v === "string") out[k] = v
    else problems.push(`${path}.${k} must be a name or null, got ${JSON.stringify(v)}`)
  }
  return out
}

/** Reads a mapping file's text; every problem is listed in one `MappingError`. */
export const parse = (text: string, file = "mapping"): Mapping => {
  let doc: unknown
  try {
    doc = YAML.parse(text)
  } catch (error) {
    throw new MappingError(`${file}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`)
  }
  const problems: Array<string> = []
  const root = record(doc, "mapping", problems)
  if (root.version !== 1) problems.push(`version must be 1, got ${JSON.stringify(root.version)}`)
  for (const key of Object.keys(root)) {
    if (
      ![
        "version",
        "from",
        "to",
        "customFields",
        "tags",
        "users",
        "pipelines",
        "conflicts",
        "overwriteIdentity",
        "defaultRegion",
      ].includes(key)
    )
      problems.push(`unknown key "${key}"`)
  }
  const pipelines: Record<string, PipelineMapping> = {}
  for (const [name, value] of Object.entries(record(root.pipelines, "pipelines", problems))) {
    const p = record(value, `pipelines.${name}`, problems)
    if (p.to !== null && typeof p.to !== "string") problems.push(`pipelines.${name}.to must be a name or null`)
    pipelines[name] = {
      to: (p.to as string | null) ?? null,
      stages: names(p.stages, `pipelines.${name}.stages`, problems),
    }
  }
  const conflicts: Record<string, Policy> = {
    contact: "review",
    note: "source-wins",
    task: "source-wins",
    opportunity: "source-wins",
  }
  for (const [entity, policy] of Object.entries(record(root.conflicts, "conflicts", problems))) {
    if (!(entity in conflicts)) problems.push(`conflicts.${entity}: unknown entity (contact, note, task, opportunity)`)
    else if (!(POLICIES as ReadonlyArray<unknown>).includes(policy))
      problems.push(`conflicts.${entity}: unknown policy ${JSON.stringify(policy)} (use ${POLICIES.join(", ")})`)
    else conflicts[entity] = policy as Policy
  }
  if (root.overwriteIdentity !== undefined && typeof root.overwriteIdentity !== "boolean")
    problems.push("overwriteIdentity must be true or false")
  const region = root.defaultRegion ?? "US"
  if (typeof region !== "string" || !/^[A-Za-z]{2}$/.test(region))
    problems.push("defaultRegion must be an alpha-2 country code")
  const mapping: Mapping = {
    version: 1,
    from: String(root.from ?? ""),
    to: String(root.to ?? ""),
    customFields: names(root.customFields, "customFields", problems),
    tags: names(root.tags, "tags", problems),
    users: names(root.users, "users", problems),
    pipelines,
    conflicts: conflicts as Record<Entity, Policy>,
    overwriteIdentity: root.overwriteIdentity === true,
    defaultRegion: String(region).toUpperCase(),
  }
  if (problems.length > 0) throw new MappingError(`${file}: ${problems.join("; ")}`)
  return mapping
}

/**
 * Problems of a mapping against both sides: the providers it names, target names that
 * do not exist. Checked before anything is written.
 */
export const check = (mapping: Mapping, from: string, to: string, target: Records.Lookups): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (mapping.from !== from || mapping.to !== to)
    problems.push(`the mapping is for ${mapping.from} -> ${mapping.to}, not ${from} -> ${to}`)
  for (const [source, name] of Object.entries(mapping.customFields)) {
    if (name !== null && !target.customFields.some((f) => f.name === name))
      problems.push(`customFields."${source}": the target has no custom field "${name}"`)
  }
  for (const [source, email] of Object.entries(mapping.users)) {
    if (email !== null && !target.users.some((u) => u.email === email.toLowerCase()))
      problems.push(`users."${source}": the target has no user ${email}`)
  }
  for (const [name, p] of Object.entries(mapping.pipelines)) {
    if (p.to === null) continue
    const pipeline = target.pipelines.find((t) => t.name === p.to)
    if (pipeline === undefined) {
      problems.push(`pipelines."${name}".to: the target has no pipeline "${p.to}"`)
      continue
    }
    for (const [stage, to] of Object.entries(p.stages)) {
      if (to !== null && !pipeline.stages.some((s) => s.name === to))
        problems.push(`pipelines."${name}".stages."${stage}": pipeline "${p.to}" has no stage "${to}"`)
    }
  }
  return problems
}

export interface Unmapped {
  /** Source custom fields with values that the mapping does not carry: field -> records. */
  readonly customFields: Record<string, number>
  readonly tags: Record<string, number>
  readonly users: Record<string, number>
  /** Values beyond what the target holds (GHL: one email, one phone). */
  readonly extraEmails: number
  readonly extraPhones: number
}

export const emptyUnmapped = (): Unmapped => ({ customFields: {}, tags: {}, users: {}, extraEmails: 0, extraPhones: 0 })

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1
}

/** The source contact in the target's words (`sourceId` set to the source id, as a marker). */
export const mapContact = (
  c: Records.Contact,
  mapping: Mapping,
  unmapped: Unmapped,
  slots: Records.Lookups["contactSlots"],
): Records.Contact => {
  const customFields: Record<string, Records.FieldValue> = {}
  for (const [name, value] of Object.entries(c.customFields)) {
    const to = mapping.customFields[name]
    if (to === undefined || to === null) bump(unmapped.customFields, name)
    else customFields[to] = value
  }
  const tags: Array<string> = []
  for (const tag of c.tags) {
    const to = tag in mapping.tags ? mapping.tags[tag] : tag
    if (to === null || to === undefined) bump(unmapped.tags, tag)
    else if (!tags.includes(to)) tags.push(to)
  }
  let ownerEmail: string | undefined
  if (c.ownerEmail !== undefined) {
    const to = mapping.users[c.ownerEmail]
    if (to === undefined || to === null) bump(unmapped.users, c.ownerEmail)
    else ownerEmail = to.toLowerCase()
  }
  if (c.emails.length > slots.emails)
    (unmapped as { extraEmails: number }).extraEmails += c.emails.length - slots.emails
  if (c.phones.length > slots.phones)
    (unmapped as { extraPhones: number }).extraPhones += c.phones.length - slots.phones
  return {
    ...c,
    emails: c.emails.slice(0, slots.emails),
    phones: c.phones.slice(0, slots.phones),
    customFields,
    tags,
    ownerEmail,
    sourceId: c.id,
  }
}

/** Pipeline and stage in the target's words, or why the opportunity cannot be carried. */
export const mapStage = (
  mapping: Mapping,
  pipeline: string,
  stage: string,
): { readonly pipeline: string; readonly stage: string } | { readonly reason: string } => {
  const p = mapping.pipelines[pipeline]
  if (p === undefined || p.to === null) return { reason: `pipeline "${pipeline}" is not mapped` }
  const to = p.stages[stage]
  if (to === undefined || to === null) return { reason: `stage "${stage}" of pipeline "${pipeline}" is not mapped` }
  return { pipeline: p.to, stage: to }
}

export const mapUser = (mapping: Mapping, email: string | undefined): string | undefined => {
  if (email === undefined) return undefined
  const to = mapping.users[email]
  return to === null || to === undefined ? undefined : to.toLowerCase()
}

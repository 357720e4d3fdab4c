/**
 * The mapping file (YAML): which source custom field, tag, user, pipeline and stage
 * becomes which in the target (and which missing target custom fields to create), and the
 * conflict policy per entity and, for contacts, per field group. `propose` writes a first
 * version from both sides' lookups (custom fields by normalised name, tags by name, users by
 * email, pipelines and stages by name); the user edits it. `null` means "not carried": such a
 * field is reported as unmapped, never dropped quietly.
 */
import { Records } from "@crmkit/core"
import * as YAML from "yaml"
import { CONTACT_GROUPS, type ContactGroup, type RecordEntity } from "./Model.ts"

export const POLICIES = ["source-wins", "target-wins", "newest-wins", "merge-non-empty", "review"] as const
export type Policy = (typeof POLICIES)[number]

/** A contact's policies by field group; a group not named follows `default`. */
export interface GroupPolicies {
  readonly default: Policy
  readonly groups: Readonly<Partial<Record<ContactGroup, Policy>>>
}

/** One policy for the whole record, or (contacts) policies per field group. */
export type EntityPolicy = Policy | GroupPolicies

/** A target custom field to create: `create: true` takes the source field's name (and type, when it has a common one). */
export interface CreateField {
  readonly create: string | true
  readonly type?: Records.FieldType | undefined
}

export type FieldMapping = string | null | CreateField

const DEFAULT_POLICIES: Readonly<Record<RecordEntity, Policy>> = {
  company: "source-wins",
  contact: "review",
  note: "source-wins",
  task: "source-wins",
  opportunity: "source-wins",
}

export interface PipelineMapping {
  readonly to: string | null
  readonly stages: Readonly<Record<string, string | null>>
}

export interface Mapping {
  readonly version: 1
  readonly from: string
  readonly to: string
  readonly customFields: Readonly<Record<string, FieldMapping>>
  readonly tags: Readonly<Record<string, string | null>>
  readonly users: Readonly<Record<string, string | null>>
  readonly pipelines: Readonly<Record<string, PipelineMapping>>
  /** Per entity; a mapping file written before companies existed has none for them (the default applies). */
  readonly conflicts: Readonly<Record<Exclude<RecordEntity, "company">, EntityPolicy>> & {
    readonly company?: EntityPolicy | undefined
  }
  /**
   * Whether a policy may overwrite a target's email and phone when they changed on both sides
   * (default false: they are kept, unless `conflicts.contact.groups.identity` names a policy).
   */
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
    conflicts: { ...DEFAULT_POLICIES },
    overwriteIdentity: false,
    defaultRegion: "US",
  }
}

const HEADER = `# crmkit migrate mapping: edit, then run \`crmkit migrate plan\` again.
# customFields, tags, users: source name (or email) -> target name (or email); null = not carried (reported).
#   A custom field the target lacks is created when asked: { create: true } (the source's name and type)
#   or { create: "Target name", type: text } (types: ${Records.FIELD_TYPES.join(", ")}).
# pipelines: source pipeline -> { to: target pipeline, stages: { source stage: target stage } }.
# conflicts: per entity, one of ${POLICIES.join(", ")} (a record changed on both sides since the last run);
#   contacts also per field group: { default: review, groups: { name: source-wins, tags: merge-non-empty } }
#   (groups: ${CONTACT_GROUPS.join(", ")}).
# overwriteIdentity: true lets a policy replace a target's email and phone (or name one for groups.identity).
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

const isFieldType = (value: unknown): value is Records.FieldType =>
  (Records.FIELD_TYPES as ReadonlyArray<unknown>).includes(value)

const fieldMappings = (value: unknown, problems: Array<string>): Record<string, FieldMapping> => {
  const out: Record<string, FieldMapping> = {}
  for (const [k, v] of Object.entries(record(value, "customFields", problems))) {
    const path = `customFields."${k}"`
    if (v === null || typeof v === "string") {
      out[k] = v
      continue
    }
    if (typeof v !== "object" || Array.isArray(v)) {
      problems.push(`${path} must be a name, null or { create: ... }, got ${JSON.stringify(v)}`)
      continue
    }
    const entry = v as Record<string, unknown>
    for (const key of Object.keys(entry))
      if (key !== "create" && key !== "type") problems.push(`${path}.${key}: unknown key (create, type)`)
    const create = entry.create
    if (create !== true && (typeof create !== "string" || create.trim() === ""))
      problems.push(`${path}.create must be true or the target field's name, got ${JSON.stringify(create)}`)
    if (entry.type !== undefined && !isFieldType(entry.type))
      problems.push(`${path}.type: unknown type ${JSON.stringify(entry.type)} (use ${Records.FIELD_TYPES.join(", ")})`)
    out[k] = {
      create: create === true ? true : String(create ?? "").trim(),
      ...(isFieldType(entry.type) ? { type: entry.type } : {}),
    }
  }
  return out
}

const policy = (value: unknown, path: string, problems: Array<string>): Policy | undefined => {
  if ((POLICIES as ReadonlyArray<unknown>).includes(value)) return value as Policy
  problems.push(`${path}: unknown policy ${JSON.stringify(value)} (use ${POLICIES.join(", ")})`)
  return undefined
}

const entityPolicy = (entity: RecordEntity, value: unknown, problems: Array<string>): EntityPolicy | undefined => {
  const path = `conflicts.${entity}`
  if (typeof value !== "object" || value === null || Array.isArray(value)) return policy(value, path, problems)
  if (entity !== "contact") {
    problems.push(`${path}: only contact has field groups; give one policy`)
    return undefined
  }
  const entry = value as Record<string, unknown>
  for (const key of Object.keys(entry))
    if (key !== "default" && key !== "groups") problems.push(`${path}.${key}: unknown key (default, groups)`)
  const fallback =
    entry.default === undefined ? DEFAULT_POLICIES[entity] : policy(entry.default, `${path}.default`, problems)
  const groups: Partial<Record<ContactGroup, Policy>> = {}
  for (const [group, p] of Object.entries(record(entry.groups, `${path}.groups`, problems))) {
    if (!(CONTACT_GROUPS as ReadonlyArray<string>).includes(group)) {
      problems.push(`${path}.groups.${group}: unknown field group (${CONTACT_GROUPS.join(", ")})`)
      continue
    }
    const parsed = policy(p, `${path}.groups.${group}`, problems)
    if (parsed !== undefined) groups[group as ContactGroup] = parsed
  }
  return fallback === undefined ? undefined : { default: fallback, groups }
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
  const conflicts: Record<RecordEntity, EntityPolicy> = { ...DEFAULT_POLICIES }
  for (const [entity, value] of Object.entries(record(root.conflicts, "conflicts", problems))) {
    if (!(entity in DEFAULT_POLICIES)) {
      problems.push(`conflicts.${entity}: unknown entity (${Object.keys(DEFAULT_POLICIES).join(", ")})`)
      continue
    }
    const parsed = entityPolicy(entity as RecordEntity, value, problems)
    if (parsed !== undefined) conflicts[entity as RecordEntity] = parsed
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
    customFields: fieldMappings(root.customFields, problems),
    tags: names(root.tags, "tags", problems),
    users: names(root.users, "users", problems),
    pipelines,
    conflicts,
    overwriteIdentity: root.overwriteIdentity === true,
    defaultRegion: String(region).toUpperCase(),
  }
  if (problems.length > 0) throw new MappingError(`${file}: ${problems.join("; ")}`)
  return mapping
}

/** The policy for a record of `entity` changed on both sides (for a contact, in field group `group`). */
export const policyOf = (mapping: Mapping, entity: RecordEntity, group?: ContactGroup): Policy => {
  const p = mapping.conflicts[entity] ?? DEFAULT_POLICIES[entity]
  if (typeof p === "string") return p
  return (group === undefined ? undefined : p.groups[group]) ?? p.default
}

/**
 * The policy for email and phone changed on both sides: the one named for the identity group,
 * else the contact's when `overwriteIdentity`, else undefined (the target's are kept, or the
 * record is held when the contact's policy is `review`).
 */
export const identityPolicy = (mapping: Mapping): Policy | undefined => {
  const p = mapping.conflicts.contact
  const named = typeof p === "string" ? undefined : p.groups.identity
  if (named !== undefined) return named
  return mapping.overwriteIdentity ? policyOf(mapping, "contact") : undefined
}

/** The custom fields the mapping asks to create: source field, the target name and the common type (when known). */
export const fieldsToCreate = (
  mapping: Mapping,
  source: Records.Lookups,
): ReadonlyArray<{ readonly source: string; readonly name: string; readonly type: Records.FieldType | undefined }> =>
  Object.entries(mapping.customFields).flatMap(([name, to]) =>
    to === null || typeof to !== "object"
      ? []
      : [
          {
            source: name,
            name: to.create === true ? name : to.create,
            type: to.type ?? source.customFields.find((f) => f.name === name)?.type,
          },
        ],
  )

/** The target field a source custom field goes to, or undefined when it is not carried. */
export const targetField = (mapping: Mapping, name: string): string | undefined => {
  const to = mapping.customFields[name]
  if (to === undefined || to === null) return undefined
  if (typeof to === "string") return to
  return to.create === true ? name : to.create
}

/**
 * Custom field names crmkit keeps for itself: `crmkit source` holds a migration's source-id marker
 * (Keap's `MARKER_FIELD_LABEL`). A mapping creating or filling one would clash with the marker, so
 * it is refused before any write (compared trimmed and case-insensitively, as the marker is read).
 */
export const RESERVED_FIELD_NAMES: ReadonlyArray<string> = ["crmkit source"]

const isReservedFieldName = (name: string) => RESERVED_FIELD_NAMES.includes(name.trim().toLowerCase())

/**
 * Problems of a mapping against both sides: the providers it names, target names that
 * do not exist. Checked before anything is written.
 */
export const check = (
  mapping: Mapping,
  from: string,
  to: string,
  target: Records.Lookups,
  source?: Records.Lookups,
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (mapping.from !== from || mapping.to !== to)
    problems.push(`the mapping is for ${mapping.from} -> ${mapping.to}, not ${from} -> ${to}`)
  for (const [name, field] of Object.entries(mapping.customFields)) {
    const to =
      field === null ? undefined : typeof field === "string" ? field : field.create === true ? name : field.create
    if (to !== undefined && isReservedFieldName(to))
      problems.push(
        `customFields."${name}": "${to}" is the custom field crmkit keeps for a migration's source-id marker; name another field`,
      )
    else if (typeof field === "string" && !target.customFields.some((f) => f.name === field))
      problems.push(
        `customFields."${name}": the target has no custom field "${field}" (to create it: { create: "${field}", type: text })`,
      )
  }
  if (source !== undefined)
    for (const field of fieldsToCreate(mapping, source)) {
      if (field.type === undefined && !target.customFields.some((f) => f.name === field.name))
        problems.push(
          `customFields."${field.source}": give the type of the field to create (${Records.FIELD_TYPES.join(", ")}); the source's has none of them`,
        )
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
  /** Company names the target holds only through a company record (Keap), where no company of that name moved. */
  readonly companies: Record<string, number>
  /** Values beyond what the target holds (GHL: one email, one phone). */
  readonly extraEmails: number
  readonly extraPhones: number
}

export const emptyUnmapped = (): Unmapped => ({
  customFields: {},
  tags: {},
  users: {},
  companies: {},
  extraEmails: 0,
  extraPhones: 0,
})

export const bump = (counts: Record<string, number>, key: string) => {
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
    const to = targetField(mapping, name)
    if (to === undefined) bump(unmapped.customFields, name)
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

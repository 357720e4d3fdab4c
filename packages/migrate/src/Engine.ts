/**
 * The migration engine: `plan` (reads both sides, writes nothing), `run` (exactly-once:
 * every write is an intent in the state before it is sent and completed after; on resume
 * an open intent is reconciled against the target before anything is re-sent), `verify`
 * (every mapped source record exists once in the target) and `status`.
 *
 * A run moves, in order: the target custom fields the mapping asks to create, companies (by
 * name), contacts (linked to their moved company), then notes, tasks and opportunities under
 * their contacts.
 *
 * Identity: the state's id map first, then the normalised email, then the phone (for a
 * contact without email); a second source contact landing on a target contact another
 * one already holds is a merge, reported (or, where the target allows duplicate
 * contacts, a contact of its own).
 *
 * Conflicts: a record changed on both sides since they were last in step. A contact's are
 * resolved per field group (a group changed on one side only takes that side's values; a
 * group changed on both follows its policy); other records follow their entity's policy.
 */
import type { CrmError, Records } from "@crmkit/core"
import { type Context, Data, Deferred, Effect, Stream } from "effect"
import * as Mapping from "./Mapping.ts"
import {
  CONTACT_GROUPS,
  type ContactGroup,
  changedGroups,
  companyHash,
  contactHash,
  contactProjection,
  differences,
  differingGroups,
  ENTITIES,
  type Entity,
  noteHash,
  opportunityHash,
  sameContact,
  taskHash,
} from "./Model.ts"
import * as RunIndex from "./RunIndex.ts"
import type { Intent, Link, State } from "./State.ts"

/** One CRM of a migration: its record mapper and the client services it runs with. */
export interface Side {
  readonly name: string
  readonly records: Records.RecordMapper<any>
  readonly services: Context.Context<any>
}

/** Bad input: named before anything is sent (the CLI exits 2). */
export class InputError extends Data.TaggedError("MigrateInputError")<{ readonly message: string }> {}

export interface Skipped {
  readonly id: string
  readonly reason: string
}

/** How a contact's field group that differs was resolved: the policy applied, or the side that alone changed it. */
export type GroupResolution = Mapping.Policy | "source" | "target"

export interface Conflict {
  readonly id: string
  readonly targetId: string
  /** The policy that decided the record (a contact: `review` when a group held it, else its default policy). */
  readonly policy: Mapping.Policy
  /** The fields changed on both sides, with both values. */
  readonly fields: Record<string, { readonly source: unknown; readonly target: unknown }>
  /** Contacts: each field group that differs, and how it was resolved. */
  readonly groups?: Partial<Record<ContactGroup, GroupResolution>> | undefined
}

export interface Merge {
  readonly sourceId: string
  readonly targetId: string
  /** The source record that already holds the target record. */
  readonly with: string
  readonly matchedBy: "email" | "phone" | "name"
}

export interface EntityReport {
  create: number
  update: number
  unchanged: number
  /** Linked to a record the target already had (same identity or content). */
  matched: number
  skipped: Array<Skipped>
  conflicts: Array<Conflict>
  merges: Array<Merge>
}

/** A target custom field the mapping asks for: to be created, or there already. */
export interface NewField {
  /** The source field it carries. */
  readonly source: string
  readonly name: string
  readonly type: Records.FieldType | undefined
  readonly status: "create" | "exists"
}

export interface Report {
  readonly mode: "plan" | "run"
  readonly from: string
  readonly to: string
  readonly delta: boolean
  readonly entities: Record<Entity, EntityReport>
  readonly unmapped: Mapping.Unmapped
  /** Target custom fields the mapping asks to create (a plan lists what a run would create). */
  readonly customFields: Array<NewField>
  /** Open intents found at the start: resolved against the target, or re-sent. */
  readonly reconciled: { found: number; missing: number }
  /** Writes sent to the target (plan: writes a run would send). */
  writes: number
  readonly startedAt: string
  finishedAt: string
}

export interface Progress {
  readonly entity: Entity
  readonly seen: number
  readonly writes: number
  readonly elapsedMillis: number
}

export interface Options {
  readonly from: Side
  readonly to: Side
  readonly state: State
  readonly mapping: Mapping.Mapping
  /** Writes in flight at once. Default 4. */
  readonly concurrency?: number | undefined
  readonly onProgress?: ((progress: Progress) => void) | undefined
  /** Read every source record, not only those updated since the last run. */
  readonly full?: boolean | undefined
  /**
   * Namespace of the source-id marker the migration writes into target records, so that
   * several migrations into one target (two source accounts into one location) never take
   * each other's records for their own. Workers use the migration's id; none by default.
   */
  readonly marker?: string | undefined
}

/** The marker a source record carries in the target: its id, in the migration's namespace. */
const markerOf = (options: Pick<Options, "marker">, sourceId: string) =>
  options.marker === undefined ? sourceId : `${options.marker.toLowerCase()}:${sourceId}`

const emptyEntity = (): EntityReport => ({
  create: 0,
  update: 0,
  unchanged: 0,
  matched: 0,
  skipped: [],
  conflicts: [],
  merges: [],
})

type Eff<A> = Effect.Effect<A, CrmError>

const on =
  (side: Side) =>
  <A, E>(effect: Effect.Effect<A, E, any>): Effect.Effect<A, E> =>
    Effect.provideContext(effect, side.services)
const onStream =
  (side: Side) =>
  <A, E>(stream: Stream.Stream<A, E, any>): Stream.Stream<A, E> =>
    Stream.provideContext(stream, side.services)

/** Loads both sides' lookups and checks the mapping against them: reads only. */
export const lookups = (from: Side, to: Side) =>
  Effect.all([on(from)(from.records.lookups()), on(to)(to.records.lookups())])

const PLURAL: Record<Records.HeldKind, string> = {
  company: "companies",
  note: "notes",
  task: "tasks",
  opportunity: "opportunities",
}

/** Whether a CRM holds records of a kind besides contacts (its lookups not saying: all kinds). */
const holds = (lookups: Records.Lookups, kind: Records.HeldKind) =>
  lookups.holds === undefined || lookups.holds.includes(kind)

/** Why a source record of a kind the target does not hold is not moved. */
const notHeldReason = (side: Side, kind: Records.HeldKind) => `${side.name} holds no ${PLURAL[kind]}`

/** Every source record of a kind the target does not hold, reported as skipped: the target is never asked. */
const skipNotHeld = (
  ctx: Base,
  kind: Records.HeldKind,
  list: Stream.Stream<Records.Listed<{ readonly id: string }>, CrmError, any>,
): Eff<void> => {
  const reason = notHeldReason(ctx.options.to, kind)
  const report = ctx.report.entities[kind]
  let seen = 0
  return Stream.runForEach(onStream(ctx.options.from)(list), (listed) =>
    Effect.sync(() => {
      progress(ctx, kind, ++seen)
      report.skipped.push({ id: listed._tag === "Ok" ? listed.record.id : listed.id, reason })
    }),
  )
}

const reasonOf = (problems: ReadonlyArray<Records.Problem>) =>
  problems.map((p) => `${p.field}: ${p.message}: ${JSON.stringify(p.value)}`).join("; ")

/** Links are read from the state a page at a time, never all at once. */
const LINK_PAGE = 1000

/** Each page of an entity's links in the state. */
const forEachLinkPage = (state: State, entity: Entity, f: (links: ReadonlyArray<Link>) => void): Effect.Effect<void> =>
  Effect.gen(function* () {
    let after: string | undefined
    for (;;) {
      const page = yield* state.linksPage(entity, after, LINK_PAGE)
      if (page.length > 0) f(page)
      if (page.length < LINK_PAGE) return
      after = page[page.length - 1]!.sourceId
    }
  })

/**
 * Which source record holds which target record of an entity, from the state's links, read
 * once into the index. A merged link holds nothing unless `merged` says so (the record is the
 * other source record's).
 */
const loadClaims = (index: RunIndex.RunIndex, state: State, entity: Entity, merged = false): Effect.Effect<void> =>
  index.loadedClaims.has(entity)
    ? Effect.void
    : Effect.map(
        forEachLinkPage(state, entity, (links) =>
          index.addClaims(
            entity,
            links.filter((l) => merged || !l.merged),
          ),
        ),
        () => void index.loadedClaims.add(entity),
      )

const listedOk = <A>(listed: ReadonlyArray<Records.Listed<A>>): Array<A> =>
  listed.flatMap((l) => (l._tag === "Ok" ? [l.record] : []))

/** The target's contacts into the index, a page at a time (an unreadable one is left out). */
const loadContacts = (to: Side, lookups: Records.Lookups, index: RunIndex.RunIndex) =>
  Stream.runForEachArray(onStream(to)(to.records.contacts(lookups)), (listed) =>
    Effect.sync(() => index.addContacts(listedOk(listed))),
  )

/** The target's companies into the index, a page at a time. */
const loadCompanies = (to: Side, lookups: Records.Lookups, index: RunIndex.RunIndex) =>
  Stream.runForEachArray(onStream(to)(to.records.companies(lookups)), (listed) =>
    Effect.sync(() => index.addCompanies(listedOk(listed))),
  )

interface Base {
  readonly options: Options
  readonly dryRun: boolean
  readonly report: Report
  readonly source: Records.Lookups
  /** The target's lookups; custom fields created in this run are added to them. */
  readonly target: Records.Lookups & { readonly customFields: Array<Records.CustomFieldDefinition> }
  /** The target's contacts and companies, who holds what, where each source record went: on disk. */
  readonly index: RunIndex.RunIndex
  /** `entity:sourceId` of the records held for review when the run started. */
  readonly held: Set<string>
  readonly started: number
}

interface Context_ extends Base {
  /** Contact creates decided and not written yet: planned id -> the real id once written. */
  readonly creating: Map<string, Deferred.Deferred<string>>
  /** Lower-cased target tag names the mapping carries: the only tags a source's change says anything about. */
  readonly managedTags: ReadonlySet<string>
}

const progress = (ctx: Base, entity: Entity, seen: number) => {
  if (ctx.options.onProgress !== undefined)
    ctx.options.onProgress({ entity, seen, writes: ctx.report.writes, elapsedMillis: Date.now() - ctx.started })
}

/** Releases a record held for review once it is resolved (only if it was held: no write otherwise). */
const release = (ctx: Base, entity: Entity, sourceId: string) =>
  ctx.dryRun || !ctx.held.has(`${entity}:${sourceId}`)
    ? Effect.void
    : Effect.map(ctx.options.state.release(entity, sourceId), () => {
        ctx.held.delete(`${entity}:${sourceId}`)
      })

const hold = (ctx: Base, entity: Entity, sourceId: string, targetId: string, detail: unknown) =>
  ctx.dryRun ? Effect.void : ctx.options.state.hold({ entity, sourceId, targetId, detail })

/**
 * Every opportunity of the target into the index, read once when first needed (GHL and Keap
 * list them only in full).
 */
const loadOpportunities = (to: Side, lookups: Records.Lookups, index: RunIndex.RunIndex): Eff<void> =>
  Effect.suspend(() =>
    index.opportunitiesLoaded
      ? Effect.void
      : Stream.runForEachArray(onStream(to)(to.records.opportunities(lookups)), (listed) =>
          Effect.sync(() => index.addOpportunities(listedOk(listed))),
        ).pipe(Effect.map(() => index.opportunitiesDone())),
  )

// --- Reconciliation -------------------------------------------------------------------------

/** A contact whose create landed but not as sent (a second request of the write did not): updated next. */
const PARTIAL = "partial"

/** Resolves open intents against the target before anything is re-sent. */
const reconcile = (ctx: Base, intents: ReadonlyArray<Intent>) =>
  Effect.gen(function* () {
    const { state } = ctx.options
    const to = ctx.options.to
    const { index } = ctx
    const opportunities = loadOpportunities(to, ctx.target, index)
    /** The target's child record as it is now, with its hash, for an update intent. */
    const childNow = (intent: Intent): Eff<string | undefined> =>
      Effect.gen(function* () {
        const parent = intent.parentId as string
        if (intent.entity === "note") {
          const note = (yield* on(to)(to.records.notesOf(parent))).find((n) => n.id === intent.targetId)
          return note === undefined ? undefined : noteHash(parent, note.body)
        }
        if (intent.entity === "task") {
          const task = (yield* on(to)(to.records.tasksOf(parent, ctx.target))).find((t) => t.id === intent.targetId)
          return task === undefined ? undefined : taskHash(parent, task)
        }
        yield* opportunities
        const opportunity = index.opportunity(intent.targetId as string)
        return opportunity === undefined ? undefined : opportunityHash(opportunity)
      })
    for (const intent of intents) {
      let found: string | undefined
      let partial: string | undefined
      if (intent.op === "update") {
        // An update may be sent again safely; it is checked so that a landed update is not
        // mistaken next time for a change made in the target.
        if (intent.targetId !== undefined) {
          if (intent.entity === "contact") {
            // Not found (not sent, or only part of it landed): the link keeps its hashes, and the
            // next decision sees the groups a partial write brought in line as no longer differing.
            const current = index.contact(intent.targetId)
            if (current !== undefined && sameContact(intent.targetHash, current)) found = intent.targetId
          } else if (intent.entity === "company") {
            const current = index.company(intent.targetId)
            if (current !== undefined && companyHash(current) === intent.targetHash) found = intent.targetId
          } else if (intent.parentId !== undefined && intent.entity !== "customField") {
            if ((yield* childNow(intent)) === intent.targetHash) found = intent.targetId
          }
        }
      } else if (intent.entity === "contact") {
        found = index.contactsBy("source", markerOf(ctx.options, intent.sourceId))[0]
        if (found === undefined && !ctx.target.allowDuplicateContacts) {
          const byEmail = intent.identity.email === undefined ? [] : index.contactsBy("email", intent.identity.email)
          const byPhone = intent.identity.phone === undefined ? [] : index.contactsBy("phone", intent.identity.phone)
          found = [...byEmail, ...byPhone].find((id) => index.holder("contact", id) === undefined)
        }
        if (found !== undefined) {
          index.claim("contact", found, intent.sourceId)
          const current = index.contact(found)
          if (current !== undefined && !sameContact(intent.targetHash, current)) partial = contactHash(current)
        }
      } else if (intent.entity === "company") {
        const name = intent.identity.name ?? ""
        found = index.companiesNamed(name).find((id) => index.holder("company", id) === undefined)
        if (found !== undefined) index.claim("company", found, intent.sourceId)
      } else if (intent.entity === "customField") {
        found = ctx.target.customFields.find((f) => f.name === intent.identity.name)?.id
      } else if (intent.parentId !== undefined) {
        const entity = intent.entity
        yield* loadClaims(index, state, entity, true)
        const free = (id: string) => index.holder(entity, id) === undefined
        if (entity === "note") {
          const notes = yield* on(to)(to.records.notesOf(intent.parentId))
          found = notes.find(
            (n) => free(n.id) && noteHash(intent.parentId as string, n.body) === intent.identity.hash,
          )?.id
        } else if (entity === "task") {
          const tasks = yield* on(to)(to.records.tasksOf(intent.parentId, ctx.target))
          found = tasks.find((t) => free(t.id) && taskHash(intent.parentId as string, t) === intent.identity.hash)?.id
        } else {
          yield* opportunities
          found = index.opportunitiesOf(intent.parentId).find((o) => free(o.id) && o.name === intent.identity.name)?.id
        }
        if (found !== undefined) index.claim(entity, found, intent.sourceId)
      }
      if (found === undefined) {
        ctx.report.reconciled.missing++
        yield* state.abandon(intent.id)
      } else {
        ctx.report.reconciled.found++
        yield* state.complete(intent.id, {
          entity: intent.entity,
          sourceId: intent.sourceId,
          targetId: found,
          // A partly landed create is linked as it is, and brought in line by an update.
          sourceHash: partial === undefined ? intent.sourceHash : PARTIAL,
          targetHash: partial ?? intent.targetHash,
          merged: false,
        })
      }
    }
  })

// --- Writes -------------------------------------------------------------------------------

/**
 * Sends one write as an intent: recorded before it is sent, completed after. In a plan,
 * counts it and sends nothing.
 */
const write = <A extends { readonly id: string }>(
  ctx: Base,
  intent: Omit<Intent, "id">,
  send: Eff<A>,
  linkOf: (written: A) => Link,
): Eff<A | undefined> =>
  Effect.gen(function* () {
    ctx.report.writes++
    if (ctx.dryRun) return undefined
    const id = yield* ctx.options.state.begin(intent)
    const written = yield* send
    yield* ctx.options.state.complete(id, linkOf(written))
    return written
  })

// --- Custom fields ------------------------------------------------------------------------

/**
 * Creates the target custom fields the mapping asks for and the target lacks, once each (a
 * field of that name already there is used), before the contacts that carry their values.
 */
const moveCustomFields = (ctx: Context_): Eff<void> =>
  Effect.gen(function* () {
    const { state, mapping } = ctx.options
    const to = ctx.options.to
    const report = ctx.report.entities.customField
    const links = new Map((yield* state.links("customField")).map((l) => [l.sourceId, l]))
    let seen = 0
    for (const field of Mapping.fieldsToCreate(mapping, ctx.source)) {
      progress(ctx, "customField", ++seen)
      const existing = ctx.target.customFields.find((f) => f.name === field.name)
      if (existing !== undefined) {
        ctx.report.customFields.push({ ...field, status: "exists" })
        if (links.get(field.source)?.targetId === existing.id) report.unchanged++
        else {
          report.matched++
          if (!ctx.dryRun)
            yield* state.putLink({
              entity: "customField",
              sourceId: field.source,
              targetId: existing.id,
              sourceHash: field.name,
              targetHash: field.name,
              merged: false,
            })
        }
        continue
      }
      const type = field.type as Records.FieldType // checked before the run
      ctx.report.customFields.push({ ...field, status: "create" })
      report.create++
      const create = to.records.createCustomField
      if (create === undefined) return yield* Effect.die(new Error("the target cannot create custom fields"))
      const created = yield* write(
        ctx,
        {
          entity: "customField",
          sourceId: field.source,
          op: "create",
          targetId: undefined,
          parentId: undefined,
          sourceHash: field.name,
          targetHash: field.name,
          identity: { name: field.name },
        },
        on(to)(create({ name: field.name, type }, ctx.target)),
        (def) => ({
          entity: "customField",
          sourceId: field.source,
          targetId: def.id,
          sourceHash: field.name,
          targetHash: field.name,
          merged: false,
        }),
      )
      ctx.target.customFields.push(created ?? { id: `planned:field:${field.name}`, name: field.name, type })
    }
  })

// --- Companies ----------------------------------------------------------------------------

/** The target's value where it has one, the source's where the target's is empty. */
const pick = <A>(target: A | undefined, source: A | undefined): A | undefined =>
  target === undefined || target === null || target === "" ? source : target

/** A record's fields: the target's where it has a value, the source's where it has none (ids from the target). */
const mergeFields = <A extends object>(source: A, target: A): A => {
  const out: Record<string, unknown> = { ...(source as Record<string, unknown>) }
  for (const [k, v] of Object.entries(target as Record<string, unknown>))
    if (k !== "id" && k !== "contactId" && k !== "updatedAt") out[k] = pick(v, out[k])
  return out as A
}

/** Shallow differences of two records of the same entity (ids and times aside), with both values. */
const fieldDifferences = (source: object, target: object) => {
  const out: Record<string, { source: unknown; target: unknown }> = {}
  const s = source as Record<string, unknown>
  const t = target as Record<string, unknown>
  for (const k of new Set([...Object.keys(s), ...Object.keys(t)])) {
    if (k === "id" || k === "contactId" || k === "updatedAt" || k === "sourceId") continue
    if (JSON.stringify(s[k] ?? null) !== JSON.stringify(t[k] ?? null)) out[k] = { source: s[k], target: t[k] }
  }
  return out
}

/** Whether the target's record was updated after the source's (unknown times: the source is taken). */
const targetNewer = (source: string | undefined, target: string | undefined) => {
  const s = Date.parse(source ?? "")
  const t = Date.parse(target ?? "")
  return Number.isFinite(s) && Number.isFinite(t) && t > s
}

/**
 * What a record changed on both sides becomes under `policy`: `hold` (review), `keep` (the
 * target's stands), or the record to write.
 */
const resolveRecord = <A extends object>(
  policy: Mapping.Policy,
  source: A & { readonly updatedAt?: string | undefined },
  target: A & { readonly updatedAt?: string | undefined },
  same: (a: A) => boolean,
): "hold" | "keep" | A => {
  switch (policy) {
    case "review":
      return "hold"
    case "target-wins":
      return "keep"
    case "newest-wins":
      return targetNewer(source.updatedAt, target.updatedAt) ? "keep" : source
    case "merge-non-empty": {
      const merged = mergeFields(source, target)
      return same(merged) ? "keep" : merged
    }
    case "source-wins":
      return source
  }
}

/** Companies by name, before the contacts that link to them. */
const moveCompanies = (ctx: Context_): Eff<void> =>
  Effect.gen(function* () {
    const { state, mapping } = ctx.options
    const { from, to } = ctx.options
    const report = ctx.report.entities.company
    if (!holds(ctx.source, "company")) return
    if (!holds(ctx.target, "company")) return yield* skipNotHeld(ctx, "company", from.records.companies(ctx.source))
    let seen = 0
    const writeCompany = (
      op: "create" | "update",
      sourceId: string,
      company: Records.Company,
      targetId: string | undefined,
      sourceHash: string,
    ) =>
      write(
        ctx,
        {
          entity: "company",
          sourceId,
          op,
          targetId,
          parentId: undefined,
          sourceHash,
          targetHash: companyHash(company),
          identity: { name: company.name },
        },
        on(to)(
          targetId === undefined
            ? to.records.createCompany(company, ctx.target)
            : to.records.updateCompany(targetId, company, ctx.target),
        ),
        (written) => ({
          entity: "company",
          sourceId,
          targetId: written.id,
          sourceHash,
          targetHash: companyHash(company),
          merged: false,
        }),
      )
    const decide = (listed: Records.Listed<Records.Company>): Eff<() => Eff<void>> =>
      Effect.gen(function* () {
        progress(ctx, "company", ++seen)
        if (listed._tag === "Skipped") {
          const reason = reasonOf(listed.problems)
          return () => Effect.sync(() => void report.skipped.push({ id: listed.id, reason }))
        }
        const company = listed.record
        if (company.name === "")
          return () =>
            Effect.sync(() => void report.skipped.push({ id: company.id, reason: "the company has no name" }))
        const h = companyHash(company)
        const link = yield* state.getLink("company", company.id)
        if (link !== undefined) {
          ctx.index.setTarget("company", company.id, link.targetId)
          const target = ctx.index.company(link.targetId)
          if (target === undefined) {
            const reason = `target company ${link.targetId} no longer exists`
            return () => Effect.sync(() => void report.skipped.push({ id: company.id, reason }))
          }
          if (link.merged || link.sourceHash === h)
            return () =>
              Effect.map(release(ctx, "company", company.id), () => {
                report.unchanged++
              })
          const now = companyHash(target)
          if (now === h)
            // Both sides made the same change: in step again.
            return () =>
              Effect.gen(function* () {
                report.unchanged++
                if (!ctx.dryRun) yield* state.putLink({ ...link, sourceHash: h, targetHash: h })
                yield* release(ctx, "company", company.id)
              })
          const update = (record: Records.Company) => () =>
            Effect.gen(function* () {
              report.update++
              yield* writeCompany("update", company.id, record, link.targetId, h)
              yield* release(ctx, "company", company.id)
            })
          if (now === link.targetHash) return update(company)
          // Changed on both sides since they were last in step.
          const policy = Mapping.policyOf(mapping, "company")
          const conflict: Conflict = {
            id: company.id,
            targetId: target.id,
            policy,
            fields: fieldDifferences(company, target),
          }
          const resolved = resolveRecord(policy, company, target, (c) => companyHash(c) === now)
          return () =>
            Effect.gen(function* () {
              report.conflicts.push(conflict)
              if (resolved === "hold") return yield* hold(ctx, "company", company.id, target.id, conflict)
              if (resolved === "keep") {
                report.unchanged++
                if (!ctx.dryRun) yield* state.putLink({ ...link, sourceHash: h, targetHash: now })
                return yield* release(ctx, "company", company.id)
              }
              return yield* update(resolved)()
            })
        }
        // Not linked yet: a target company of the same name, else a new one.
        const candidates = ctx.index.companiesNamed(company.name)
        const free = candidates.find((id) => ctx.index.holder("company", id) === undefined)
        if (free !== undefined) {
          ctx.index.claim("company", free, company.id)
          ctx.index.setTarget("company", company.id, free)
          const target = ctx.index.company(free) as Records.Company
          if (companyHash(target) === h)
            return () =>
              Effect.gen(function* () {
                report.matched++
                if (!ctx.dryRun)
                  yield* state.putLink({
                    entity: "company",
                    sourceId: company.id,
                    targetId: free,
                    sourceHash: h,
                    targetHash: h,
                    merged: false,
                  })
              })
          // The target's values where the source has none: a company the target had keeps what it knew.
          const record = mergeFields(target, company)
          return () =>
            Effect.gen(function* () {
              report.matched++
              report.update++
              yield* writeCompany("update", company.id, { ...record, id: company.id }, free, h)
            })
        }
        const taken = candidates[0]
        if (taken !== undefined) {
          const holder = ctx.index.holder("company", taken) as string
          ctx.index.setTarget("company", company.id, taken)
          return () =>
            Effect.gen(function* () {
              report.merges.push({ sourceId: company.id, targetId: taken, with: holder, matchedBy: "name" })
              if (!ctx.dryRun)
                yield* state.putLink({
                  entity: "company",
                  sourceId: company.id,
                  targetId: taken,
                  sourceHash: h,
                  targetHash: h,
                  merged: true,
                })
            })
        }
        // Claimed now, so that a second source company of the same name is a merge, not a second create.
        const planned = `planned:company:${company.id}`
        ctx.index.addCompanies([{ ...company, id: planned }])
        ctx.index.claim("company", planned, company.id)
        ctx.index.setTarget("company", company.id, planned)
        return () =>
          Effect.gen(function* () {
            report.create++
            const created = yield* writeCompany("create", company.id, company, undefined, h)
            if (created !== undefined) ctx.index.replaceCompany(planned, { ...company, id: created.id })
          })
      })
    // One company at a time, each written before the next is decided: a second company of the
    // same name then finds the first one's real id.
    yield* onStream(from)(from.records.companies(ctx.source)).pipe(
      Stream.mapEffect((listed) => Effect.flatMap(decide(listed), (step) => step())),
      Stream.runDrain,
    )
  })

// --- Contacts -----------------------------------------------------------------------------

type ContactStep =
  | { readonly kind: "skip"; readonly id: string; readonly reason: string }
  | { readonly kind: "unchanged" }
  | { readonly kind: "create"; readonly mapped: Records.Contact; readonly planned: string }
  | {
      readonly kind: "update"
      readonly targetId: string
      readonly mapped: Records.Contact
      readonly sourceHash: string
      readonly matched: boolean
    }
  | { readonly kind: "link"; readonly link: Link; readonly count: "matched" | "unchanged" }
  | { readonly kind: "merge"; readonly sourceId: string; readonly target: string; readonly sourceHash: string }

const keepIdentity = (mapped: Records.Contact, target: Records.Contact, mapping: Mapping.Mapping): Records.Contact =>
  mapping.overwriteIdentity ? mapped : { ...mapped, emails: target.emails, phones: target.phones }

const nonEmptyOptIn = (optIn: Records.OptIn | undefined): Records.OptIn | undefined => {
  if (optIn === undefined) return undefined
  const stated = Object.entries(optIn).filter(([, v]) => v !== undefined)
  return stated.length === 0 ? undefined : Object.fromEntries(stated)
}

/**
 * The source contact in the target's words: fields, tags and owner by the mapping; the company
 * as the target's company record (moved, or of the same name) where the target links one; the
 * opt-in channels the target holds.
 */
const mapContactFor = (ctx: Context_, source: Records.Contact): Records.Contact => {
  const { mapping } = ctx.options
  const unmapped = ctx.report.unmapped
  const mapped = Mapping.mapContact(source, mapping, unmapped, ctx.target.contactSlots)
  const channels = ctx.target.optInChannels ?? []
  const optIn =
    mapped.optIn === undefined
      ? undefined
      : nonEmptyOptIn(Object.fromEntries(channels.map((channel) => [channel, mapped.optIn?.[channel]])))
  let companyName = mapped.companyName
  let companyId: string | undefined
  if (ctx.target.companyLinks === true) {
    const moved = source.companyId === undefined ? undefined : ctx.index.targetOf("company", source.companyId)
    companyId = moved ?? (companyName === undefined ? undefined : ctx.index.companiesNamed(companyName)[0])
    if (companyId !== undefined) companyName = ctx.index.company(companyId)?.name ?? companyName
  }
  if (companyId === undefined && companyName !== undefined && ctx.target.companyNames === false) {
    Mapping.bump(unmapped.companies, companyName)
    companyName = undefined
  }
  return { ...mapped, companyName, companyId, optIn, sourceId: markerOf(ctx.options, source.id) }
}

/** The target tags a mapping carries: the tags it maps to, and the source's it carries as they are. */
const managedTags = (mapping: Mapping.Mapping, source: Records.Lookups): ReadonlySet<string> =>
  new Set(
    [
      ...Object.values(mapping.tags).filter((t): t is string => typeof t === "string"),
      ...source.tags.map((t) => t.name).filter((name) => !(name in mapping.tags)),
    ].map((t) => t.toLowerCase()),
  )

/** Whether a target contact carries this migration's marker for the source contact (the mappers then remove tags). */
const carriesOwnMarker = (ctx: Context_, sourceId: string, target: Records.Contact) =>
  target.sourceId !== undefined && target.sourceId.toLowerCase() === markerOf(ctx.options, sourceId).toLowerCase()

/**
 * The contact to send with the tags the target will hold after the update, so that the hash stored
 * for it is the target's: a contact not carrying this migration's marker only gets tags added (the
 * mappers remove none from it); on one carrying it, `keepUnmanaged` keeps the target's tags the
 * mapping does not carry (put there by hand: the source's change says nothing about them; only a
 * policy deciding a tags conflict for the source removes them).
 */
const withTargetTags = (
  ctx: Context_,
  sourceId: string,
  decided: Records.Contact,
  target: Records.Contact,
  keepUnmanaged: boolean,
): Records.Contact => {
  const marked = carriesOwnMarker(ctx, sourceId, target)
  if (marked && !keepUnmanaged) return decided
  const have = new Set(decided.tags.map((t) => t.toLowerCase()))
  const extra = target.tags.filter((t) => {
    const lower = t.toLowerCase()
    if (have.has(lower) || (marked && ctx.managedTags.has(lower))) return false
    have.add(lower)
    return true
  })
  return extra.length === 0 ? decided : { ...decided, tags: [...decided.tags, ...extra] }
}

/**
 * What the source says nothing about keeps the target's value: the company (the mappers can set
 * one, not clear it) and each opt-in channel the source does not state.
 */
const fillFromTarget = (mapped: Records.Contact, target: Records.Contact): Records.Contact => ({
  ...mapped,
  companyId: mapped.companyId ?? target.companyId,
  companyName: mapped.companyId === undefined ? (mapped.companyName ?? target.companyName) : mapped.companyName,
  optIn: nonEmptyOptIn({ ...target.optIn, ...nonEmptyOptIn(mapped.optIn) }),
})

/** `into` with the fields of one group taken from `from`. */
const withGroup = (into: Records.Contact, from: Records.Contact, group: ContactGroup): Records.Contact => {
  switch (group) {
    case "identity":
      return { ...into, emails: from.emails, phones: from.phones }
    case "name":
      return { ...into, givenName: from.givenName, familyName: from.familyName }
    case "company":
      return { ...into, companyName: from.companyName, companyId: from.companyId }
    case "address":
      return { ...into, addresses: from.addresses }
    case "tags":
      return { ...into, tags: from.tags }
    case "customFields":
      return { ...into, customFields: from.customFields }
    case "owner":
      return { ...into, ownerEmail: from.ownerEmail }
    case "optIn":
      return { ...into, optIn: from.optIn }
  }
}

/** One group merged: the target's values where it has them, the source's where it left them empty; tags of both. */
const mergeGroup = (
  into: Records.Contact,
  source: Records.Contact,
  target: Records.Contact,
  group: ContactGroup,
): Records.Contact => {
  switch (group) {
    case "identity":
      return {
        ...into,
        emails: target.emails.length > 0 ? target.emails : source.emails,
        phones: target.phones.length > 0 ? target.phones : source.phones,
      }
    case "name":
      return {
        ...into,
        givenName: pick(target.givenName, source.givenName),
        familyName: pick(target.familyName, source.familyName),
      }
    case "company":
      return target.companyName !== undefined || target.companyId !== undefined ? withGroup(into, target, group) : into
    case "address":
      return { ...into, addresses: target.addresses.length > 0 ? target.addresses : source.addresses }
    case "tags":
      return { ...into, tags: [...new Set([...target.tags, ...source.tags])] }
    case "customFields": {
      const customFields: Record<string, Records.FieldValue> = { ...source.customFields }
      for (const [k, v] of Object.entries(target.customFields)) if (v !== null && v !== "") customFields[k] = v
      return { ...into, customFields }
    }
    case "owner":
      return { ...into, ownerEmail: pick(target.ownerEmail, source.ownerEmail) }
    case "optIn":
      return { ...into, optIn: nonEmptyOptIn({ ...source.optIn, ...nonEmptyOptIn(target.optIn) }) }
  }
}

/**
 * A linked contact changed on both sides, group by group: a group only one side changed takes
 * that side's values; a group both changed follows its policy (email and phone only by an
 * explicit identity policy or `overwriteIdentity`, else the target's are kept, or the record is
 * held when the contact's policy is `review`). Any group under `review` holds the record.
 */
const resolveContact = (
  ctx: Context_,
  source: Records.Contact,
  mapped: Records.Contact,
  target: Records.Contact,
  link: Link,
  sourceHash: string,
  sourceChanged: ReadonlySet<ContactGroup>,
  targetChanged: ReadonlySet<ContactGroup>,
): Effect.Effect<ContactStep> =>
  Effect.gen(function* () {
    const { mapping } = ctx.options
    const report = ctx.report.entities.contact
    const contactPolicy = Mapping.policyOf(mapping, "contact")
    const policyFor = (group: ContactGroup): Mapping.Policy =>
      group !== "identity"
        ? Mapping.policyOf(mapping, "contact", group)
        : (Mapping.identityPolicy(mapping) ??
          (Mapping.policyOf(mapping, "contact", "identity") === "review" ? "review" : "target-wins"))
    const groups: Partial<Record<ContactGroup, GroupResolution>> = {}
    const conflicting = new Set<ContactGroup>()
    let result = mapped
    let held = false
    const differ = differingGroups(mapped, target)
    for (const group of CONTACT_GROUPS) {
      if (!differ.has(group)) continue
      const bySource = sourceChanged.has(group)
      const byTarget = targetChanged.has(group)
      if (bySource && !byTarget) {
        groups[group] = "source"
        continue
      }
      if (!bySource) {
        groups[group] = "target"
        result = withGroup(result, target, group)
        continue
      }
      conflicting.add(group)
      const policy = policyFor(group)
      groups[group] = policy
      if (policy === "review") held = true
      else if (policy === "target-wins") result = withGroup(result, target, group)
      else if (policy === "newest-wins" && targetNewer(source.updatedAt, target.updatedAt))
        result = withGroup(result, target, group)
      else if (policy === "merge-non-empty") result = mergeGroup(result, mapped, target, group)
    }
    const conflict: Conflict = {
      id: source.id,
      targetId: target.id,
      policy: held ? "review" : contactPolicy,
      fields: differences(contactProjection(mapped), contactProjection(target), conflicting),
      groups,
    }
    // Both sides made the same change: nothing to resolve.
    if (differ.size > 0) report.conflicts.push(conflict)
    if (held) {
      yield* hold(ctx, "contact", source.id, target.id, conflict)
      return { kind: "unchanged" } as const
    }
    // A tags conflict decided for the source may remove tags; otherwise the target's own stay.
    result = withTargetTags(ctx, source.id, result, target, !conflicting.has("tags"))
    const targetHash = contactHash(target)
    if (contactHash(result) === targetHash)
      return { kind: "link", link: { ...link, sourceHash, targetHash }, count: "unchanged" } as const
    return { kind: "update", targetId: target.id, mapped: result, sourceHash, matched: false } as const
  })

const decideContact = (ctx: Context_, listed: Records.Listed<Records.Contact>): Effect.Effect<ContactStep> =>
  Effect.gen(function* () {
    const { state, mapping } = ctx.options
    const report = ctx.report.entities.contact
    if (listed._tag === "Skipped") return { kind: "skip", id: listed.id, reason: reasonOf(listed.problems) } as const
    const source = listed.record
    const mapped = mapContactFor(ctx, source)
    const sourceHash = contactHash(mapped)
    const link = yield* state.getLink("contact", source.id)
    if (link !== undefined) {
      ctx.index.setTarget("contact", source.id, link.targetId)
      const target = ctx.index.contact(link.targetId)
      if (target === undefined)
        return { kind: "skip", id: source.id, reason: `target contact ${link.targetId} no longer exists` } as const
      const sourceChanged = link.merged ? new Set<ContactGroup>() : changedGroups(link.sourceHash, mapped)
      if (sourceChanged.size === 0) {
        yield* release(ctx, "contact", source.id)
        return { kind: "unchanged" } as const
      }
      const full = fillFromTarget(mapped, target)
      const targetChanged = changedGroups(link.targetHash, target)
      if (targetChanged.size === 0) {
        const sent = withTargetTags(ctx, source.id, full, target, true)
        return { kind: "update", targetId: target.id, mapped: sent, sourceHash, matched: false } as const
      }
      // Changed on both sides since they were last in step.
      return yield* resolveContact(ctx, source, full, target, link, sourceHash, sourceChanged, targetChanged)
    }
    // Not linked yet: identity by email, then by phone for a contact without email.
    const email = mapped.emails[0]
    const phone = mapped.phones[0]
    const byEmail = email === undefined ? [] : ctx.index.contactsBy("email", email)
    const byPhone = email === undefined && phone !== undefined ? ctx.index.contactsBy("phone", phone) : []
    const candidates = byEmail.length > 0 ? byEmail : byPhone
    const matchedBy = byEmail.length > 0 ? "email" : "phone"
    const free = candidates.find((id) => ctx.index.holder("contact", id) === undefined)
    if (free !== undefined) {
      ctx.index.claim("contact", free, source.id)
      ctx.index.setTarget("contact", source.id, free)
      const target = ctx.index.contact(free)
      if (target === undefined) return { kind: "create", mapped, planned: free } as const // a planned create
      const kept = withTargetTags(
        ctx,
        source.id,
        keepIdentity(fillFromTarget(mapped, target), target, mapping),
        target,
        true,
      )
      if (contactHash(kept) === contactHash(target))
        return {
          kind: "link",
          link: {
            entity: "contact",
            sourceId: source.id,
            targetId: free,
            sourceHash,
            targetHash: contactHash(target),
            merged: false,
          },
          count: "matched",
        } as const
      return { kind: "update", targetId: free, mapped: kept, sourceHash, matched: true } as const
    }
    const taken = candidates[0]
    if (taken !== undefined && !ctx.target.allowDuplicateContacts) {
      const holder = ctx.index.holder("contact", taken) as string
      report.merges.push({ sourceId: source.id, targetId: taken, with: holder, matchedBy })
      ctx.index.setTarget("contact", source.id, taken)
      return { kind: "merge", sourceId: source.id, target: taken, sourceHash } as const
    }
    const planned = `planned:${source.id}`
    ctx.index.addPlannedContact(planned, mapped)
    ctx.index.claim("contact", planned, source.id)
    if (!ctx.dryRun) ctx.creating.set(planned, Deferred.makeUnsafe<string>())
    ctx.index.setTarget("contact", source.id, planned)
    return { kind: "create", mapped, planned } as const
  })

/** The real id of a target contact (waits for a create decided in this pass and not written yet). */
const resolveTarget = (ctx: Context_, id: string): Effect.Effect<string> => {
  if (ctx.dryRun) return Effect.succeed(id)
  const deferred = ctx.creating.get(id)
  return deferred !== undefined ? Deferred.await(deferred) : Effect.succeed(ctx.index.realIdOf(id) ?? id)
}

const executeContact = (ctx: Context_, step: ContactStep): Eff<void> =>
  Effect.gen(function* () {
    const { state } = ctx.options
    const to = ctx.options.to
    const report = ctx.report.entities.contact
    switch (step.kind) {
      case "skip":
        report.skipped.push({ id: step.id, reason: step.reason })
        return
      case "unchanged":
        report.unchanged++
        return
      case "link":
        report[step.count]++
        if (!ctx.dryRun) yield* state.putLink(step.link)
        yield* release(ctx, "contact", step.link.sourceId)
        return
      case "merge": {
        const target = yield* resolveTarget(ctx, step.target)
        if (!ctx.dryRun)
          yield* state.putLink({
            entity: "contact",
            sourceId: step.sourceId,
            targetId: target,
            sourceHash: step.sourceHash,
            targetHash: step.sourceHash,
            merged: true,
          })
        ctx.index.setTarget("contact", step.sourceId, target)
        return
      }
      case "create": {
        report.create++
        const hash = contactHash(step.mapped)
        const created = yield* write(
          ctx,
          {
            entity: "contact",
            sourceId: step.mapped.id,
            op: "create",
            targetId: undefined,
            parentId: undefined,
            sourceHash: hash,
            targetHash: hash,
            identity: {
              ...(step.mapped.emails[0] === undefined ? {} : { email: step.mapped.emails[0] }),
              ...(step.mapped.phones[0] === undefined ? {} : { phone: step.mapped.phones[0] }),
            },
          },
          on(to)(to.records.createContact(step.mapped, ctx.target)),
          (written) => ({
            entity: "contact",
            sourceId: step.mapped.id,
            targetId: written.id,
            sourceHash: hash,
            targetHash: hash,
            merged: false,
          }),
        )
        if (created !== undefined) {
          ctx.index.setTarget("contact", step.mapped.id, created.id)
          ctx.index.markCreated(created.id)
          ctx.index.setRealId(step.planned, created.id)
          const deferred = ctx.creating.get(step.planned)
          if (deferred !== undefined) {
            ctx.creating.delete(step.planned)
            yield* Deferred.succeed(deferred, created.id)
          }
        }
        return
      }
      case "update": {
        if (step.matched) report.matched++
        report.update++
        const targetHash = contactHash(step.mapped)
        yield* write(
          ctx,
          {
            entity: "contact",
            sourceId: step.mapped.id,
            op: "update",
            targetId: step.targetId,
            parentId: undefined,
            sourceHash: step.sourceHash,
            targetHash,
            identity: {},
          },
          on(to)(to.records.updateContact(step.targetId, step.mapped, ctx.target)),
          () => ({
            entity: "contact",
            sourceId: step.mapped.id,
            targetId: step.targetId,
            sourceHash: step.sourceHash,
            targetHash,
            merged: false,
          }),
        )
        yield* release(ctx, "contact", step.mapped.id)
      }
    }
  })

// --- Children: notes, tasks, opportunities -------------------------------------------------

type ChildEntity = "note" | "task" | "opportunity"

interface Child<A extends { readonly id: string; readonly updatedAt?: string | undefined }> {
  readonly entity: ChildEntity
  readonly list: Stream.Stream<Records.Listed<A>, CrmError, any>
  readonly sourceParent: (record: A) => string
  /** The record in the target's words under its parent, or why it cannot be carried. */
  readonly map: (record: A, parent: string) => A | { readonly reason: string }
  readonly hash: (record: A, parent: string) => string
  readonly identity: (record: A, parent: string) => Record<string, string>
  /** The target's records under a parent contact, as they are now. */
  readonly existing: (parent: string) => Eff<ReadonlyArray<A>>
  readonly create: (record: A) => Effect.Effect<A, CrmError, any>
  readonly update: (id: string, record: A) => Effect.Effect<A, CrmError, any>
}

/** Parents whose target records a child pass keeps at hand: read once each, unless evicted long after. */
const EXISTING_CACHE = 1024

/** A map keeping the `capacity` entries used last. */
const lru = <V>(capacity: number) => {
  const entries = new Map<string, V>()
  return {
    get: (key: string): V | undefined => {
      const value = entries.get(key)
      if (value !== undefined) {
        entries.delete(key)
        entries.set(key, value)
      }
      return value
    },
    set: (key: string, value: V): void => {
      entries.delete(key)
      entries.set(key, value)
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string)
    },
  }
}

const moveChildren = <A extends { readonly id: string; readonly updatedAt?: string | undefined }>(
  ctx: Context_,
  child: Child<A>,
): Eff<void> =>
  Effect.gen(function* () {
    const { state, mapping } = ctx.options
    const to = ctx.options.to
    const report = ctx.report.entities[child.entity]
    if (!holds(ctx.source, child.entity)) return
    if (!holds(ctx.target, child.entity)) return yield* skipNotHeld(ctx, child.entity, child.list)
    const existingCache = lru<ReadonlyArray<A>>(EXISTING_CACHE)
    const existingOf = (parent: string) =>
      Effect.gen(function* () {
        let existing = existingCache.get(parent)
        if (existing === undefined) {
          existing = yield* child.existing(parent)
          existingCache.set(parent, existing)
        }
        return existing
      })
    const { index } = ctx
    yield* loadClaims(index, state, child.entity, true)
    let seen = 0
    type Step = () => Eff<void>
    const skip =
      (id: string, reason: string): Step =>
      () =>
        Effect.sync(() => void report.skipped.push({ id, reason }))
    const decide = (listed: Records.Listed<A>): Effect.Effect<Step, CrmError> =>
      Effect.gen(function* () {
        progress(ctx, child.entity, ++seen)
        if (listed._tag === "Skipped") return skip(listed.id, reasonOf(listed.problems))
        const record = listed.record
        const sourceParent = child.sourceParent(record)
        const parentPlanned =
          index.targetOf("contact", sourceParent) ?? (yield* state.getLink("contact", sourceParent))?.targetId
        if (parentPlanned === undefined) return skip(record.id, `contact ${sourceParent} is not migrated`)
        const parent = yield* resolveTarget(ctx, parentPlanned)
        const mapped = child.map(record, parent)
        if ("reason" in mapped && typeof (mapped as { reason?: unknown }).reason === "string" && !("id" in mapped))
          return skip(record.id, (mapped as { reason: string }).reason)
        const target = mapped as A
        const h = child.hash(target, parent)
        const link = yield* state.getLink(child.entity, record.id)
        const base = {
          entity: child.entity,
          sourceId: record.id,
          parentId: parent,
          sourceHash: h,
          targetHash: h,
          identity: child.identity(target, parent),
        }
        const update =
          (targetId: string, sent: A, link: Link): Step =>
          () =>
            Effect.gen(function* () {
              report.update++
              const sentHash = child.hash(sent, parent)
              yield* write(
                ctx,
                { ...base, op: "update", targetId, targetHash: sentHash },
                on(to)(child.update(targetId, sent)),
                () => ({ ...link, sourceHash: h, targetHash: sentHash }),
              )
              yield* release(ctx, child.entity, record.id)
            })
        if (link !== undefined) {
          if (link.sourceHash === h) return () => Effect.sync(() => void report.unchanged++)
          // The source changed: the target's record as it is now tells whether the target did too.
          const current = (yield* existingOf(parent)).find((e) => e.id === link.targetId)
          if (current === undefined) return skip(record.id, `target ${child.entity} ${link.targetId} no longer exists`)
          const now = child.hash(current, parent)
          if (now === link.targetHash) return update(link.targetId, target, link)
          if (now === h)
            // Both sides made the same change: in step again.
            return () =>
              Effect.gen(function* () {
                report.unchanged++
                if (!ctx.dryRun) yield* state.putLink({ ...link, sourceHash: h, targetHash: h })
                yield* release(ctx, child.entity, record.id)
              })
          // Changed on both sides since they were last in step.
          const policy = Mapping.policyOf(mapping, child.entity)
          const conflict: Conflict = {
            id: record.id,
            targetId: link.targetId,
            policy,
            fields: fieldDifferences(target, current),
          }
          const resolved = resolveRecord(policy, { ...target, updatedAt: record.updatedAt }, current, (merged) => {
            return child.hash(merged, parent) === now
          })
          return () =>
            Effect.gen(function* () {
              report.conflicts.push(conflict)
              if (resolved === "hold") return yield* hold(ctx, child.entity, record.id, link.targetId, conflict)
              if (resolved === "keep") {
                report.unchanged++
                if (!ctx.dryRun) yield* state.putLink({ ...link, sourceHash: h, targetHash: now })
                return yield* release(ctx, child.entity, record.id)
              }
              return yield* update(link.targetId, { ...resolved, id: record.id, contactId: parent } as A, link)()
            })
        }
        // Under a contact the target had before, the record may be there already.
        if (!index.createdThisRun(parentPlanned) && !parentPlanned.startsWith("planned:")) {
          const existing = yield* existingOf(parent)
          const same = existing.find(
            (e) => index.holder(child.entity, e.id) === undefined && child.hash(e, parent) === h,
          )
          if (same !== undefined) {
            index.claim(child.entity, same.id, record.id)
            return () =>
              Effect.gen(function* () {
                report.matched++
                if (!ctx.dryRun)
                  yield* state.putLink({
                    entity: child.entity,
                    sourceId: record.id,
                    targetId: same.id,
                    sourceHash: h,
                    targetHash: h,
                    merged: false,
                  })
              })
          }
        }
        return () =>
          Effect.gen(function* () {
            report.create++
            const created = yield* write(
              ctx,
              { ...base, op: "create", targetId: undefined },
              on(to)(child.create(target)),
              (created) => ({
                entity: child.entity,
                sourceId: record.id,
                targetId: created.id,
                sourceHash: h,
                targetHash: h,
                merged: false,
              }),
            )
            // Held, so that a parent's records read again (its cache entry evicted) do not offer it as a match.
            if (created !== undefined) index.claim(child.entity, created.id, record.id)
          })
      })
    yield* onStream(ctx.options.from)(child.list).pipe(
      Stream.mapEffect(decide),
      Stream.mapEffect((step) => step(), { concurrency: ctx.options.concurrency ?? 4 }),
      Stream.runDrain,
    )
  })

const noteBody = (n: Records.Note) =>
  n.title === undefined || n.body.startsWith(n.title) ? n.body : `${n.title}\n\n${n.body}`

const children = (ctx: Context_): ReadonlyArray<Child<any>> => {
  const { from, to, mapping } = ctx.options
  const opportunities = loadOpportunities(to, ctx.target, ctx.index)
  return [
    {
      entity: "note",
      list: from.records.notes(ctx.source),
      sourceParent: (n: Records.Note) => n.contactId,
      map: (n: Records.Note, parent: string): Records.Note => ({
        id: n.id,
        contactId: parent,
        body: noteBody(n),
        updatedAt: n.updatedAt,
      }),
      hash: (n: Records.Note, parent: string) => noteHash(parent, n.body),
      identity: (n: Records.Note, parent: string) => ({ hash: noteHash(parent, n.body) }),
      existing: (parent: string) => on(to)(to.records.notesOf(parent)),
      create: (n: Records.Note) => to.records.createNote(n, ctx.target),
      update: (id: string, n: Records.Note) => to.records.updateNote(id, n, ctx.target),
    } satisfies Child<Records.Note>,
    {
      entity: "task",
      list: from.records.tasks(ctx.source),
      sourceParent: (t: Records.Task) => t.contactId,
      map: (t: Records.Task, parent: string): Records.Task => ({
        ...t,
        contactId: parent,
        ownerEmail: Mapping.mapUser(mapping, t.ownerEmail),
      }),
      hash: (t: Records.Task, parent: string) => taskHash(parent, t),
      identity: (t: Records.Task, parent: string) => ({ hash: taskHash(parent, t) }),
      existing: (parent: string) => on(to)(to.records.tasksOf(parent, ctx.target)),
      create: (t: Records.Task) => to.records.createTask(t, ctx.target),
      update: (id: string, t: Records.Task) => to.records.updateTask(id, t, ctx.target),
    } satisfies Child<Records.Task>,
    {
      entity: "opportunity",
      list: from.records.opportunities(ctx.source),
      sourceParent: (o: Records.Opportunity) => o.contactId,
      map: (o: Records.Opportunity, parent: string) => {
        const stage = Mapping.mapStage(mapping, o.pipeline, o.stage)
        if ("reason" in stage) return { reason: stage.reason }
        return { ...o, contactId: parent, ...stage, ownerEmail: Mapping.mapUser(mapping, o.ownerEmail) }
      },
      hash: (o: Records.Opportunity) => opportunityHash(o),
      identity: (o: Records.Opportunity) => ({ name: o.name }),
      existing: (parent: string) => Effect.map(opportunities, () => ctx.index.opportunitiesOf(parent)),
      create: (o: Records.Opportunity) => to.records.createOpportunity(o, ctx.target),
      update: (id: string, o: Records.Opportunity) => to.records.updateOpportunity(id, o, ctx.target),
    } satisfies Child<Records.Opportunity>,
  ]
}

// --- plan / run ----------------------------------------------------------------------------

const LAST_RUN = "lastCompleteRunStartedAt"
/** Updates a little older than the last run's start are read again: clocks of two machines differ. */
const SKEW_MILLIS = 60_000

const execute = (options: Options, dryRun: boolean): Effect.Effect<Report, CrmError | InputError> =>
  Effect.gen(function* () {
    const { from, to, state, mapping } = options
    const [source, targetLookups] = yield* lookups(from, to)
    // A copy: custom fields this run creates are added to it.
    const target = { ...targetLookups, customFields: [...targetLookups.customFields] }
    const problems = [...Mapping.check(mapping, from.name, to.name, target, source)]
    const toCreate = Mapping.fieldsToCreate(mapping, source).filter(
      (f) => !target.customFields.some((t) => t.name === f.name),
    )
    if (toCreate.length > 0 && to.records.createCustomField === undefined)
      problems.push(
        `customFields: ${to.name} cannot create custom fields (${toCreate.map((f) => `"${f.name}"`).join(", ")}); create them there and name them`,
      )
    if (problems.length > 0) return yield* new InputError({ message: `mapping: ${problems.join("; ")}` })
    const startedAt = new Date().toISOString()
    const last = options.full === true ? undefined : yield* state.get(LAST_RUN)
    const report: Report = {
      mode: dryRun ? "plan" : "run",
      from: from.name,
      to: to.name,
      delta: last !== undefined,
      entities: Object.fromEntries(ENTITIES.map((e) => [e, emptyEntity()])) as Record<Entity, EntityReport>,
      unmapped: Mapping.emptyUnmapped(),
      customFields: [],
      reconciled: { found: 0, missing: 0 },
      writes: 0,
      startedAt,
      finishedAt: startedAt,
    }
    return yield* RunIndex.use((index) => move(options, dryRun, { report, source, target, last, index }))
  })

/** A plan's or run's passes, entity by entity, once the mapping is checked. */
const move = (
  options: Options,
  dryRun: boolean,
  setup: {
    readonly report: Report
    readonly source: Records.Lookups
    readonly target: Base["target"]
    readonly last: string | undefined
    readonly index: RunIndex.RunIndex
  },
): Eff<Report> =>
  Effect.gen(function* () {
    const { from, to, state } = options
    const { report, source, target, last, index } = setup
    yield* loadContacts(to, target, index)
    yield* loadClaims(index, state, "contact")
    if (holds(target, "company")) yield* loadCompanies(to, target, index)
    yield* loadClaims(index, state, "company")
    const held = new Set((yield* state.held()).map((h) => `${h.entity}:${h.sourceId}`))
    const base: Base = { options, dryRun, report, source, target, index, held, started: Date.now() }
    const pending = yield* state.pending()
    if (!dryRun) yield* reconcile(base, pending)
    const ctx: Context_ = { ...base, creating: new Map(), managedTags: managedTags(options.mapping, source) }
    yield* moveCustomFields(ctx)
    yield* moveCompanies(ctx)
    const updatedSince = last === undefined ? undefined : new Date(Date.parse(last) - SKEW_MILLIS).toISOString()
    let seen = 0
    // Contacts held for review that this pass has not seen yet (few: they grow with problems, not records).
    const heldUnseen = new Set([...held].filter((h) => h.startsWith("contact:")).map((h) => h.slice("contact:".length)))
    const moveContacts = (stream: Stream.Stream<Records.Listed<Records.Contact>, CrmError>) =>
      stream.pipe(
        Stream.tap((listed) =>
          Effect.sync(() => {
            heldUnseen.delete(listed._tag === "Ok" ? listed.record.id : listed.id)
            progress(ctx, "contact", ++seen)
          }),
        ),
        Stream.mapEffect((listed) => decideContact(ctx, listed)),
        Stream.mapEffect((step) => executeContact(ctx, step), { concurrency: options.concurrency ?? 4 }),
        Stream.runDrain,
      )
    yield* moveContacts(onStream(from)(from.records.contacts(source, { updatedSince })))
    // Records held for review are looked at again each run, changed since the last run or not:
    // the person may have changed the policy.
    const heldContacts = (yield* state.held()).filter((h) => h.entity === "contact" && heldUnseen.has(h.sourceId))
    if (heldContacts.length > 0) {
      yield* moveContacts(
        Stream.fromIterable(heldContacts).pipe(
          Stream.mapEffect((h) => on(from)(from.records.getContact(h.sourceId, source))),
          Stream.filter((listed): listed is Records.Listed<Records.Contact> => listed !== undefined),
        ),
      )
    }
    for (const child of children(ctx)) yield* moveChildren(ctx, child)
    report.finishedAt = new Date().toISOString()
    if (!dryRun) {
      yield* state.set(LAST_RUN, report.startedAt)
      yield* state.set("lastReport", JSON.stringify(summary(report)))
    } else yield* state.set("lastPlan", JSON.stringify(summary(report)))
    return report
  })

/** What a run would do, per entity: reads both sides, writes nothing to either CRM. */
export const plan = (options: Options) => execute(options, true)

/** Moves what changed since the last run (everything, the first time), exactly once. */
export const run = (options: Options) => execute(options, false)

/** Counts per entity, without the lists. */
export const summary = (report: Report) => ({
  mode: report.mode,
  from: report.from,
  to: report.to,
  delta: report.delta,
  writes: report.writes,
  reconciled: report.reconciled,
  entities: Object.fromEntries(
    ENTITIES.map((e) => {
      const r = report.entities[e]
      return [
        e,
        {
          create: r.create,
          update: r.update,
          unchanged: r.unchanged,
          matched: r.matched,
          skipped: r.skipped.length,
          conflicts: r.conflicts.length,
          merges: r.merges.length,
        },
      ]
    }),
  ),
})

// --- verify / status ------------------------------------------------------------------------

export interface EntityCheck {
  /** Source records that could be moved (skipped ones excluded). */
  readonly source: number
  readonly skipped: number
  readonly linked: number
  /** Mapped source records whose target record is missing. */
  readonly missing: Array<string>
  /** Source records found more than once in the target. */
  readonly duplicates: Array<string>
  /** Source records not mapped yet (not moved, merged or held). */
  readonly notMoved: Array<string>
}

export interface Verification {
  readonly ok: boolean
  readonly entities: Record<Entity, EntityCheck>
}

type VerifyOptions = Omit<Options, "mapping" | "onProgress" | "concurrency">

/** Reconciles both sides: every mapped source record exists once in the target. */
export const verify = (options: VerifyOptions) =>
  Effect.gen(function* () {
    const [source, target] = yield* lookups(options.from, options.to)
    return yield* RunIndex.use((index) => verifyWith(options, source, target, index))
  })

/** Parents verify reads the target's records of at a time. */
const PARENT_PAGE = 200

const verifyWith = (
  options: VerifyOptions,
  source: Records.Lookups,
  target: Records.Lookups,
  index: RunIndex.RunIndex,
): Eff<Verification> =>
  Effect.gen(function* () {
    const { from, to, state } = options
    yield* loadContacts(to, target, index)
    const held = new Set((yield* state.held()).map((h) => `${h.entity}:${h.sourceId}`))
    const check = (): EntityCheck => ({ source: 0, skipped: 0, linked: 0, missing: [], duplicates: [], notMoved: [] })
    const entities = Object.fromEntries(ENTITIES.map((e) => [e, check()])) as Record<Entity, EntityCheck>
    type Counts = { source: number; skipped: number; linked: number }

    // Custom fields the runs created: each still there.
    const fields = entities.customField as Counts & EntityCheck
    for (const link of yield* state.links("customField")) {
      fields.source++
      fields.linked++
      if (!target.customFields.some((f) => f.id === link.targetId)) fields.missing.push(link.sourceId)
    }

    // Companies: each linked target exists, and no second target company has the content linked.
    const companies = entities.company as Counts & EntityCheck
    const targetHoldsCompanies = holds(target, "company")
    if (targetHoldsCompanies) yield* loadCompanies(to, target, index)
    // Every target company a link names, merged links' too: the others are not the migration's.
    yield* loadClaims(index, state, "company", true)
    const sourceCompanies = holds(source, "company") ? from.records.companies(source) : Stream.empty
    yield* Stream.runForEach(onStream(from)(sourceCompanies), (listed) =>
      Effect.gen(function* () {
        if (listed._tag === "Skipped" || !targetHoldsCompanies) {
          companies.skipped++
          return
        }
        companies.source++
        const link = yield* state.getLink("company", listed.record.id)
        if (link === undefined) {
          if (!held.has(`company:${listed.record.id}`) && listed.record.name !== "")
            companies.notMoved.push(listed.record.id)
          return
        }
        companies.linked++
        if (!index.has("company", link.targetId)) companies.missing.push(listed.record.id)
        else if (!link.merged && index.hasUnclaimedCompany(link.targetHash)) companies.duplicates.push(listed.record.id)
      }),
    )

    // Contacts: each linked target exists, and carries no other migration's marker twice.
    yield* Stream.runForEach(onStream(from)(from.records.contacts(source)), (listed) =>
      Effect.gen(function* () {
        const c = entities.contact as Counts
        if (listed._tag === "Skipped") {
          c.skipped++
          return
        }
        c.source++
        const link = yield* state.getLink("contact", listed.record.id)
        if (link === undefined) {
          if (!held.has(`contact:${listed.record.id}`)) entities.contact.notMoved.push(listed.record.id)
          return
        }
        c.linked++
        if (!index.has("contact", link.targetId)) entities.contact.missing.push(listed.record.id)
        if (index.contactsBy("source", markerOf(options, listed.record.id)).length > 1)
          entities.contact.duplicates.push(listed.record.id)
      }),
    )

    // Children: per linked parent, the target's records against the source's, by content.
    const verifyChildren = <A extends { readonly id: string; readonly contactId: string }>(
      entity: ChildEntity,
      list: Stream.Stream<Records.Listed<A>, CrmError, any>,
      targetOf: (parent: string) => Eff<ReadonlyArray<A>>,
    ) =>
      Effect.gen(function* () {
        const check = entities[entity] as Counts & EntityCheck
        if (!holds(source, entity)) return
        // A kind the target does not hold: every source record of it was skipped, none is missing.
        const targetHolds = holds(target, entity)
        // The source's linked records grouped by their parent's target id, in the index.
        yield* Stream.runForEach(onStream(from)(list), (listed) =>
          Effect.gen(function* () {
            if (listed._tag === "Skipped" || !targetHolds) {
              check.skipped++
              return
            }
            check.source++
            const link = yield* state.getLink(entity, listed.record.id)
            const parentLink = yield* state.getLink("contact", listed.record.contactId)
            if (link === undefined) {
              if (parentLink !== undefined && !held.has(`${entity}:${listed.record.id}`))
                check.notMoved.push(listed.record.id)
              return
            }
            check.linked++
            index.group(entity, parentLink?.targetId ?? "?", link)
          }),
        )
        const checkParent = (parent: string) =>
          Effect.gen(function* () {
            const links = index.grouped(entity, parent)
            const found = parent === "?" ? [] : yield* targetOf(parent)
            const ids = new Map<string, number>()
            for (const f of found) ids.set(f.id, (ids.get(f.id) ?? 0) + 1)
            for (const link of links) if (!ids.has(link.targetId)) check.missing.push(link.sourceId)
            // Exactly once: no more target records under the parent than source records linked there,
            // unless the target had them before (matched ones share a target id).
            const targets = new Set(links.map((l) => l.targetId))
            const extra = found.filter((f) => !targets.has(f.id))
            const hashes = new Set(links.map((l) => l.targetHash))
            for (const e of extra) {
              const h =
                entity === "note"
                  ? noteHash(parent, (e as unknown as Records.Note).body)
                  : entity === "task"
                    ? taskHash(parent, e as unknown as Records.Task)
                    : opportunityHash(e as unknown as Records.Opportunity)
              if (hashes.has(h)) check.duplicates.push(e.id)
            }
          })
        let after: string | undefined
        for (;;) {
          const parents = index.groupParents(entity, after, PARENT_PAGE)
          yield* Effect.forEach(parents, checkParent, { concurrency: 4, discard: true })
          if (parents.length < PARENT_PAGE) return
          after = parents[parents.length - 1]
        }
      })
    yield* verifyChildren("note", from.records.notes(source), (p) => on(to)(to.records.notesOf(p)))
    yield* verifyChildren("task", from.records.tasks(source), (p) => on(to)(to.records.tasksOf(p, target)))
    if (holds(target, "opportunity")) yield* loadOpportunities(to, target, index)
    yield* verifyChildren("opportunity", from.records.opportunities(source), (p) =>
      Effect.sync(() => index.opportunitiesOf(p)),
    )
    const ok = ENTITIES.every((e) => entities[e].missing.length === 0 && entities[e].duplicates.length === 0)
    return { ok, entities } satisfies Verification
  })

/** What the state holds: links per entity, intents by status, records held for review, the last run. */
export const status = (state: State) =>
  Effect.gen(function* () {
    const counts = yield* state.counts()
    const held = yield* state.held()
    const last = yield* state.get("lastReport")
    const plan = yield* state.get("lastPlan")
    return {
      links: counts.links,
      intents: counts.intents,
      held: held.map((h) => ({ entity: h.entity, sourceId: h.sourceId, targetId: h.targetId })),
      lastRunStartedAt: yield* state.get(LAST_RUN),
      lastRun: last === undefined ? undefined : (JSON.parse(last) as unknown),
      lastPlan: plan === undefined ? undefined : (JSON.parse(plan) as unknown),
    }
  })

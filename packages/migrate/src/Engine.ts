/**
 * The migration engine: `plan` (reads both sides, writes nothing), `run` (exactly-once:
 * every write is an intent in the state before it is sent and completed after; on resume
 * an open intent is reconciled against the target before anything is re-sent), `verify`
 * (every mapped source record exists once in the target) and `status`.
 *
 * Identity: the state's id map first, then the normalised email, then the phone (for a
 * contact without email); a second source contact landing on a target contact another
 * one already holds is a merge, reported (or, where the target allows duplicate
 * contacts, a contact of its own).
 */
import type { CrmError, Records } from "@crmkit/core"
import { type Context, Data, Deferred, Effect, Stream } from "effect"
import * as Mapping from "./Mapping.ts"
import {
  contactHash,
  contactProjection,
  differences,
  ENTITIES,
  type Entity,
  noteHash,
  opportunityHash,
  taskHash,
} from "./Model.ts"
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

export interface Conflict {
  readonly id: string
  readonly targetId: string
  readonly policy: Mapping.Policy
  readonly fields: Record<string, { readonly source: unknown; readonly target: unknown }>
}

export interface Merge {
  readonly sourceId: string
  readonly targetId: string
  /** The source record that already holds the target record. */
  readonly with: string
  readonly matchedBy: "email" | "phone"
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

export interface Report {
  readonly mode: "plan" | "run"
  readonly from: string
  readonly to: string
  readonly delta: boolean
  readonly entities: Record<Entity, EntityReport>
  readonly unmapped: Mapping.Unmapped
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
}

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

/** The target's contacts by id, email, phone and source marker, and which source holds which. */
class TargetIndex {
  readonly byId = new Map<string, Records.Contact>()
  readonly byEmail = new Map<string, Array<string>>()
  readonly byPhone = new Map<string, Array<string>>()
  readonly bySource = new Map<string, Array<string>>()
  /** Target contact id -> the source contact that holds it. */
  readonly claimed = new Map<string, string>()
  /** Creates decided in this pass: planned id -> the real id once written. */
  readonly planned = new Map<string, Deferred.Deferred<string>>()
  unreadable = 0

  add(contact: Records.Contact) {
    this.byId.set(contact.id, contact)
    const push = (map: Map<string, Array<string>>, key: string | undefined) => {
      if (key === undefined) return
      const list = map.get(key) ?? []
      if (!list.includes(contact.id)) list.push(contact.id)
      map.set(key, list)
    }
    for (const e of contact.emails) push(this.byEmail, e)
    for (const p of contact.phones) push(this.byPhone, p)
    push(this.bySource, contact.sourceId)
  }
}

const loadIndex = (to: Side, lookups: Records.Lookups, state: State) =>
  Effect.gen(function* () {
    const index = new TargetIndex()
    yield* Stream.runForEach(onStream(to)(to.records.contacts(lookups)), (listed) =>
      Effect.sync(() => {
        if (listed._tag === "Ok") index.add(listed.record)
        else index.unreadable++
      }),
    )
    for (const link of yield* state.links("contact")) {
      if (!link.merged) index.claimed.set(link.targetId, link.sourceId)
    }
    return index
  })

interface Context_ {
  readonly options: Options
  readonly dryRun: boolean
  readonly report: Report
  readonly source: Records.Lookups
  readonly target: Records.Lookups
  readonly index: TargetIndex
  /** Source contact id -> target id (or planned id) decided in this pass. */
  readonly contactTargets: Map<string, string>
  /** Target contacts created in this pass: their children need no look-up in the target. */
  readonly createdThisRun: Set<string>
  readonly started: number
}

const progress = (ctx: Context_, entity: Entity, seen: number) => {
  if (ctx.options.onProgress !== undefined)
    ctx.options.onProgress({ entity, seen, writes: ctx.report.writes, elapsedMillis: Date.now() - ctx.started })
}

// --- Reconciliation -------------------------------------------------------------------------

/** Resolves open intents against the target before anything is re-sent. */
const reconcile = (ctx: Omit<Context_, "contactTargets" | "createdThisRun">, intents: ReadonlyArray<Intent>) =>
  Effect.gen(function* () {
    const { state } = ctx.options
    const to = ctx.options.to
    const linkedTargets = new Map<Entity, Set<string>>()
    const linked = (entity: Entity) =>
      Effect.gen(function* () {
        let set = linkedTargets.get(entity)
        if (set === undefined) {
          set = new Set((yield* state.links(entity)).map((l) => l.targetId))
          linkedTargets.set(entity, set)
        }
        return set
      })
    let opportunities: Array<Records.Opportunity> | undefined
    for (const intent of intents) {
      let found: string | undefined
      if (intent.op === "update") {
        // An update may be sent again safely; only a contact's is checked, so that a landed
        // update is not mistaken for a change made in the target.
        if (intent.entity === "contact" && intent.targetId !== undefined) {
          const current = ctx.index.byId.get(intent.targetId)
          if (current !== undefined && contactHash(current) === intent.targetHash) found = intent.targetId
        }
      } else if (intent.entity === "contact") {
        found = ctx.index.bySource.get(intent.sourceId)?.[0]
        if (found === undefined && !ctx.target.allowDuplicateContacts) {
          const byEmail = intent.identity.email === undefined ? undefined : ctx.index.byEmail.get(intent.identity.email)
          const byPhone = intent.identity.phone === undefined ? undefined : ctx.index.byPhone.get(intent.identity.phone)
          found = [...(byEmail ?? []), ...(byPhone ?? [])].find((id) => !ctx.index.claimed.has(id))
        }
        if (found !== undefined) ctx.index.claimed.set(found, intent.sourceId)
      } else if (intent.parentId !== undefined) {
        const taken = yield* linked(intent.entity)
        if (intent.entity === "note") {
          const notes = yield* on(to)(to.records.notesOf(intent.parentId))
          found = notes.find(
            (n) => !taken.has(n.id) && noteHash(intent.parentId as string, n.body) === intent.identity.hash,
          )?.id
        } else if (intent.entity === "task") {
          const tasks = yield* on(to)(to.records.tasksOf(intent.parentId, ctx.target))
          found = tasks.find(
            (t) => !taken.has(t.id) && taskHash(intent.parentId as string, t) === intent.identity.hash,
          )?.id
        } else {
          opportunities ??= yield* collectOk(
            on(to)(Stream.runCollect(onStream(to)(to.records.opportunities(ctx.target)))),
          )
          found = opportunities.find(
            (o) => !taken.has(o.id) && o.contactId === intent.parentId && o.name === intent.identity.name,
          )?.id
        }
        if (found !== undefined) taken.add(found)
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
          sourceHash: intent.sourceHash,
          targetHash: intent.targetHash,
          merged: false,
        })
      }
    }
  })

const collectOk = <A>(effect: Effect.Effect<Iterable<Records.Listed<A>>, CrmError>) =>
  Effect.map(effect, (all) => Array.from(all).flatMap((l) => (l._tag === "Ok" ? [l.record] : [])))

// --- Writes -------------------------------------------------------------------------------

/**
 * Sends one write as an intent: recorded before it is sent, completed after. In a plan,
 * counts it and sends nothing.
 */
const write = <A extends { readonly id: string }>(
  ctx: Context_,
  intent: Omit<Intent, "id">,
  send: Eff<A>,
  linkOf: (written: A) => Link,
): Eff<string | undefined> =>
  Effect.gen(function* () {
    ctx.report.writes++
    if (ctx.dryRun) return undefined
    const id = yield* ctx.options.state.begin(intent)
    const written = yield* send
    yield* ctx.options.state.complete(id, linkOf(written))
    return written.id
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

/** The target's values where it has one, the source's where the target's is empty; tags of both. */
const mergeNonEmpty = (source: Records.Contact, target: Records.Contact): Records.Contact => {
  const pick = <A>(t: A | undefined, s: A | undefined) => (t === undefined || t === "" ? s : t)
  const customFields: Record<string, Records.FieldValue> = { ...source.customFields }
  for (const [k, v] of Object.entries(target.customFields)) if (v !== null && v !== "") customFields[k] = v
  return {
    ...source,
    givenName: pick(target.givenName, source.givenName),
    familyName: pick(target.familyName, source.familyName),
    emails: target.emails.length > 0 ? target.emails : source.emails,
    phones: target.phones.length > 0 ? target.phones : source.phones,
    addresses: target.addresses.length > 0 ? target.addresses : source.addresses,
    companyName: pick(target.companyName, source.companyName),
    tags: [...new Set([...target.tags, ...source.tags])],
    customFields,
    ownerEmail: pick(target.ownerEmail, source.ownerEmail),
  }
}

const decideContact = (ctx: Context_, listed: Records.Listed<Records.Contact>): Effect.Effect<ContactStep> =>
  Effect.gen(function* () {
    const { state, mapping } = ctx.options
    const report = ctx.report.entities.contact
    if (listed._tag === "Skipped") {
      const reason = listed.problems.map((p) => `${p.field}: ${p.message}: ${JSON.stringify(p.value)}`).join("; ")
      return { kind: "skip", id: listed.id, reason } as const
    }
    const source = listed.record
    const mapped = Mapping.mapContact(source, mapping, ctx.report.unmapped, ctx.target.contactSlots)
    const sourceHash = contactHash(mapped)
    const link = yield* state.getLink("contact", source.id)
    if (link !== undefined) {
      ctx.contactTargets.set(source.id, link.targetId)
      const target = ctx.index.byId.get(link.targetId)
      if (target === undefined)
        return { kind: "skip", id: source.id, reason: `target contact ${link.targetId} no longer exists` } as const
      if (link.merged || link.sourceHash === sourceHash) {
        yield* state.release("contact", source.id)
        return { kind: "unchanged" } as const
      }
      const targetHash = contactHash(target)
      if (targetHash === link.targetHash)
        return { kind: "update", targetId: target.id, mapped, sourceHash, matched: false } as const
      // Changed on both sides since they were last in step.
      const policy = mapping.conflicts.contact
      report.conflicts.push({
        id: source.id,
        targetId: target.id,
        policy,
        fields: differences(contactProjection(mapped), contactProjection(target)),
      })
      if (policy === "review") {
        if (!ctx.dryRun)
          yield* state.hold({
            entity: "contact",
            sourceId: source.id,
            targetId: target.id,
            detail: report.conflicts.at(-1),
          })
        return { kind: "unchanged" } as const
      }
      const targetWins = { kind: "link", link: { ...link, sourceHash, targetHash }, count: "unchanged" } as const
      if (policy === "target-wins") return targetWins
      if (policy === "newest-wins") {
        const sourceTime = Date.parse(source.updatedAt ?? "")
        const targetTime = Date.parse(target.updatedAt ?? "")
        if (Number.isFinite(sourceTime) && Number.isFinite(targetTime) && targetTime > sourceTime) return targetWins
      }
      if (policy === "merge-non-empty") {
        const merged = mergeNonEmpty(mapped, target)
        if (contactHash(merged) === targetHash) return targetWins
        return { kind: "update", targetId: target.id, mapped: merged, sourceHash, matched: false } as const
      }
      return {
        kind: "update",
        targetId: target.id,
        mapped: keepIdentity(mapped, target, mapping),
        sourceHash,
        matched: false,
      } as const
    }
    // Not linked yet: identity by email, then by phone for a contact without email.
    const email = mapped.emails[0]
    const phone = mapped.phones[0]
    const byEmail = email === undefined ? [] : (ctx.index.byEmail.get(email) ?? [])
    const byPhone = email === undefined && phone !== undefined ? (ctx.index.byPhone.get(phone) ?? []) : []
    const candidates = byEmail.length > 0 ? byEmail : byPhone
    const matchedBy = byEmail.length > 0 ? "email" : "phone"
    const free = candidates.find((id) => !ctx.index.claimed.has(id))
    if (free !== undefined) {
      ctx.index.claimed.set(free, source.id)
      ctx.contactTargets.set(source.id, free)
      const target = ctx.index.byId.get(free)
      if (target === undefined) return { kind: "create", mapped, planned: free } as const // a planned create
      const kept = keepIdentity(mapped, target, mapping)
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
      const holder = ctx.index.claimed.get(taken) as string
      report.merges.push({ sourceId: source.id, targetId: taken, with: holder, matchedBy })
      ctx.contactTargets.set(source.id, taken)
      return { kind: "merge", sourceId: source.id, target: taken, sourceHash } as const
    }
    const planned = `planned:${source.id}`
    ctx.index.add({ ...mapped, id: planned })
    ctx.index.claimed.set(planned, source.id)
    ctx.index.planned.set(planned, Deferred.makeUnsafe<string>())
    ctx.contactTargets.set(source.id, planned)
    ctx.createdThisRun.add(planned)
    return { kind: "create", mapped, planned } as const
  })

/** The real id of a target contact (waits for a create decided in this pass). */
const resolveTarget = (ctx: Context_, id: string): Effect.Effect<string> => {
  const deferred = ctx.index.planned.get(id)
  return deferred === undefined || ctx.dryRun ? Effect.succeed(id) : Deferred.await(deferred)
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
        ctx.contactTargets.set(step.sourceId, target)
        return
      }
      case "create": {
        report.create++
        const hash = contactHash(step.mapped)
        const id = yield* write(
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
          (created) => ({
            entity: "contact",
            sourceId: step.mapped.id,
            targetId: created.id,
            sourceHash: hash,
            targetHash: hash,
            merged: false,
          }),
        )
        if (id !== undefined) {
          ctx.contactTargets.set(step.mapped.id, id)
          ctx.createdThisRun.add(id)
          const deferred = ctx.index.planned.get(step.planned)
          if (deferred !== undefined) yield* Deferred.succeed(deferred, id)
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
        if (!ctx.dryRun) yield* state.release("contact", step.mapped.id)
      }
    }
  })

// --- Children: notes, tasks, opportunities -------------------------------------------------

interface Child<A> {
  readonly entity: Exclude<Entity, "contact">
  readonly list: Stream.Stream<Records.Listed<A>, CrmError, any>
  readonly sourceParent: (record: A) => string
  /** The record in the target's words under its parent, or why it cannot be carried. */
  readonly map: (record: A, parent: string) => A | { readonly reason: string }
  readonly hash: (record: A, parent: string) => string
  readonly identity: (record: A, parent: string) => Record<string, string>
  readonly existing: (parent: string) => Eff<ReadonlyArray<A & { readonly id: string }>>
  readonly create: (record: A) => Effect.Effect<A & { readonly id: string }, CrmError, any>
  readonly update: (id: string, record: A) => Effect.Effect<A & { readonly id: string }, CrmError, any>
}

const moveChildren = <A extends { readonly id: string }>(ctx: Context_, child: Child<A>): Eff<void> =>
  Effect.gen(function* () {
    const { state, mapping } = ctx.options
    const to = ctx.options.to
    const report = ctx.report.entities[child.entity]
    const existingCache = new Map<string, ReadonlyArray<A>>()
    const takenTargets = new Set((yield* state.links(child.entity)).map((l) => l.targetId))
    let seen = 0
    type Step = () => Eff<void>
    const decide = (listed: Records.Listed<A>): Effect.Effect<Step, CrmError> =>
      Effect.gen(function* () {
        progress(ctx, child.entity, ++seen)
        if (listed._tag === "Skipped") {
          const reason = listed.problems.map((p) => `${p.field}: ${p.message}: ${JSON.stringify(p.value)}`).join("; ")
          return () => Effect.sync(() => void report.skipped.push({ id: listed.id, reason }))
        }
        const record = listed.record
        const sourceParent = child.sourceParent(record)
        const parentPlanned =
          ctx.contactTargets.get(sourceParent) ?? (yield* state.getLink("contact", sourceParent))?.targetId
        if (parentPlanned === undefined)
          return () =>
            Effect.sync(
              () => void report.skipped.push({ id: record.id, reason: `contact ${sourceParent} is not migrated` }),
            )
        const parent = yield* resolveTarget(ctx, parentPlanned)
        const mapped = child.map(record, parent)
        if ("reason" in mapped && typeof (mapped as { reason?: unknown }).reason === "string" && !("id" in mapped))
          return () =>
            Effect.sync(
              () => void report.skipped.push({ id: record.id, reason: (mapped as { reason: string }).reason }),
            )
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
        if (link !== undefined) {
          if (link.sourceHash === h) return () => Effect.sync(() => void report.unchanged++)
          const policy = mapping.conflicts[child.entity]
          if (policy === "target-wins")
            return () =>
              Effect.gen(function* () {
                report.unchanged++
                if (!ctx.dryRun) yield* state.putLink({ ...link, sourceHash: h })
              })
          if (policy === "review")
            return () =>
              Effect.gen(function* () {
                report.conflicts.push({ id: record.id, targetId: link.targetId, policy, fields: {} })
                if (!ctx.dryRun)
                  yield* state.hold({ entity: child.entity, sourceId: record.id, targetId: link.targetId, detail: {} })
              })
          return () =>
            Effect.gen(function* () {
              report.update++
              yield* write(
                ctx,
                { ...base, op: "update", targetId: link.targetId },
                on(to)(child.update(link.targetId, target)),
                () => ({
                  ...link,
                  sourceHash: h,
                  targetHash: h,
                }),
              )
            })
        }
        // Under a contact the target had before, the record may be there already.
        if (!ctx.createdThisRun.has(parentPlanned) && !parentPlanned.startsWith("planned:")) {
          let existing = existingCache.get(parent)
          if (existing === undefined) {
            existing = yield* child.existing(parent)
            existingCache.set(parent, existing)
          }
          const same = existing.find((e) => !takenTargets.has(e.id) && child.hash(e, parent) === h)
          if (same !== undefined) {
            takenTargets.add(same.id)
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
            yield* write(
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
  return [
    {
      entity: "note",
      list: from.records.notes(ctx.source),
      sourceParent: (n: Records.Note) => n.contactId,
      map: (n: Records.Note, parent: string): Records.Note => ({ id: n.id, contactId: parent, body: noteBody(n) }),
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
      existing: (parent: string) =>
        collectOk(on(to)(Stream.runCollect(onStream(to)(to.records.opportunities(ctx.target))))).pipe(
          Effect.map((all) => all.filter((o) => o.contactId === parent)),
        ),
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
    const [source, target] = yield* lookups(from, to)
    const problems = Mapping.check(mapping, from.name, to.name, target)
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
      reconciled: { found: 0, missing: 0 },
      writes: 0,
      startedAt,
      finishedAt: startedAt,
    }
    const index = yield* loadIndex(to, target, state)
    const base = { options, dryRun, report, source, target, index, started: Date.now() }
    const pending = yield* state.pending()
    if (!dryRun) yield* reconcile(base, pending)
    const ctx: Context_ = { ...base, contactTargets: new Map(), createdThisRun: new Set() }
    const updatedSince = last === undefined ? undefined : new Date(Date.parse(last) - SKEW_MILLIS).toISOString()
    let seen = 0
    const seenIds = new Set<string>()
    const moveContacts = (stream: Stream.Stream<Records.Listed<Records.Contact>, CrmError>) =>
      stream.pipe(
        Stream.tap((listed) =>
          Effect.sync(() => {
            seenIds.add(listed._tag === "Ok" ? listed.record.id : listed.id)
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
    const held = (yield* state.held()).filter((h) => h.entity === "contact" && !seenIds.has(h.sourceId))
    if (held.length > 0) {
      yield* moveContacts(
        Stream.fromIterable(held).pipe(
          Stream.mapEffect((h) => on(from)(from.records.getContact(h.sourceId, source))),
          Stream.filter((listed): listed is Records.Listed<Records.Contact> => listed !== undefined),
        ),
      )
    }
    for (const child of children(ctx)) yield* moveChildren(ctx, child)
    report.finishedAt = new Date().toISOString()
    if (!dryRun) {
      yield* state.set(LAST_RUN, startedAt)
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

/** Reconciles both sides: every mapped source record exists once in the target. */
export const verify = (options: Omit<Options, "mapping" | "onProgress" | "concurrency">) =>
  Effect.gen(function* () {
    const { from, to, state } = options
    const [source, target] = yield* lookups(from, to)
    const index = yield* loadIndex(to, target, state)
    const held = new Set((yield* state.held()).map((h) => `${h.entity}:${h.sourceId}`))
    const check = (): EntityCheck => ({ source: 0, skipped: 0, linked: 0, missing: [], duplicates: [], notMoved: [] })
    const entities = Object.fromEntries(ENTITIES.map((e) => [e, check()])) as Record<Entity, EntityCheck>

    // Contacts: each linked target exists, and carries no other migration's marker twice.
    const contactLinks = new Map((yield* state.links("contact")).map((l) => [l.sourceId, l]))
    yield* Stream.runForEach(onStream(from)(from.records.contacts(source)), (listed) =>
      Effect.sync(() => {
        const c = entities.contact as { source: number; skipped: number; linked: number }
        if (listed._tag === "Skipped") {
          c.skipped++
          return
        }
        c.source++
        const link = contactLinks.get(listed.record.id)
        if (link === undefined) {
          if (!held.has(`contact:${listed.record.id}`)) entities.contact.notMoved.push(listed.record.id)
          return
        }
        c.linked++
        if (!index.byId.has(link.targetId)) entities.contact.missing.push(listed.record.id)
        if ((index.bySource.get(listed.record.id)?.length ?? 0) > 1) entities.contact.duplicates.push(listed.record.id)
      }),
    )

    // Children: per linked parent, the target's records against the source's, by content.
    const verifyChildren = <A extends { readonly id: string; readonly contactId: string }>(
      entity: Exclude<Entity, "contact">,
      list: Stream.Stream<Records.Listed<A>, CrmError, any>,
      targetOf: (parent: string) => Eff<ReadonlyArray<A>>,
    ) =>
      Effect.gen(function* () {
        const check = entities[entity] as { source: number; skipped: number; linked: number } & EntityCheck
        const links = new Map((yield* state.links(entity)).map((l) => [l.sourceId, l]))
        const byParent = new Map<string, Array<Link>>()
        yield* Stream.runForEach(onStream(from)(list), (listed) =>
          Effect.sync(() => {
            if (listed._tag === "Skipped") {
              check.skipped++
              return
            }
            check.source++
            const link = links.get(listed.record.id)
            if (link === undefined) {
              if (contactLinks.has(listed.record.contactId) && !held.has(`${entity}:${listed.record.id}`))
                check.notMoved.push(listed.record.id)
              return
            }
            check.linked++
            const parent = contactLinks.get(listed.record.contactId)?.targetId ?? "?"
            byParent.set(parent, [...(byParent.get(parent) ?? []), link])
          }),
        )
        yield* Effect.forEach(
          [...byParent],
          ([parent, links]) =>
            Effect.gen(function* () {
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
            }),
          { concurrency: 4, discard: true },
        )
      })
    yield* verifyChildren("note", from.records.notes(source), (p) => on(to)(to.records.notesOf(p)))
    yield* verifyChildren("task", from.records.tasks(source), (p) => on(to)(to.records.tasksOf(p, target)))
    const opportunities = yield* collectOk(on(to)(Stream.runCollect(onStream(to)(to.records.opportunities(target)))))
    yield* verifyChildren("opportunity", from.records.opportunities(source), (p) =>
      Effect.succeed(opportunities.filter((o) => o.contactId === p)),
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

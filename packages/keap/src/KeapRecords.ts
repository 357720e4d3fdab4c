/**
 * Keap's records in the common model (`Records` of @crmkit/core), on the hand-written
 * services: contacts (tag ids and custom field ids resolved to names, countries from
 * Keap's alpha-3), notes, tasks, opportunities (Keap has one pipeline, named `Default`;
 * won and lost are read from stage names) and companies (a contact's `company.id` is its
 * `companyId`). The primary email address's opt-in status is the contact's email consent
 * (`Contact.optIn.email`), set through the email address status route. Contact custom fields are
 * created through the contact model.
 *
 * A contact created by a migration carries its source id in a contact custom field of its own,
 * `crmkit source` (see `MARKER_FIELD_LABEL`), read back as `Contact.sourceId` and never listed
 * among the custom fields, so that an interrupted create is found again before anything is re-sent.
 * An update sets the contact's tags to the given ones, but removes tags only from a contact that
 * carries this migration's marker (see `setTags`).
 */
import { type CrmError, CrmErrors, Records } from "@crmkit/core"
import { Effect, Semaphore, Stream } from "effect"
import * as Ops from "./generated/operations.ts"
import type { KeapClient } from "./KeapClient.ts"
import * as KeapFilter from "./KeapFilter.ts"
import * as Companies from "./services/Companies.ts"
import * as Contacts from "./services/Contacts.ts"
import { call } from "./services/internal.ts"
import * as Notes from "./services/Notes.ts"
import * as Opportunities from "./services/Opportunities.ts"
import * as Tags from "./services/Tags.ts"
import * as Tasks from "./services/Tasks.ts"
import * as Users from "./services/Users.ts"

type Json = Record<string, any>
type Lookups = Records.Lookups

export const PIPELINE = "Default"
const PAGE = 500

const CONTACT_FIELDS = [
  "given_name",
  "family_name",
  "email_addresses",
  "phone_numbers",
  "addresses",
  "company",
  "owner_id",
  "custom_fields",
  "tag_ids",
  "update_time",
]

const userEmail = (lookups: Lookups, id: unknown) =>
  id === undefined || id === null ? undefined : lookups.users.find((u) => u.id === String(id))?.email
const userId = (lookups: Lookups, email: string | undefined) =>
  email === undefined ? undefined : lookups.users.find((u) => u.email === email.toLowerCase())?.id

// --- The source-id marker --------------------------------------------------------------------

/**
 * The contact custom field holding a migration's source-id marker (`Contact.sourceId`: the source
 * record's id, `<migration>:<id>` when the migration is namespaced).
 *
 * Why a custom field: Keap has no field for an external id (`source_type` and `leadsource_id` name
 * how a contact came in, `referral_code` is an affiliate's code), and a tag per source id, as
 * HighLevel gets, costs Keap two more requests per contact (tags are records with ids: the tag is
 * created, then applied) and a tag of its own for every contact in the app's tag list. The field is
 * created once (text) by the first contact a migration creates; from then on the marker travels in
 * the contact's own create request, and comes back with the `custom_fields` every listing reads.
 * It is never offered as a custom field to map, nor counted as unmapped.
 */
export const MARKER_FIELD_LABEL = "crmkit source"

const isMarkerField = (field: Json) =>
  String(field.label ?? field.field_name ?? "")
    .trim()
    .toLowerCase() === MARKER_FIELD_LABEL

/**
 * What `lookups` learns of the app beyond the common model: the marker field's id once known, and
 * one permit for creating what contacts share (the marker field, tags), so that contacts written
 * at once do not create one twice. Kept on the lookups object under a symbol, which survives the
 * copies a caller makes of it (`{ ...lookups }`).
 */
interface Shared {
  markerFieldId: string | undefined
  readonly creating: Semaphore.Semaphore
}
const SHARED = Symbol.for("@crmkit/keap/KeapRecords.shared")
type WithShared = Lookups & { readonly [SHARED]?: Shared }
/** For lookups not made by `records.lookups()` (the marker field is then looked up when first needed). */
const sharedElsewhere = new WeakMap<Lookups, Shared>()

const newShared = (markerFieldId: string | undefined): Shared => ({
  markerFieldId,
  creating: Semaphore.makeUnsafe(1),
})

const sharedOf = (lookups: Lookups): Shared => {
  const own = (lookups as WithShared)[SHARED]
  if (own !== undefined) return own
  let shared = sharedElsewhere.get(lookups)
  if (shared === undefined) {
    shared = newShared(undefined)
    sharedElsewhere.set(lookups, shared)
  }
  return shared
}

/** The marker field's id, creating the field the first time (a field of that label made meanwhile is used). */
const ensureMarkerField = (lookups: Lookups): Effect.Effect<string, CrmError, KeapClient> => {
  const shared = sharedOf(lookups)
  const known = shared.markerFieldId
  if (known !== undefined) return Effect.succeed(known)
  return shared.creating.withPermits(1)(
    Effect.gen(function* () {
      if (shared.markerFieldId !== undefined) return shared.markerFieldId
      const model = (yield* Contacts.model()) as Json
      const existing = ((model.custom_fields ?? []) as Array<Json>).find(isMarkerField)
      const field =
        existing ??
        ((yield* call(Ops.createContactCustomField, {
          body: { label: MARKER_FIELD_LABEL, field_type: "TEXT" },
        } as Ops.CreateContactCustomFieldInput)) as Json)
      shared.markerFieldId = String(field.id)
      return shared.markerFieldId
    }),
  )
}

const markerOf = (raw: Json, markerFieldId: string | undefined): string | undefined =>
  markerFieldId === undefined
    ? undefined
    : Records.text(((raw.custom_fields ?? []) as Array<Json>).find((f) => String(f.id) === markerFieldId)?.content)

// Keap's email statuses: the marketable ones are a consent; the opt-outs, bounces and blocks
// forbid mailing. NON_MARKETABLE and UNENGAGED_NON_MARKETABLE state neither: no consent given.
const MARKETABLE = new Set(["UNENGAGED_MARKETABLE", "SINGLE_OPT_IN", "DOUBLE_OPT_IN", "CONFIRMED"])
const NOT_MAILABLE = new Set([
  "MANUAL",
  "ADMIN",
  "SYSTEM",
  "LIST_UNSUBSCRIBE",
  "FEEDBACK",
  "SPAM",
  "LOCKDOWN",
  "BOUNCE",
  "HARD_BOUNCE",
  "INVALID",
  "DEACTIVATED",
])
const OPT_IN_REASON = "Consent carried over from another CRM by crmkit migrate"
const OPT_OUT_REASON = "Opt-out carried over from another CRM by crmkit migrate"

const emailConsent = (address: Json): boolean | undefined => {
  const status = Records.text(address.email_opt_status)
  if (status !== undefined) return MARKETABLE.has(status) ? true : NOT_MAILABLE.has(status) ? false : undefined
  return address.is_opt_in === true ? true : undefined
}

const fromContact = (raw: unknown, lookups: Lookups): Records.Listed<Records.Contact> => {
  const c = raw as Json
  const id = String(c.id)
  const take = Records.collector("contact", id)
  const emails: Array<string> = []
  let consent: boolean | undefined
  for (const e of (c.email_addresses ?? []) as Array<Json>) {
    const t = Records.text(e.email)
    if (t !== undefined) {
      const v = take.take(Records.email(t, `email_addresses.${e.field ?? emails.length}`))
      if (v !== undefined && emails.length === 0) consent = emailConsent(e)
      if (v !== undefined && !emails.includes(v)) emails.push(v)
    }
  }
  const addresses: Array<Records.Address> = []
  for (const a of (c.addresses ?? []) as Array<Json>) {
    const code = Records.text(a.country_code)
    const countryCode =
      code === undefined ? undefined : take.take(Records.country(code, `addresses.${a.field}.country_code`))
    addresses.push({
      line1: Records.text(a.line1),
      line2: Records.text(a.line2),
      city: Records.text(a.locality),
      region: Records.text(a.region),
      postalCode: Records.text(a.postal_code ?? a.zip_code),
      country: countryCode,
    })
  }
  const region = addresses[0]?.country ?? "US"
  const phones: Array<string> = []
  for (const p of (c.phone_numbers ?? []) as Array<Json>) {
    const t = Records.text(p.number)
    if (t !== undefined) {
      const v = take.take(Records.phone(t, region, `phone_numbers.${p.field ?? phones.length}`))
      if (v !== undefined && !phones.includes(v)) phones.push(v)
    }
  }
  const customFields: Record<string, Records.FieldValue> = {}
  // The marker field is not among the lookups' custom fields: it is read as `sourceId` alone.
  for (const f of (c.custom_fields ?? []) as Array<Json>) {
    const def = lookups.customFields.find((d) => d.id === String(f.id))
    const value = f.content
    if (def !== undefined && value !== undefined && value !== null && value !== "")
      customFields[def.name] = typeof value === "object" ? JSON.stringify(value) : (value as Records.FieldValue)
  }
  const tags = ((c.tag_ids ?? []) as Array<unknown>)
    .map((t) => lookups.tags.find((tag) => tag.id === String(t))?.name)
    .filter((t): t is string => t !== undefined)
  const updated = Records.text(c.update_time)
  return take.listed<Records.Contact>({
    id,
    givenName: Records.text(c.given_name),
    familyName: Records.text(c.family_name),
    emails,
    phones,
    addresses,
    companyName: Records.text(c.company?.company_name ?? c.company_name),
    companyId: Records.text(c.company?.id),
    tags,
    customFields,
    ownerEmail: userEmail(lookups, c.owner_id),
    optIn: consent === undefined ? undefined : { email: consent },
    sourceId: markerOf(c, sharedOf(lookups).markerFieldId),
    updatedAt: updated === undefined ? undefined : take.take(Records.date(updated, "update_time")),
  })
}

const EMAIL_SLOTS = ["EMAIL1", "EMAIL2", "EMAIL3"]
const PHONE_SLOTS = ["PHONE1", "PHONE2", "PHONE3", "PHONE4", "PHONE5"]

interface BodyOptions {
  /** A consent goes in as the primary address's opt-in reason (an update sets it by the status route). */
  readonly creating?: boolean | undefined
  /** The marker to write: the marker field's id and its content. */
  readonly marker?: { readonly id: string; readonly content: string } | undefined
  /**
   * The contact's custom field values as Keap holds them: sent unchanged with a marker when the
   * contact states no custom field, so that writing the marker clears none where Keap takes the
   * list as the whole.
   */
  readonly current?: ReadonlyArray<Json> | undefined
}

const toContactBody = (contact: Records.Contact, lookups: Lookups, options: BodyOptions = {}): Json => {
  const { creating = false, marker } = options
  const mapped: Array<Json> = Object.entries(contact.customFields).flatMap(([name, content]) => {
    const def = lookups.customFields.find((d) => d.name === name)
    return def === undefined ? [] : [{ id: def.id, content }]
  })
  const customFields =
    marker === undefined
      ? mapped
      : [
          ...(mapped.length > 0
            ? mapped
            : (options.current ?? [])
                .filter((f) => String(f.id) !== marker.id)
                .map((f) => ({ id: String(f.id), content: f.content }))),
          marker,
        ]
  const owner = userId(lookups, contact.ownerEmail)
  return {
    given_name: contact.givenName ?? "",
    family_name: contact.familyName ?? "",
    email_addresses: contact.emails.slice(0, 3).map((email, i) => ({
      email,
      field: EMAIL_SLOTS[i],
      ...(creating && i === 0 && contact.optIn?.email === true ? { opt_in_reason: OPT_IN_REASON } : {}),
    })),
    phone_numbers: contact.phones.slice(0, 5).map((number, i) => ({ number, field: PHONE_SLOTS[i] })),
    addresses: contact.addresses.slice(0, 1).map((a) => ({
      field: "BILLING",
      ...(a.line1 === undefined ? {} : { line1: a.line1 }),
      ...(a.line2 === undefined ? {} : { line2: a.line2 }),
      ...(a.city === undefined ? {} : { locality: a.city }),
      ...(a.region === undefined ? {} : { region: a.region }),
      ...(a.postalCode === undefined ? {} : { postal_code: a.postalCode }),
      ...(a.country === undefined ? {} : { country_code: Records.alpha3(a.country) }),
    })),
    ...(customFields.length === 0 ? {} : { custom_fields: customFields }),
    ...(owner === undefined ? {} : { owner_id: owner }),
    ...(contact.companyId === undefined ? {} : { company: { id: contact.companyId } }),
  }
}

/** Sets the primary address's status where the contact states a consent (on create, only an opt-out is left to set). */
const applyConsent = (contact: Records.Contact, creating: boolean) => {
  const email = contact.emails[0]
  const consent = contact.optIn?.email
  if (email === undefined || consent === undefined || (creating && consent)) return Effect.void
  return Effect.asVoid(
    call(Ops.updateEmailAddressOptStatus, {
      email,
      body: { opted_in: consent, reason: consent ? OPT_IN_REASON : OPT_OUT_REASON },
    } as Ops.UpdateEmailAddressOptStatusInput),
  )
}

// Keap's custom field types and the common ones.
const TO_COMMON: Readonly<Record<string, Records.FieldType>> = {
  TEXT: "text",
  TEXT_AREA: "large-text",
  WHOLE_NUMBER: "number",
  DECIMAL_NUMBER: "decimal",
  CURRENCY: "money",
  DATE: "date",
  PHONE_NUMBER: "phone",
  EMAIL: "email",
  WEBSITE: "url",
}
const FROM_COMMON: Readonly<Record<Records.FieldType, string>> = {
  text: "TEXT",
  "large-text": "TEXT_AREA",
  number: "WHOLE_NUMBER",
  decimal: "DECIMAL_NUMBER",
  money: "CURRENCY",
  date: "DATE",
  phone: "PHONE_NUMBER",
  email: "EMAIL",
  url: "WEBSITE",
}

const fromCustomField = (f: Json): Records.CustomFieldDefinition => ({
  id: String(f.id),
  name: String(f.label ?? f.field_name),
  dataType: Records.text(f.field_type),
  type: TO_COMMON[String(f.field_type)],
})

const fromCompany = (c: Json): Records.Listed<Records.Company> => {
  const take = Records.collector("company", String(c.id))
  const a = (c.address ?? {}) as Json
  const code = Records.text(a.country_code)
  const country = code === undefined ? undefined : take.take(Records.country(code, "address.country_code"))
  const address: Records.Address = {
    line1: Records.text(a.line1),
    line2: Records.text(a.line2),
    city: Records.text(a.locality),
    region: Records.text(a.region),
    postalCode: Records.text(a.postal_code ?? a.zip_code),
    country,
  }
  const emailText = Records.text(c.email_address?.email)
  const phoneText = Records.text(c.phone_number?.number)
  return take.listed<Records.Company>({
    id: String(c.id),
    name: String(c.company_name ?? "").trim(),
    email: emailText === undefined ? undefined : take.take(Records.email(emailText, "email_address")),
    phone: phoneText === undefined ? undefined : take.take(Records.phone(phoneText, country ?? "US", "phone_number")),
    website: Records.text(c.website),
    address: Object.values(address).some((v) => v !== undefined) ? address : undefined,
    updatedAt: Records.text(c.update_time),
  })
}

const companyBody = (company: Records.Company): Json => {
  const a = company.address
  return {
    company_name: company.name,
    ...(company.email === undefined ? {} : { email_address: { email: company.email, field: "EMAIL1" } }),
    ...(company.phone === undefined ? {} : { phone_number: { number: company.phone, field: "PHONE1" } }),
    ...(company.website === undefined ? {} : { website: company.website }),
    ...(a === undefined
      ? {}
      : {
          address: {
            field: "BILLING",
            ...(a.line1 === undefined ? {} : { line1: a.line1 }),
            ...(a.line2 === undefined ? {} : { line2: a.line2 }),
            ...(a.city === undefined ? {} : { locality: a.city }),
            ...(a.region === undefined ? {} : { region: a.region }),
            ...(a.postalCode === undefined ? {} : { postal_code: a.postalCode }),
            ...(a.country === undefined ? {} : { country_code: Records.alpha3(a.country) }),
          },
        }),
  }
}

/** The id of the tag of that name (case ignored), creating it once when Keap does not have it yet. */
const tagId = (name: string, lookups: Lookups): Effect.Effect<string, CrmError, KeapClient> => {
  const named = () => lookups.tags.find((t) => t.name.toLowerCase() === name.toLowerCase())
  const known = named()
  if (known !== undefined) return Effect.succeed(known.id)
  return sharedOf(lookups).creating.withPermits(1)(
    Effect.suspend(() => {
      const made = named()
      if (made !== undefined) return Effect.succeed(made.id)
      return Effect.map(Tags.create({ name } as never), (created) => {
        const tag = { id: String((created as Json).id), name }
        ;(lookups.tags as Array<Records.Named>).push(tag)
        return tag.id
      })
    }),
  )
}

/**
 * Brings a contact's tags to `names`: the missing ones applied (a tag Keap lacks is created), and,
 * with `removeOthers`, the ones it holds beyond them removed (Keap's remove-tag route). A tag the
 * lookups do not know (made after they were read) is never removed: nothing decided about it.
 *
 * Removing is for contacts that carry this migration's marker (created by it, or written by it
 * before): a contact found in Keap by email or phone keeps the tags people gave it, and gets the
 * source's added, on the first write. HighLevel's mapper does the same.
 */
const setTags = (
  contactId: string,
  holds: ReadonlyArray<string>,
  names: ReadonlyArray<string>,
  lookups: Lookups,
  removeOthers: boolean,
) =>
  Effect.gen(function* () {
    const wanted = new Set<string>()
    for (const name of names) wanted.add(yield* tagId(name, lookups))
    const held = new Set(holds)
    for (const id of wanted) if (!held.has(id)) yield* Tags.applyToContacts(id, [contactId])
    if (!removeOthers) return
    for (const id of held)
      if (!wanted.has(id) && lookups.tags.some((t) => t.id === id)) yield* Tags.removeFromContacts(id, [contactId])
  })

const listed = <A>(stream: Stream.Stream<unknown, CrmError, KeapClient>, f: (raw: Json) => Records.Listed<A>) =>
  Stream.map(stream, (raw) => f(raw as Json))

const fromNote = (n: Json): Records.Listed<Records.Note> =>
  Records.ok({
    id: String(n.id),
    contactId: String(n.contact_id ?? n.contact?.id ?? ""),
    title: Records.text(n.title),
    body: String(n.text ?? ""),
    updatedAt: Records.text(n.update_time ?? n.last_updated),
  })

const fromTask = (t: Json, lookups: Lookups): Records.Listed<Records.Task> => {
  const take = Records.collector("task", String(t.id))
  const due = Records.text(t.due_time)
  return take.listed({
    id: String(t.id),
    contactId: String(t.contact_id ?? t.contact?.id ?? ""),
    title: String(t.title ?? ""),
    body: Records.text(t.description),
    dueDate: due === undefined ? undefined : take.take(Records.date(due, "due_time")),
    completed: t.completed === true,
    ownerEmail: userEmail(lookups, t.assigned_to_user_id),
    updatedAt: Records.text(t.modification_time ?? t.update_time),
  })
}

const statusOf = (stage: string): Records.OpportunityStatus =>
  /\bwon\b/i.test(stage) ? "won" : /\blost\b/i.test(stage) ? "lost" : "open"

const fromOpportunity = (o: Json, lookups: Lookups): Records.Listed<Records.Opportunity> => {
  const stageId = String(o.stage?.id ?? o.stage_id ?? "")
  const stage = Records.text(o.stage?.name) ?? lookups.pipelines[0]?.stages.find((s) => s.id === stageId)?.name ?? ""
  const value = o.projected_revenue_high ?? o.projected_revenue_low
  return Records.ok({
    id: String(o.id),
    contactId: String(o.contact?.id ?? o.contact_id ?? ""),
    name: String(o.opportunity_title ?? ""),
    value: typeof value === "number" ? value : undefined,
    status: statusOf(stage),
    pipeline: PIPELINE,
    stage,
    ownerEmail: userEmail(lookups, o.user?.id ?? o.user_id),
    updatedAt: Records.text(o.last_updated_time ?? o.last_updated ?? o.update_time),
  })
}

const stageId = (lookups: Lookups, name: string) =>
  lookups.pipelines[0]?.stages.find((s) => s.name.toLowerCase() === name.toLowerCase())?.id

export const records: Records.RecordMapper<KeapClient> = {
  lookups: () =>
    Effect.gen(function* () {
      const model = (yield* Contacts.model()) as Json
      const tags = yield* Stream.runCollect(Tags.list({ pageSize: 1000 }))
      const users = yield* Stream.runCollect(Users.list())
      const stages = yield* Stream.runCollect(Opportunities.listStages())
      const fields = (model.custom_fields ?? []) as Array<Json>
      const marker = fields.find(isMarkerField)
      const lookups: WithShared = {
        [SHARED]: newShared(marker === undefined ? undefined : String(marker.id)),
        customFields: fields.filter((f) => !isMarkerField(f)).map(fromCustomField),
        tags: Array.from(tags, (t) => ({ id: String((t as Json).id), name: String((t as Json).name) })),
        users: Array.from(users, (u) => ({
          id: String((u as Json).id),
          email: String((u as Json).email_address ?? "").toLowerCase(),
          name: [(u as Json).given_name, (u as Json).family_name].filter(Boolean).join(" "),
        })),
        pipelines: [
          {
            id: "default",
            name: PIPELINE,
            stages: Array.from(stages, (s) => ({ id: String((s as Json).id), name: String((s as Json).name) })),
          },
        ],
        allowDuplicateContacts: true,
        contactSlots: { emails: 3, phones: 5 },
        optInChannels: ["email"],
        companyLinks: true,
        companyNames: false,
      }
      return lookups as Lookups
    }),

  contacts: (lookups, options = {}) =>
    listed(
      Contacts.list({
        fields: CONTACT_FIELDS,
        pageSize: PAGE,
        orderBy: { field: "id" },
        ...(options.updatedSince === undefined
          ? {}
          : { filter: KeapFilter.eq("start_update_time", new Date(options.updatedSince)) }),
      }),
      (raw) => fromContact(raw, lookups),
    ),

  getContact: (id, lookups) =>
    Contacts.get(id, { fields: CONTACT_FIELDS }).pipe(
      Effect.map((raw): Records.Listed<Records.Contact> | undefined => fromContact(raw, lookups)),
      Effect.catchReason("CrmError", "NotFound", () => Effect.succeed(undefined)),
    ),

  findContacts: (identity, lookups) =>
    identity.email === undefined
      ? Effect.succeed([])
      : Stream.runCollect(
          Contacts.list({ fields: CONTACT_FIELDS, filter: KeapFilter.eq("email", identity.email) }),
        ).pipe(
          Effect.map((all) =>
            Array.from(all, (raw) => fromContact(raw, lookups)).flatMap((l) => (l._tag === "Ok" ? [l.record] : [])),
          ),
        ),

  createContact: (contact, lookups) =>
    Effect.gen(function* () {
      const marker =
        contact.sourceId === undefined
          ? undefined
          : { id: yield* ensureMarkerField(lookups), content: contact.sourceId }
      const created = (yield* Contacts.create(toContactBody(contact, lookups, { creating: true, marker }) as never, {
        fields: CONTACT_FIELDS,
      })) as Json
      yield* setTags(String(created.id), [], contact.tags, lookups, false)
      yield* applyConsent(contact, true)
      return { ...contact, id: String(created.id) }
    }),

  updateContact: (id, contact, lookups) =>
    Effect.gen(function* () {
      // What the contact holds now: its tags (to add and remove only the difference) and its marker.
      const now = (yield* Contacts.get(id, { fields: ["tag_ids", "custom_fields"] })) as Json
      // An update never creates the marker field (it costs no request of its own): where the field
      // exists, a contact carrying no marker gets this one; another migration's marker is kept.
      const markerFieldId = sharedOf(lookups).markerFieldId
      const carried = markerOf(now, markerFieldId)
      const content = carried ?? contact.sourceId
      const marker = markerFieldId === undefined || content === undefined ? undefined : { id: markerFieldId, content }
      const current = (now.custom_fields ?? []) as Array<Json>
      yield* Contacts.update(id, toContactBody(contact, lookups, { marker, current }) as never)
      const holds = ((now.tag_ids ?? []) as Array<unknown>).map(String)
      const ours = contact.sourceId !== undefined && carried === contact.sourceId
      yield* setTags(id, holds, contact.tags, lookups, ours)
      yield* applyConsent(contact, false)
      return { ...contact, id }
    }),

  notes: (_lookups, _options) => listed(Notes.listAll({ pageSize: 1000 }), fromNote),
  notesOf: (contactId) =>
    Stream.runCollect(Notes.list(contactId)).pipe(
      Effect.map((all) =>
        Array.from(all, (n) => fromNote({ contact_id: contactId, ...(n as Json) })).flatMap((l) =>
          l._tag === "Ok" ? [l.record] : [],
        ),
      ),
    ),
  createNote: (note, lookups) =>
    Effect.map(
      Notes.create(note.contactId, {
        text: note.body,
        ...(note.title === undefined ? {} : { title: note.title }),
        user_id: lookups.users[0]?.id ?? "1",
      } as never),
      (created) => ({ ...note, id: String((created as Json).id) }),
    ),
  updateNote: (id, note, lookups) =>
    Effect.as(
      Notes.update(note.contactId, id, {
        text: note.body,
        ...(note.title === undefined ? {} : { title: note.title }),
        user_id: lookups.users[0]?.id ?? "1",
      } as never),
      { ...note, id },
    ),

  tasks: (lookups) => listed(Tasks.list({ pageSize: 1000 }), (raw) => fromTask(raw, lookups)),
  tasksOf: (contactId, lookups) =>
    Stream.runCollect(Tasks.list({ filter: KeapFilter.eq("contact_id", contactId) })).pipe(
      Effect.map((all) =>
        Array.from(all, (t) => fromTask(t as Json, lookups)).flatMap((l) => (l._tag === "Ok" ? [l.record] : [])),
      ),
    ),
  createTask: (task, lookups) =>
    Effect.map(
      Tasks.create({
        title: task.title,
        contact_id: task.contactId,
        assigned_to_user_id: userId(lookups, task.ownerEmail) ?? lookups.users[0]?.id ?? "1",
        completed: task.completed,
        ...(task.body === undefined ? {} : { description: task.body }),
        ...(task.dueDate === undefined ? {} : { due_time: task.dueDate }),
      } as never),
      (created) => ({ ...task, id: String((created as Json).id) }),
    ),
  updateTask: (id, task, lookups) =>
    Effect.as(
      Tasks.update(id, {
        title: task.title,
        completed: task.completed,
        assigned_to_user_id: userId(lookups, task.ownerEmail) ?? lookups.users[0]?.id ?? "1",
        ...(task.body === undefined ? {} : { description: task.body }),
        ...(task.dueDate === undefined ? {} : { due_time: task.dueDate }),
      } as never),
      { ...task, id },
    ),

  opportunities: (lookups) => listed(Opportunities.list({ pageSize: 1000 }), (raw) => fromOpportunity(raw, lookups)),
  createOpportunity: (opportunity, lookups) =>
    Effect.gen(function* () {
      const stage = stageId(lookups, opportunity.stage)
      const owner = userId(lookups, opportunity.ownerEmail)
      const created = (yield* Opportunities.create({
        opportunity_title: opportunity.name,
        contact_id: opportunity.contactId,
        stage_id: stage ?? "",
        ...(opportunity.value === undefined ? {} : { projected_revenue_high: opportunity.value }),
        ...(owner === undefined ? {} : { user_id: owner }),
      } as never)) as Json
      return { ...opportunity, id: String(created.id) }
    }),
  updateOpportunity: (id, opportunity, lookups) =>
    Effect.as(
      Opportunities.update(id, {
        opportunity_title: opportunity.name,
        ...(stageId(lookups, opportunity.stage) === undefined ? {} : { stage_id: stageId(lookups, opportunity.stage) }),
        ...(opportunity.value === undefined ? {} : { projected_revenue_high: opportunity.value }),
      } as never),
      { ...opportunity, id },
    ),

  companies: () => listed(Companies.list(), fromCompany),
  createCompany: (company) =>
    Effect.map(Companies.create(companyBody(company) as never), (created) => ({
      ...company,
      id: String((created as Json).id),
    })),
  updateCompany: (id, company) => Effect.as(Companies.update(id, companyBody(company) as never), { ...company, id }),

  createCustomField: (field) =>
    isMarkerField({ label: field.name })
      ? Effect.fail(
          CrmErrors.invalidInput("keap", [
            {
              field: "name",
              message: `"${field.name}" is the field crmkit keeps migration markers in; choose another name`,
            },
          ]),
        )
      : Effect.map(
          call(Ops.createContactCustomField, {
            body: { label: field.name, field_type: FROM_COMMON[field.type] },
          } as Ops.CreateContactCustomFieldInput),
          (created) => fromCustomField(created as Json),
        ),
}

/**
 * HighLevel's records in the common model (`Records` of @crmkit/core), on the
 * hand-written services: contacts (custom field ids resolved to names, one email and one
 * phone as GHL holds them, alpha-2 countries), notes and tasks under their contacts,
 * opportunities with pipeline and stage by name, businesses as companies (a contact's
 * `businessId` is its `companyId`, linked through the bulk business route), do-not-disturb
 * settings as opt-in state (email, SMS, call), and contact custom fields created on demand.
 *
 * A contact created by a migration carries its source id as a tag
 * (`Records.SOURCE_MARKER_PREFIX` + id), read back as `Contact.sourceId` and never listed
 * among its tags (nor among the location's), so that an interrupted create is found again before
 * anything is re-sent. An update sets the contact's tags to the given ones through the add and
 * remove tag routes, but removes tags only from a contact that carries this migration's marker
 * (see `setTags`).
 */
import { type CrmError, Records } from "@crmkit/core"
import { Effect, Stream } from "effect"
import type { GhlClient } from "./GhlClient.ts"
import * as Businesses from "./services/Businesses.ts"
import * as Contacts from "./services/Contacts.ts"
import { location, send } from "./services/internal.ts"
import * as Locations from "./services/Locations.ts"
import * as Opportunities from "./services/Opportunities.ts"
import * as Users from "./services/Users.ts"

type Json = Record<string, any>
type Lookups = Records.Lookups

const MARKER = Records.SOURCE_MARKER_PREFIX
const isMarker = (tag: string) => tag.toLowerCase().startsWith(MARKER)

const userEmail = (lookups: Lookups, id: unknown) =>
  typeof id === "string" && id !== "" ? lookups.users.find((u) => u.id === id)?.email : undefined
const userId = (lookups: Lookups, email: string | undefined) =>
  email === undefined ? undefined : lookups.users.find((u) => u.email === email.toLowerCase())?.id

/** GHL's do-not-disturb channels for the common opt-in channels. */
const DND_CHANNELS: ReadonlyArray<readonly [Records.OptInChannel, string]> = [
  ["email", "Email"],
  ["sms", "SMS"],
  ["call", "Call"],
]

/** Do-not-disturb as consent: `dnd` blocks every channel; a channel's DND active (or permanent) is an opt-out. */
const optInOf = (c: Json): Records.OptIn | undefined => {
  if (c.dnd === true) return Object.fromEntries(DND_CHANNELS.map(([channel]) => [channel, false]))
  const out: Partial<Record<Records.OptInChannel, boolean>> = {}
  for (const [channel, key] of DND_CHANNELS) {
    const status = c.dndSettings?.[key]?.status
    if (status === "active" || status === "permanent") out[channel] = false
    else if (status === "inactive") out[channel] = true
  }
  return Object.keys(out).length === 0 ? undefined : out
}

const dndOf = (optIn: Records.OptIn | undefined): Json => {
  if (optIn === undefined) return {}
  const settings: Json = {}
  for (const [channel, key] of DND_CHANNELS) {
    const value = optIn[channel]
    if (value !== undefined) settings[key] = { status: value ? "inactive" : "active" }
  }
  if (Object.keys(settings).length === 0) return {}
  // A consent given lifts the all-channel DND, which would otherwise still block that channel.
  return Object.values(optIn).includes(true) ? { dnd: false, dndSettings: settings } : { dndSettings: settings }
}

const fromContact = (c: Json, lookups: Lookups): Records.Listed<Records.Contact> => {
  const id = String(c.id)
  const take = Records.collector("contact", id)
  const emailText = Records.text(c.email)
  const email = emailText === undefined ? undefined : take.take(Records.email(emailText, "email"))
  const countryText = Records.text(c.country)
  const country = countryText === undefined ? undefined : take.take(Records.country(countryText, "country"))
  const phoneText = Records.text(c.phone)
  const phone = phoneText === undefined ? undefined : take.take(Records.phone(phoneText, country ?? "US", "phone"))
  const address: Records.Address = {
    line1: Records.text(c.address1),
    city: Records.text(c.city),
    region: Records.text(c.state),
    postalCode: Records.text(c.postalCode),
    country,
  }
  const customFields: Record<string, Records.FieldValue> = {}
  for (const f of (c.customFields ?? []) as Array<Json>) {
    const def = lookups.customFields.find((d) => d.id === String(f.id))
    const value = f.value ?? f.field_value
    if (def !== undefined && value !== undefined && value !== null && value !== "")
      customFields[def.name] = typeof value === "object" ? JSON.stringify(value) : (value as Records.FieldValue)
  }
  const allTags = ((c.tags ?? []) as Array<unknown>).filter((t): t is string => typeof t === "string")
  // Several migrations into one location may each have marked a contact: none of their markers is a tag.
  const marker = allTags.find(isMarker)
  const updated = Records.text(c.dateUpdated)
  return take.listed<Records.Contact>({
    id,
    givenName: Records.text(c.firstName),
    familyName: Records.text(c.lastName),
    emails: email === undefined ? [] : [email],
    phones: phone === undefined ? [] : [phone],
    addresses: Object.values(address).some((v) => v !== undefined) ? [address] : [],
    companyName: Records.text(c.companyName),
    companyId: Records.text(c.businessId),
    tags: allTags.filter((t) => !isMarker(t)),
    customFields,
    ownerEmail: userEmail(lookups, c.assignedTo),
    optIn: optInOf(c),
    sourceId: marker?.slice(MARKER.length),
    updatedAt: updated === undefined ? undefined : take.take(Records.date(updated, "dateUpdated")),
  })
}

/**
 * `creating`: the company name goes in only on create (GHL's update body has no `companyName`;
 * a contact's business, linked after, carries its name), and so do the tags with the marker (an
 * update body's tags would replace all the contact has: `setTags` adds and removes instead).
 */
const toContactBody = (contact: Records.Contact, lookups: Lookups, creating: boolean): Json => {
  const customFields = Object.entries(contact.customFields).flatMap(([name, value]) => {
    const def = lookups.customFields.find((d) => d.name === name)
    return def === undefined ? [] : [{ id: def.id, field_value: value }]
  })
  const a = contact.addresses[0]
  const owner = userId(lookups, contact.ownerEmail)
  return {
    firstName: contact.givenName ?? null,
    lastName: contact.familyName ?? null,
    email: contact.emails[0] ?? null,
    phone: contact.phones[0] ?? null,
    ...(a?.line1 === undefined ? {} : { address1: a.line1 }),
    ...(a?.city === undefined ? {} : { city: a.city }),
    ...(a?.region === undefined ? {} : { state: a.region }),
    ...(a?.postalCode === undefined ? {} : { postalCode: a.postalCode }),
    ...(a?.country === undefined ? {} : { country: a.country }),
    ...(contact.companyName === undefined || !creating ? {} : { companyName: contact.companyName }),
    ...(owner === undefined ? {} : { assignedTo: owner }),
    ...dndOf(contact.optIn),
    ...(creating
      ? { tags: contact.sourceId === undefined ? [...contact.tags] : [...contact.tags, `${MARKER}${contact.sourceId}`] }
      : {}),
    customFields,
  }
}

/** A contact's business is set through the bulk route (the contact bodies have no `businessId`). */
const linkBusiness = (contactId: string, businessId: string | undefined) =>
  businessId === undefined
    ? Effect.void
    : Effect.flatMap(location(), (locationId) =>
        Effect.asVoid(
          send("add-remove-contact-from-business", { body: { locationId, ids: [contactId], businessId } } as never),
        ),
      )

/**
 * Brings a contact's tags to `contact.tags` through GHL's add and remove tag routes (`holds`: its
 * tags as GHL answered the update; undefined when the answer had none): the missing ones added,
 * with this migration's marker when the contact carries no marker; and, when it carries this
 * migration's marker (created by it, or written by it before), the ones it holds beyond them
 * removed. A contact found in HighLevel by email or phone keeps the tags people gave it, and gets
 * the source's added, on the first write. Markers are never removed. Keap's mapper does the same.
 */
const setTags = (contactId: string, holds: ReadonlyArray<string> | undefined, contact: Records.Contact) => {
  const lower = (tag: string) => tag.toLowerCase()
  const markers = (holds ?? []).filter(isMarker).map(lower)
  const own = contact.sourceId === undefined ? undefined : `${MARKER}${contact.sourceId}`
  const ours = own !== undefined && markers.includes(lower(own))
  const held = new Set((holds ?? []).filter((t) => !isMarker(t)).map(lower))
  const wanted = new Set(contact.tags.map(lower))
  const add = [...new Set(contact.tags.filter((t) => !held.has(lower(t))))]
  if (own !== undefined && holds !== undefined && markers.length === 0) add.push(own)
  const remove = ours ? (holds ?? []).filter((t) => !isMarker(t) && !wanted.has(lower(t))) : []
  return Effect.gen(function* () {
    if (add.length > 0) yield* Contacts.addTags(contactId, add)
    if (remove.length > 0) yield* Contacts.removeTags(contactId, remove)
  })
}

// GHL's custom field data types and the common ones (GHL has no URL or e-mail text type: plain text).
const TO_COMMON: Readonly<Record<string, Records.FieldType>> = {
  TEXT: "text",
  LARGE_TEXT: "large-text",
  NUMERICAL: "number",
  FLOAT: "decimal",
  MONETORY: "money",
  DATE: "date",
  PHONE: "phone",
  EMAIL: "email",
}
const FROM_COMMON: Readonly<Record<Records.FieldType, string>> = {
  text: "TEXT",
  "large-text": "LARGE_TEXT",
  number: "NUMERICAL",
  decimal: "NUMERICAL",
  money: "MONETORY",
  date: "DATE",
  phone: "PHONE",
  email: "TEXT",
  url: "TEXT",
}

const fromCustomField = (f: Json): Records.CustomFieldDefinition => ({
  id: String(f.id),
  name: String(f.name),
  dataType: Records.text(f.dataType),
  type: TO_COMMON[String(f.dataType)],
})

const fromBusiness = (b: Json): Records.Listed<Records.Company> => {
  const take = Records.collector("company", String(b.id))
  const countryText = Records.text(b.country)
  const country = countryText === undefined ? undefined : take.take(Records.country(countryText, "country"))
  const emailText = Records.text(b.email)
  const phoneText = Records.text(b.phone)
  const address: Records.Address = {
    line1: Records.text(b.address),
    city: Records.text(b.city),
    region: Records.text(b.state),
    postalCode: Records.text(b.postalCode),
    country,
  }
  return take.listed<Records.Company>({
    id: String(b.id),
    name: String(b.name ?? "").trim(),
    email: emailText === undefined ? undefined : take.take(Records.email(emailText, "email")),
    phone: phoneText === undefined ? undefined : take.take(Records.phone(phoneText, country ?? "US", "phone")),
    website: Records.text(b.website),
    address: Object.values(address).some((v) => v !== undefined) ? address : undefined,
    updatedAt: Records.text(b.updatedAt),
  })
}

const businessBody = (company: Records.Company): Json => {
  const a = company.address
  const fields: Json = {
    name: company.name,
    email: company.email,
    phone: company.phone,
    website: company.website,
    address: a?.line1,
    city: a?.city,
    state: a?.region,
    postalCode: a?.postalCode,
    country: a?.country,
  }
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
}

const ok = <A>(listed: ReadonlyArray<Records.Listed<A>>): Array<A> =>
  listed.flatMap((l) => (l._tag === "Ok" ? [l.record] : []))

const fromNote = (n: Json, contactId: string): Records.Note => ({
  id: String(n.id),
  contactId,
  body: String(n.body ?? ""),
  updatedAt: Records.text(n.dateUpdated ?? n.dateAdded),
})

const fromTask = (t: Json, contactId: string, lookups: Lookups): Records.Task => ({
  id: String(t.id),
  contactId,
  title: String(t.title ?? ""),
  body: Records.text(t.body),
  dueDate: Records.text(t.dueDate),
  completed: t.completed === true,
  ownerEmail: userEmail(lookups, t.assignedTo),
})

const STATUSES = new Set(["open", "won", "lost", "abandoned"])

const fromOpportunity = (o: Json, lookups: Lookups): Records.Listed<Records.Opportunity> => {
  const pipeline = lookups.pipelines.find((p) => p.id === o.pipelineId)
  return Records.ok({
    id: String(o.id),
    contactId: String(o.contactId ?? o.contact?.id ?? ""),
    name: String(o.name ?? ""),
    value: typeof o.monetaryValue === "number" ? o.monetaryValue : undefined,
    status: STATUSES.has(o.status) ? (o.status as Records.OpportunityStatus) : "open",
    pipeline: pipeline?.name ?? String(o.pipelineId ?? ""),
    stage: pipeline?.stages.find((s) => s.id === o.pipelineStageId)?.name ?? String(o.pipelineStageId ?? ""),
    ownerEmail: userEmail(lookups, o.assignedTo),
    updatedAt: Records.text(o.updatedAt),
  })
}

const pipelineIds = (lookups: Lookups, opportunity: Records.Opportunity) => {
  const pipeline = lookups.pipelines.find((p) => p.name.toLowerCase() === opportunity.pipeline.toLowerCase())
  const stage = pipeline?.stages.find((s) => s.name.toLowerCase() === opportunity.stage.toLowerCase())
  return { pipelineId: pipeline?.id, pipelineStageId: stage?.id }
}

const contactsOf = (lookups: Lookups): Stream.Stream<Records.Listed<Records.Contact>, CrmError, GhlClient> =>
  Stream.map(Contacts.searchAll({}, { pageSize: 500 }), (c) => fromContact(c as Json, lookups))

/** Every child of every contact (GHL lists notes and tasks per contact only). */
const perContact = <A>(
  lookups: Lookups,
  of: (contactId: string) => Effect.Effect<ReadonlyArray<A>, CrmError, GhlClient>,
): Stream.Stream<Records.Listed<A>, CrmError, GhlClient> =>
  contactsOf(lookups).pipe(
    Stream.mapEffect((c) => (c._tag === "Ok" ? of(c.record.id) : Effect.succeed([])), { concurrency: 4 }),
    Stream.flatMap((items) => Stream.fromIterable(items.map(Records.ok))),
  )

const notesOf = (contactId: string) =>
  Effect.map(
    Contacts.notes(contactId),
    (out) => ((out as Json).notes ?? []).map((n: Json) => fromNote(n, contactId)) as ReadonlyArray<Records.Note>,
  )
const tasksOf = (contactId: string, lookups: Lookups) =>
  Effect.map(
    Contacts.tasks(contactId),
    (out) =>
      ((out as Json).tasks ?? []).map((t: Json) => fromTask(t, contactId, lookups)) as ReadonlyArray<Records.Task>,
  )

const taskBody = (task: Records.Task, lookups: Lookups): Json => {
  const owner = userId(lookups, task.ownerEmail)
  return {
    title: task.title,
    // GHL requires a due date; a task without one is due when it was last changed.
    dueDate: task.dueDate ?? task.updatedAt ?? new Date(0).toISOString(),
    completed: task.completed,
    ...(task.body === undefined ? {} : { body: task.body }),
    ...(owner === undefined ? {} : { assignedTo: owner }),
  }
}

export const records: Records.RecordMapper<GhlClient> = {
  lookups: () =>
    Effect.gen(function* () {
      const fields = (yield* Locations.customFields({ model: "contact" })) as Json
      const tags = (yield* Locations.tags()) as Json
      const users = (yield* Users.list()) as Json
      const pipelines = (yield* Opportunities.pipelines()) as Json
      const location = (yield* Locations.get()) as Json
      return {
        customFields: ((fields.customFields ?? []) as Array<Json>).map(fromCustomField),
        tags: ((tags.tags ?? []) as Array<Json>)
          .map((t) => ({ id: String(t.id), name: String(t.name) }))
          .filter((t) => !isMarker(t.name)),
        users: ((users.users ?? []) as Array<Json>).map((u) => ({
          id: String(u.id),
          email: String(u.email ?? "").toLowerCase(),
          name: Records.text(u.name),
        })),
        pipelines: ((pipelines.pipelines ?? []) as Array<Json>).map((p) => ({
          id: String(p.id),
          name: String(p.name),
          stages: ((p.stages ?? []) as Array<Json>).map((s) => ({ id: String(s.id), name: String(s.name) })),
        })),
        allowDuplicateContacts: location.location?.settings?.allowDuplicateContact === true,
        contactSlots: { emails: 1, phones: 1 },
        optInChannels: DND_CHANNELS.map(([channel]) => channel),
        companyLinks: true,
      }
    }),

  contacts: (lookups) => contactsOf(lookups),

  getContact: (id, lookups) =>
    Contacts.get(id).pipe(
      Effect.map((out): Records.Listed<Records.Contact> | undefined => fromContact((out as Json).contact, lookups)),
      Effect.catchReason("CrmError", "NotFound", () => Effect.succeed(undefined)),
    ),

  findContacts: (identity, lookups) =>
    identity.email === undefined && identity.phone === undefined
      ? Effect.succeed([])
      : Effect.map(Contacts.findDuplicate({ email: identity.email, number: identity.phone }), (out) => {
          const found = (out as Json).contact
          return found === null || found === undefined ? [] : ok([fromContact(found, lookups)])
        }),

  createContact: (contact, lookups) =>
    Effect.gen(function* () {
      const out = (yield* Contacts.create(toContactBody(contact, lookups, true) as never)) as Json
      const id = String(out.contact.id)
      yield* linkBusiness(id, contact.companyId)
      return { ...contact, id }
    }),

  updateContact: (id, contact, lookups) =>
    Effect.gen(function* () {
      const out = (yield* Contacts.update(id, toContactBody(contact, lookups, false) as never)) as Json
      const tags = out.contact?.tags
      const holds = Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : undefined
      yield* setTags(id, holds, contact)
      yield* linkBusiness(id, contact.companyId)
      return { ...contact, id }
    }),

  notes: (lookups) => perContact(lookups, notesOf),
  notesOf,
  createNote: (note) =>
    Effect.map(Contacts.createNote(note.contactId, { body: note.body } as never), (out) => ({
      ...note,
      id: String((out as Json).note?.id ?? ""),
    })),
  updateNote: (id, note) =>
    Effect.as(Contacts.updateNote(note.contactId, id, { body: note.body } as never), { ...note, id }),

  tasks: (lookups) => perContact(lookups, (id) => tasksOf(id, lookups)),
  tasksOf,
  createTask: (task, lookups) =>
    Effect.map(Contacts.createTask(task.contactId, taskBody(task, lookups) as never), (out) => ({
      ...task,
      id: String((out as Json).task?.id ?? ""),
    })),
  updateTask: (id, task, lookups) =>
    Effect.as(Contacts.updateTask(task.contactId, id, taskBody(task, lookups) as never), { ...task, id }),

  opportunities: (lookups) =>
    Stream.map(Opportunities.searchAll({}, { pageSize: 100 }), (o) => fromOpportunity(o as Json, lookups)),
  createOpportunity: (opportunity, lookups) =>
    Effect.map(
      Opportunities.create({
        name: opportunity.name,
        contactId: opportunity.contactId,
        status: opportunity.status,
        ...pipelineIds(lookups, opportunity),
        ...(opportunity.value === undefined ? {} : { monetaryValue: opportunity.value }),
        ...(userId(lookups, opportunity.ownerEmail) === undefined
          ? {}
          : { assignedTo: userId(lookups, opportunity.ownerEmail) }),
      } as never),
      (out) => ({ ...opportunity, id: String((out as Json).opportunity.id) }),
    ),
  updateOpportunity: (id, opportunity, lookups) =>
    Effect.as(
      Opportunities.update(id, {
        name: opportunity.name,
        status: opportunity.status,
        ...pipelineIds(lookups, opportunity),
        ...(opportunity.value === undefined ? {} : { monetaryValue: opportunity.value }),
      } as never),
      { ...opportunity, id },
    ),

  companies: () =>
    Stream.unwrap(
      Effect.map(Businesses.list(), (out) =>
        Stream.fromIterable(((out as Json).businesses ?? []) as Array<Json>).pipe(Stream.map(fromBusiness)),
      ),
    ),
  createCompany: (company) =>
    Effect.map(Businesses.create(businessBody(company) as never), (out) => ({
      ...company,
      id: String((out as Json).business?.id ?? ""),
    })),
  updateCompany: (id, company) => Effect.as(Businesses.update(id, businessBody(company) as never), { ...company, id }),

  createCustomField: (field) =>
    Effect.map(
      Locations.createCustomField({ name: field.name, dataType: FROM_COMMON[field.type], model: "contact" } as never),
      (out) => fromCustomField((out as Json).customField),
    ),
}

/**
 * TestCRM's records in the common model (`Records` of @crmkit/core), for migrations: contacts
 * (one email, one phone in E.164, one address with an alpha-2 country, labels as tags, a company
 * name) and deals as opportunities (one pipeline, `Deals`, of the fixed stages `GET /stages`
 * gives; won and lost are read from the stage; amounts in cents, values in units).
 *
 * TestCRM has no notes, tasks, company records, custom fields, users (owners) or consent. Its
 * lists of those are empty, so as a source it gives none; as a target, a write of one fails
 * before any request with a Validation error naming what TestCRM lacks. Its lookups say so
 * (`holds: ["opportunity"]`): a migration into TestCRM reports a source's notes, tasks and
 * companies as skipped and never sends them, and one out of it does not read them. Custom fields, owners and consent are left out by the mapping
 * (TestCRM offers none to map to) and counted as unmapped; a second address line is not held.
 *
 * A contact created by a migration carries its source id as a label
 * (`Records.SOURCE_MARKER_PREFIX` + id), read back as `Contact.sourceId` and never listed among
 * its tags, so that an interrupted create is found again before anything is re-sent.
 */
import { type CrmError, CrmErrors, Records } from "@crmkit/core"
import { Effect, Option, Schema, Stream } from "effect"
import { TestCrmClient } from "./TestCrmClient.ts"
import { Deal } from "./TestCrmOperations.ts"

type Lookups = Records.Lookups

export const PIPELINE = "Deals"
const MARKER = Records.SOURCE_MARKER_PREFIX
const PAGE = 100

const Address = Schema.Struct({
  street: Schema.NullOr(Schema.String),
  city: Schema.NullOr(Schema.String),
  region: Schema.NullOr(Schema.String),
  postcode: Schema.NullOr(Schema.String),
  country: Schema.NullOr(Schema.String),
})

export const Contact = Schema.Struct({
  id: Schema.String,
  firstName: Schema.NullOr(Schema.String),
  lastName: Schema.NullOr(Schema.String),
  email: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  company: Schema.NullOr(Schema.String),
  address: Schema.NullOr(Address),
  labels: Schema.Array(Schema.String),
  createdAt: Schema.String,
  updatedAt: Schema.String,
})
export type Contact = typeof Contact.Type

const pageOf = <S extends Schema.Top>(item: S) =>
  Schema.Struct({ data: Schema.Array(item), next_cursor: Schema.NullOr(Schema.String) })
const ContactPage = pageOf(Contact)
const DealPage = pageOf(Deal)
const Stages = Schema.Struct({ data: Schema.Array(Schema.Struct({ id: Schema.String, name: Schema.String })) })

/** Every page of a cursor-paged list. */
const listAll = <A>(
  path: string,
  page: Schema.Codec<{ readonly data: ReadonlyArray<A>; readonly next_cursor: string | null }, unknown>,
  query: Readonly<Record<string, string | undefined>> = {},
) =>
  Stream.paginate(undefined as string | undefined, (cursor) =>
    TestCrmClient.use((client) =>
      client.decode({ method: "GET", path, query: { ...query, limit: PAGE, cursor }, operation: `list ${path}` }, page),
    ).pipe(Effect.map((p) => [p.data, Option.fromNullishOr(p.next_cursor)] as const)),
  )

const send = <S extends Schema.Top>(
  method: "GET" | "POST" | "PATCH",
  path: string,
  schema: S,
  body?: unknown,
): Effect.Effect<S["Type"], CrmError, TestCrmClient | S["DecodingServices"]> =>
  TestCrmClient.use((client) =>
    client.decode(
      // A patch sets the fields it names: sending it twice changes nothing more.
      { method, path, body, operation: `${method} ${path}`, ...(method === "PATCH" ? { idempotent: true } : {}) },
      schema,
    ),
  )

const fromContact = (c: Contact): Records.Listed<Records.Contact> => {
  const take = Records.collector("contact", c.id)
  const emailText = Records.text(c.email)
  const email = emailText === undefined ? undefined : take.take(Records.email(emailText, "email"))
  const countryText = Records.text(c.address?.country)
  const country = countryText === undefined ? undefined : take.take(Records.country(countryText, "address.country"))
  const phoneText = Records.text(c.phone)
  const phone = phoneText === undefined ? undefined : take.take(Records.phone(phoneText, country ?? "US", "phone"))
  const address: Records.Address = {
    line1: Records.text(c.address?.street),
    city: Records.text(c.address?.city),
    region: Records.text(c.address?.region),
    postalCode: Records.text(c.address?.postcode),
    country,
  }
  const marker = c.labels.find((l) => l.toLowerCase().startsWith(MARKER))
  return take.listed<Records.Contact>({
    id: c.id,
    givenName: Records.text(c.firstName),
    familyName: Records.text(c.lastName),
    emails: email === undefined ? [] : [email],
    phones: phone === undefined ? [] : [phone],
    addresses: Object.values(address).some((v) => v !== undefined) ? [address] : [],
    companyName: Records.text(c.company),
    tags: c.labels.filter((l) => l !== marker),
    customFields: {},
    sourceId: marker?.slice(MARKER.length),
    updatedAt: take.take(Records.date(c.updatedAt, "updatedAt")),
  })
}

const contactBody = (contact: Records.Contact) => {
  const a = contact.addresses[0]
  return {
    firstName: contact.givenName ?? null,
    lastName: contact.familyName ?? null,
    email: contact.emails[0] ?? null,
    phone: contact.phones[0] ?? null,
    company: contact.companyName ?? null,
    address:
      a === undefined
        ? null
        : {
            street: a.line1 ?? null,
            city: a.city ?? null,
            region: a.region ?? null,
            postcode: a.postalCode ?? null,
            country: a.country ?? null,
          },
    labels: contact.sourceId === undefined ? [...contact.tags] : [...contact.tags, `${MARKER}${contact.sourceId}`],
  }
}

const stages = (lookups: Lookups) => lookups.pipelines[0]?.stages ?? []

const statusOf = (stage: string): Records.OpportunityStatus =>
  stage === "won" ? "won" : stage === "lost" ? "lost" : "open"

const fromDeal = (d: typeof Deal.Type, lookups: Lookups): Records.Listed<Records.Opportunity> =>
  Records.ok({
    id: d.id,
    contactId: d.contactId ?? "",
    name: d.title,
    value: d.amount / 100,
    status: statusOf(d.stage),
    pipeline: PIPELINE,
    stage: stages(lookups).find((s) => s.id === d.stage)?.name ?? d.stage,
    updatedAt: d.updatedAt,
  })

const dealBody = (opportunity: Records.Opportunity, lookups: Lookups) => {
  const stage = stages(lookups).find((s) => s.name.toLowerCase() === opportunity.stage.toLowerCase())
  if (stage === undefined)
    return Effect.fail(
      CrmErrors.invalidInput("testcrm", [
        { field: "stage", message: `TestCRM's pipeline has no stage "${opportunity.stage}"` },
      ]),
    )
  return Effect.succeed({
    title: opportunity.name,
    amount: Math.round((opportunity.value ?? 0) * 100),
    contactId: opportunity.contactId,
    stage: stage.id,
  })
}

/** A write of a record TestCRM has no place for: refused before any request. */
const ABSENT = { note: "notes", task: "tasks", company: "company records" } as const
const absent = (entity: keyof typeof ABSENT, id: string) =>
  Effect.fail(
    CrmErrors.invalidInput("testcrm", [
      { field: entity, message: `TestCRM has no ${ABSENT[entity]} (${entity} ${id})` },
    ]),
  )

export const records: Records.RecordMapper<TestCrmClient> = {
  lookups: () =>
    Effect.map(send("GET", "/stages", Stages), (out) => ({
      customFields: [],
      tags: [],
      users: [],
      pipelines: [{ id: "deals", name: PIPELINE, stages: out.data.map((s) => ({ id: s.id, name: s.name })) }],
      allowDuplicateContacts: false,
      contactSlots: { emails: 1, phones: 1 },
      companyLinks: false,
      companyNames: true,
      holds: ["opportunity"],
    })),

  contacts: (_lookups, options = {}) =>
    Stream.map(listAll("/contacts", ContactPage, { updated_since: options.updatedSince }), fromContact),

  getContact: (id) =>
    send("GET", `/contacts/${encodeURIComponent(id)}`, Contact).pipe(
      Effect.map((c): Records.Listed<Records.Contact> | undefined => fromContact(c)),
      Effect.catchReason("CrmError", "NotFound", () => Effect.succeed(undefined)),
    ),

  findContacts: (identity) =>
    identity.email === undefined && identity.phone === undefined
      ? Effect.succeed([])
      : Stream.runCollect(
          listAll(
            "/contacts",
            ContactPage,
            identity.email === undefined ? { phone: identity.phone } : { email: identity.email },
          ),
        ).pipe(Effect.map((all) => Array.from(all, fromContact).flatMap((l) => (l._tag === "Ok" ? [l.record] : [])))),

  createContact: (contact) =>
    Effect.map(send("POST", "/contacts", Contact, contactBody(contact)), (created) => ({
      ...contact,
      id: created.id,
    })),

  updateContact: (id, contact) =>
    Effect.as(send("PATCH", `/contacts/${encodeURIComponent(id)}`, Contact, contactBody(contact)), {
      ...contact,
      id,
    }),

  notes: () => Stream.empty,
  notesOf: () => Effect.succeed([]),
  createNote: (note) => absent("note", note.id),
  updateNote: (id) => absent("note", id),

  tasks: () => Stream.empty,
  tasksOf: () => Effect.succeed([]),
  createTask: (task) => absent("task", task.id),
  updateTask: (id) => absent("task", id),

  opportunities: (lookups) => Stream.map(listAll("/deals", DealPage), (d) => fromDeal(d, lookups)),
  createOpportunity: (opportunity, lookups) =>
    Effect.flatMap(dealBody(opportunity, lookups), (body) =>
      Effect.map(send("POST", "/deals", Deal, body), (created) => ({ ...opportunity, id: created.id })),
    ),
  updateOpportunity: (id, opportunity, lookups) =>
    Effect.flatMap(dealBody(opportunity, lookups), (body) =>
      Effect.as(send("PATCH", `/deals/${encodeURIComponent(id)}`, Deal, body), { ...opportunity, id }),
    ),

  companies: () => Stream.empty,
  createCompany: (company) => absent("company", company.id),
  updateCompany: (id) => absent("company", id),
}

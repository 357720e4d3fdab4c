/** Keap searches: each returns a list, empty when nothing matches (never an error). */
import type { CrmError } from "@crmkit/core"
import { Contacts, KeapFilter, Opportunities, Tags } from "@crmkit/keap"
import { Definitions } from "@crmkit/zapier-shared"
import { Effect, Stream } from "effect"
import { run } from "../connection.ts"
import { contactRow, row } from "../records.ts"
import * as Samples from "../samples.ts"

const { text } = Definitions

const first = <A>(stream: Stream.Stream<A, CrmError, any>, limit = 10) =>
  Effect.map(Stream.runCollect(Stream.take(stream, limit)), (items) => Array.from(items))

/** A lookup by id that finds nothing is an empty result, not a failure. */
const orNone = <A>(effect: Effect.Effect<A, CrmError, any>) =>
  effect.pipe(
    Effect.map((found) => [found]),
    Effect.catchIf(
      (error: CrmError) => error.reason._tag === "NotFound",
      () => Effect.succeed([] as Array<A>),
    ),
  )

export const findContact = Definitions.search({
  key: "find_contact",
  noun: "Contact",
  label: "Find Contact",
  description: "Finds a contact by email or id.",
  inputFields: [
    { key: "email", label: "Email", helpText: "Matches the contact's email exactly." },
    { key: "contact_id", label: "Contact ID" },
  ],
  sample: Samples.contact,
  perform: (z, bundle) => {
    const id = text(bundle, "contact_id")
    const email = text(bundle, "email")
    if (id === undefined && email === undefined) {
      throw new z.errors.Error("Give an Email or a Contact ID to search by.", "Validation", 400)
    }
    const program =
      id !== undefined
        ? orNone(Contacts.get(id))
        : first(Contacts.list({ filter: KeapFilter.eq("email", email!), orderBy: { field: "id", direction: "asc" } }))
    return run(
      z,
      bundle,
      Effect.map(program, (contacts) => contacts.map(contactRow)),
    )
  },
})

export const findOpportunity = Definitions.search({
  key: "find_opportunity",
  noun: "Opportunity",
  label: "Find Opportunity",
  description: "Finds opportunities by id, or those of a contact.",
  inputFields: [
    { key: "opportunity_id", label: "Opportunity ID" },
    { key: "contact_id", label: "Contact ID", helpText: "The contact whose opportunities to find." },
  ],
  sample: Samples.opportunity,
  perform: (z, bundle) => {
    const id = text(bundle, "opportunity_id")
    const contactId = text(bundle, "contact_id")
    if (id === undefined && contactId === undefined) {
      throw new z.errors.Error("Give an Opportunity ID or a Contact ID to search by.", "Validation", 400)
    }
    const program =
      id !== undefined
        ? orNone(Opportunities.get(id))
        : first(Opportunities.list({ filter: KeapFilter.eq("contact_id", contactId!) }))
    return run(
      z,
      bundle,
      Effect.map(program, (items) => items.map(row)),
    )
  },
})

export const findTag = Definitions.search({
  key: "find_tag",
  noun: "Tag",
  label: "Find Tag",
  description: "Finds a tag by its name.",
  inputFields: [{ key: "name", label: "Name", required: true, helpText: "The tag's exact name." }],
  sample: Samples.tag,
  perform: (z, bundle) => {
    const name = Definitions.required(z, bundle, "name", "Name")
    return run(
      z,
      bundle,
      Effect.map(first(Tags.list({ filter: KeapFilter.eq("name", name) })), (tags) => tags.map(row)),
    )
  },
})

export const searches = [findContact, findOpportunity, findTag]

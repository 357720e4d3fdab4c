/** Keap searches: each returns a list, empty when nothing matches (never an error). */
import { Contacts, KeapFilter, Opportunities, Tags } from "@crmkit/keap"
import { Definitions, Results } from "@crmkit/zapier-shared"
import { Effect } from "effect"
import { run } from "../connection.ts"
import { contactRow, row } from "../records.ts"
import * as Samples from "../samples.ts"

const { text, invalid } = Definitions
const { first, orNone } = Results
const PAGE = 10

// Keap searches a phone number only in the phone fields named with it: all five.
const PHONE_FIELDS = ["PHONE1", "PHONE2", "PHONE3", "PHONE4", "PHONE5"]

export const findContact = Definitions.search({
  key: "find_contact",
  noun: "Contact",
  label: "Find Contact",
  description: "Finds a contact by email, phone or id.",
  inputFields: [
    { key: "email", label: "Email", helpText: "Matches the contact's email exactly." },
    { key: "phone", label: "Phone", helpText: "Matches any of the contact's phone numbers." },
    { key: "contact_id", label: "Contact ID" },
  ],
  sample: Samples.contact,
  perform: (z, bundle) => {
    const id = text(bundle, "contact_id")
    const email = text(bundle, "email")
    const phone = text(bundle, "phone")
    if (id === undefined && email === undefined && phone === undefined) {
      return invalid(z, "Give an Email, a Phone or a Contact ID to search by.")
    }
    const filter =
      email !== undefined
        ? KeapFilter.eq("email", email)
        : KeapFilter.and(KeapFilter.eq("phone_number", phone!), KeapFilter.oneOf("phone_fields", PHONE_FIELDS))
    const program =
      id !== undefined
        ? orNone(Contacts.get(id))
        : first(Contacts.list({ filter, orderBy: { field: "id", direction: "asc" } }), PAGE)
    return run(
      z,
      bundle,
      Effect.map(program, (contacts) => contacts.map((c) => contactRow(c as Contacts.Contact))),
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
      return invalid(z, "Give an Opportunity ID or a Contact ID to search by.")
    }
    const program =
      id !== undefined
        ? orNone(Opportunities.get(id))
        : first(Opportunities.list({ filter: KeapFilter.eq("contact_id", contactId!) }), PAGE)
    return run(
      z,
      bundle,
      Effect.map(program, (items) => items.map((item) => row(item as { id?: string }))),
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
      Effect.map(first(Tags.list({ filter: KeapFilter.eq("name", name) }), PAGE), (tags) => tags.map(row)),
    )
  },
})

export const searches = [findContact, findOpportunity, findTag]

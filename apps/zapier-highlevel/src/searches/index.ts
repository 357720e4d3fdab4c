/** HighLevel searches: each returns a list, empty when nothing matches (never an error). */
import type { CrmError } from "@crmkit/core"
import { Contacts, Locations, Opportunities } from "@crmkit/ghl"
import { Definitions, Results } from "@crmkit/zapier-shared"
import { Effect } from "effect"
import { run } from "../connection.ts"
import { row } from "../records.ts"
import * as Samples from "../samples.ts"

const { text, invalid } = Definitions
const { orNone } = Results

export const findContact = Definitions.search({
  key: "find_contact",
  noun: "Contact",
  label: "Find Contact",
  description: "Finds a contact by email, phone or id.",
  inputFields: [
    { key: "email", label: "Email" },
    { key: "phone", label: "Phone" },
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
    const program: Effect.Effect<ReadonlyArray<object>, CrmError, any> = id !== undefined
      ? orNone(Effect.map(Contacts.get(id), (answer) => answer.contact))
      : Effect.map(
          Contacts.search({
            pageLimit: 10,
            filters: [
              email !== undefined
                ? { field: "email", operator: "eq", value: email }
                : { field: "phone", operator: "eq", value: phone },
            ],
          } as never),
          (page) => page.contacts ?? [],
        )
    return run(
      z,
      bundle,
      Effect.map(program, (contacts) => contacts.map(row)),
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
    const program: Effect.Effect<ReadonlyArray<object>, CrmError, any> = id !== undefined
      ? orNone(Effect.map(Opportunities.get(id), (answer) => answer.opportunity))
      : Effect.map(
          Opportunities.search({ contact_id: contactId, limit: 20 } as never),
          (page) => page.opportunities ?? [],
        )
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
  inputFields: [{ key: "name", label: "Name", required: true }],
  sample: Samples.tag,
  perform: (z, bundle) => {
    const name = Definitions.required(z, bundle, "name", "Name").toLowerCase()
    return run(
      z,
      bundle,
      Effect.map(Locations.tags(), (answer) =>
        (answer.tags ?? []).filter((t) => String(t.name).toLowerCase() === name).map(row),
      ),
    )
  },
})

export const searches = [findContact, findOpportunity, findTag]

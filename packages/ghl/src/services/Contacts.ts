/**
 * Contacts: CRUD, upsert, duplicate search, the search endpoint (filters, sort, and
 * `searchAfter` paging beyond the 10,000 records `page` can reach), tasks, notes,
 * appointments, tags, campaigns, workflows and followers.
 */
import type { CrmError } from "@crmkit/core"
import { Effect, Stream } from "effect"
import type { GhlClient } from "../GhlClient.ts"
import { type Body, type Input, location, type Output, send, streamAll, type WithLocation } from "./internal.ts"

type R<K extends Parameters<typeof send>[0]> = Effect.Effect<Output<K>, CrmError, GhlClient>

export const get = (contactId: string): R<"get-contact"> => send("get-contact", { contactId })

export const create = (body: WithLocation<Body<"create-contact">>): R<"create-contact"> =>
  Effect.flatMap(location(body.locationId), (locationId) =>
    send("create-contact", { body: { ...body, locationId } as Body<"create-contact"> }),
  )

export const update = (contactId: string, body: Body<"update-contact">): R<"update-contact"> =>
  send("update-contact", { contactId, body })

export const remove = (contactId: string): R<"delete-contact"> => send("delete-contact", { contactId })

/** Creates or updates, matching on email or phone as the location's duplicate settings say. */
export const upsert = (body: WithLocation<Body<"upsert-contact">>): R<"upsert-contact"> =>
  Effect.flatMap(location(body.locationId), (locationId) =>
    send("upsert-contact", { body: { ...body, locationId } as Body<"upsert-contact"> }),
  )

/** The contact GHL would treat as a duplicate of this email or phone number, if any. */
export const findDuplicate = (
  match: { readonly email?: string | undefined; readonly number?: string | undefined },
  locationId?: string,
): R<"get-duplicate-contact"> =>
  Effect.flatMap(location(locationId), (id) =>
    send("get-duplicate-contact", {
      locationId: id,
      ...(match.email === undefined ? {} : { email: match.email }),
      ...(match.number === undefined ? {} : { number: match.number }),
    } as Input<"get-duplicate-contact">),
  )

export type SearchBody = WithLocation<Omit<Body<"search-contacts-advanced">, "pageLimit">> & {
  readonly pageLimit?: number | undefined
}

/** One page of `POST /contacts/search` (filters, sort, query, page or searchAfter). */
export const search = (body: SearchBody = {}): R<"search-contacts-advanced"> =>
  Effect.flatMap(location(body.locationId), (locationId) =>
    send("search-contacts-advanced", {
      body: { pageLimit: 100, ...body, locationId } as Body<"search-contacts-advanced">,
    }),
  )

export type Contact = NonNullable<Output<"search-contacts-advanced">["contacts"]>[number]

/**
 * Every contact matching the search, page by page with `searchAfter` (so past the
 * 10,000 records `page` paging stops at); `locationId`, filters and sort stay on every page.
 */
export const searchAll = (
  body: Omit<SearchBody, "page" | "searchAfter" | "pageLimit"> = {},
  options: { readonly pageSize?: number | undefined } = {},
): Stream.Stream<Contact, CrmError, GhlClient> =>
  Stream.unwrap(
    Effect.map(location(body.locationId), (locationId) =>
      streamAll<Contact>("search-contacts-advanced", { body: { ...body, locationId } }, options.pageSize ?? 100),
    ),
  )

// --- Tasks --------------------------------------------------------------------------------

export const tasks = (contactId: string): R<"get-all-tasks"> => send("get-all-tasks", { contactId })
export const getTask = (contactId: string, taskId: string): R<"get-task"> => send("get-task", { contactId, taskId })
export const createTask = (contactId: string, body: Body<"create-task">): R<"create-task"> =>
  send("create-task", { contactId, body })
export const updateTask = (contactId: string, taskId: string, body: Body<"update-task">): R<"update-task"> =>
  send("update-task", { contactId, taskId, body })
export const completeTask = (contactId: string, taskId: string, completed = true): R<"update-task-completed"> =>
  send("update-task-completed", { contactId, taskId, body: { completed } })
export const deleteTask = (contactId: string, taskId: string): R<"delete-task"> =>
  send("delete-task", { contactId, taskId })

// --- Notes --------------------------------------------------------------------------------

export const notes = (contactId: string): R<"get-all-notes"> => send("get-all-notes", { contactId })
export const getNote = (contactId: string, id: string): R<"get-note"> => send("get-note", { contactId, id })
export const createNote = (contactId: string, body: Body<"create-note">): R<"create-note"> =>
  send("create-note", { contactId, body })
export const updateNote = (contactId: string, id: string, body: Body<"update-note">): R<"update-note"> =>
  send("update-note", { contactId, id, body })
export const deleteNote = (contactId: string, id: string): R<"delete-note"> => send("delete-note", { contactId, id })

// --- Appointments, tags, campaigns, workflows, followers ----------------------------------

export const appointments = (contactId: string): R<"get-appointments-for-contact"> =>
  send("get-appointments-for-contact", { contactId })

export const addTags = (contactId: string, tags: ReadonlyArray<string>): R<"add-tags"> =>
  send("add-tags", { contactId, body: { tags: [...tags] } })
export const removeTags = (contactId: string, tags: ReadonlyArray<string>): R<"remove-tags"> =>
  send("remove-tags", { contactId, body: { tags: [...tags] } })

export const addToCampaign = (contactId: string, campaignId: string): R<"add-contact-to-campaign"> =>
  send("add-contact-to-campaign", { contactId, campaignId, body: {} } as Input<"add-contact-to-campaign">)
export const removeFromCampaign = (contactId: string, campaignId: string): R<"remove-contact-from-campaign"> =>
  send("remove-contact-from-campaign", { contactId, campaignId })
export const removeFromAllCampaigns = (contactId: string): R<"remove-contact-from-every-campaign"> =>
  send("remove-contact-from-every-campaign", { contactId })

export const addToWorkflow = (
  contactId: string,
  workflowId: string,
  body: Body<"add-contact-to-workflow"> = {} as Body<"add-contact-to-workflow">,
): R<"add-contact-to-workflow"> => send("add-contact-to-workflow", { contactId, workflowId, body })
export const removeFromWorkflow = (contactId: string, workflowId: string): R<"delete-contact-from-workflow"> =>
  send("delete-contact-from-workflow", { contactId, workflowId, body: {} } as Input<"delete-contact-from-workflow">)

export const addFollowers = (contactId: string, followers: ReadonlyArray<string>): R<"add-followers-contact"> =>
  send("add-followers-contact", { contactId, body: { followers: [...followers] } })
export const removeFollowers = (contactId: string, followers: ReadonlyArray<string>): R<"remove-followers-contact"> =>
  send("remove-followers-contact", { contactId, body: { followers: [...followers] } })

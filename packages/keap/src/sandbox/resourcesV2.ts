/**
 * Keap REST v2 routes beyond contact CRUD: contact merge and model (with custom field creation),
 * email addresses' opt-in status, tags (list, get, create, apply to / remove from contacts),
 * tasks and contact notes. Shapes follow the v2 spec; errors
 * are the v2 `{code, message, status, details}`.
 *
 * Sandbox choices (Keap does not document them): tag, task and note ids start at 1000
 * (seeded tags keep 100, 101, ...); seeded users are `1` and `2`; list pages use the same
 * opaque-token style as contacts (an empty `next_page_token` marks the last page).
 */
import { json, noContent, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import { SEED_TAGS } from "@crmkit/sandbox/seed"
import { KEAP_TAG_IDS, type KeapContactStore, MARKETABLE_EMAIL_STATUSES, type StoredContact } from "./contactStore.ts"
import { invalidArgument, keapError } from "./errors.ts"
import {
  checkId,
  ID,
  ISO,
  isResponse,
  type Json,
  KEAP_SANDBOX_USER_IDS,
  listPage,
  pageOf,
  requireBody,
  unknownFields,
} from "./routeHelpers.ts"
import type { KeapApiRequest, KeapRoute } from "./types.ts"

const TASK_PRIORITIES = new Set(["CRITICAL", "ESSENTIAL", "NONESSENTIAL"])
const CUSTOM_FIELD_FIELDS = new Set(["label", "field_type", "options", "group_id", "user_group_id"])
// CreateCustomFieldRequest.field_type in the v2 spec.
const CUSTOM_FIELD_TYPES: ReadonlySet<string> = new Set([
  "CURRENCY",
  "DATE",
  "DATE_TIME",
  "DAY_OF_WEEK",
  "DECIMAL_NUMBER",
  "DRILLDOWN",
  "DROPDOWN",
  "EMAIL",
  "LIST_BOX",
  "MONTH",
  "NAME",
  "PERCENT",
  "PHONE_NUMBER",
  "RADIO",
  "SOCIAL_SECURITY_NUMBER",
  "STATE",
  "TEXT",
  "TEXT_AREA",
  "USER",
  "USER_LIST_BOX",
  "WEBSITE",
  "WHOLE_NUMBER",
  "YEAR",
  "YES_NO",
])

export class KeapResourceStore {
  readonly tags = new Map<string, Json>()
  readonly tasks = new Map<string, Json>()
  /** Notes by contact id, then note id. */
  readonly notes = new Map<string, Map<string, Json>>()
  #nextId = 1000

  constructor() {
    const created = new Date(0).toISOString()
    for (const name of SEED_TAGS) {
      const id = KEAP_TAG_IDS[name] as string
      this.tags.set(id, { id, name, description: "", category: null, create_time: created, update_time: created })
    }
  }

  nextId(): string {
    return String(this.#nextId++)
  }
}

export function registerResourcesV2(
  router: Router<KeapRoute>,
  contacts: KeapContactStore,
  store: KeapResourceStore,
  base: string,
  now: () => number,
): void {
  const iso = () => new Date(now()).toISOString()
  const contactOr404 = (id: string, field = "contact_id"): StoredContact | SandboxResponse => {
    const bad = checkId(id, field)
    if (bad !== undefined) return bad
    return contacts.find(id) ?? keapError(404, `Contact with id ${id} not found`, [{ domain: "contact", resource: id }])
  }

  // Contacts: merge and model.
  router.add("POST", `${base}/v2/contacts:merge`, {
    auth: "api",
    handle: ({ ctx }: KeapApiRequest) => {
      const body = requireBody(ctx.body)
      if (isResponse(body)) return body
      const primaryId = String(body.contact_id ?? "")
      const duplicateId = String(body.duplicate_contact_id ?? "")
      if (primaryId === duplicateId) {
        return invalidArgument("A contact cannot be merged into itself", "duplicate_contact_id")
      }
      const primary = contactOr404(primaryId)
      if (isResponse(primary)) return primary
      const duplicate = contactOr404(duplicateId, "duplicate_contact_id")
      if (isResponse(duplicate)) return duplicate
      const p = primary.contact
      const d = duplicate.contact
      const merged: Json = {
        tag_ids: [...new Set([...p.tag_ids, ...d.tag_ids])],
        email_addresses: [
          ...p.email_addresses,
          ...d.email_addresses.filter((e) => !p.email_addresses.some((x) => x.field === e.field)),
        ],
        phone_numbers: [
          ...p.phone_numbers,
          ...d.phone_numbers.filter((e) => !p.phone_numbers.some((x) => x.field === e.field)),
        ],
      }
      for (const field of ["given_name", "family_name", "company", "job_title"]) {
        if (p[field] === undefined && d[field] !== undefined) merged[field] = d[field]
      }
      const result = contacts.update(primary.index, merged)
      contacts.delete(duplicate.index)
      return json(200, result)
    },
  })

  router.add("GET", `${base}/v2/contacts/model`, {
    auth: "api",
    handle: () =>
      json(200, {
        custom_fields: [...contacts.customFields.values()],
        optional_properties: ["custom_fields", "tag_ids", "links", "score_value", "notes", "utm_parameters"],
      }),
  })
  router.add("POST", `${base}/v2/contacts/model/customFields`, {
    auth: "api",
    handle: ({ ctx }: KeapApiRequest) => {
      const body = requireBody(ctx.body)
      if (isResponse(body)) return body
      const unknown = unknownFields(body, CUSTOM_FIELD_FIELDS)
      if (unknown !== undefined) return unknown
      if (typeof body.label !== "string" || body.label.trim() === "")
        return invalidArgument("label is required", "label")
      if (typeof body.field_type !== "string" || !CUSTOM_FIELD_TYPES.has(body.field_type))
        return invalidArgument(`Invalid field_type '${String(body.field_type)}'`, "field_type")
      return json(201, contacts.createCustomField({ label: body.label, field_type: body.field_type }))
    },
  })

  // Email addresses: opt-in status, kept per address.
  const emailOr404 = (raw: string): string | SandboxResponse => {
    const email = raw.toLowerCase()
    return contacts.findByEmail(email).length > 0 || contacts.emailStatus(email) !== undefined
      ? email
      : keapError(404, `Email address ${raw} not found`, [{ domain: "email_address", resource: raw }])
  }
  const statusOf = (email: string) => {
    const status = contacts.emailStatus(email) ?? "UNENGAGED_NON_MARKETABLE"
    return { email, opted_in: MARKETABLE_EMAIL_STATUSES.has(status), status, create_time: new Date(0).toISOString() }
  }
  router
    .add("GET", `${base}/v2/emailAddresses/:email/status`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const email = emailOr404(params.email as string)
        return isResponse(email) ? email : json(200, statusOf(email))
      },
    })
    .add("PATCH", `${base}/v2/emailAddresses/:email/status`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        if (typeof body.opted_in !== "boolean") return invalidArgument("opted_in is required", "opted_in")
        if (typeof body.reason !== "string" || body.reason.trim() === "")
          return invalidArgument("reason is required", "reason")
        const email = emailOr404(params.email as string)
        if (isResponse(email)) return email
        contacts.setEmailOptIn(email, body.opted_in)
        return json(200, statusOf(email))
      },
    })

  // Tags.
  const tagFields = new Set(["name", "description", "category"])
  const tagOr404 = (id: string): Json | SandboxResponse => {
    const bad = checkId(id, "tag_id")
    if (bad !== undefined) return bad
    return store.tags.get(id) ?? keapError(404, `Tag with id ${id} not found`, [{ domain: "tag", resource: id }])
  }
  const contactIdsOf = (body: unknown): string[] | SandboxResponse => {
    const record = requireBody(body)
    if (isResponse(record)) return record
    const ids = record.contact_ids
    if (!Array.isArray(ids) || ids.length === 0) {
      return invalidArgument("contact_ids must be a non-empty array", "contact_ids")
    }
    if (ids.length > 1000) return invalidArgument("At most 1000 contact_ids per request", "contact_ids")
    for (const id of ids) {
      if (typeof id !== "string" || !ID.test(id)) return invalidArgument(`Invalid contact id '${id}'`, "contact_ids")
    }
    return ids as string[]
  }
  router
    .add("GET", `${base}/v2/tags`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        return listPage(store.tags.values(), ctx.query, "tags", {
          filter: new Set(["name", "description"]),
          order: new Set(["name", "id"]),
        })
      },
    })
    .add("POST", `${base}/v2/tags`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const unknown = unknownFields(body, tagFields)
        if (unknown !== undefined) return unknown
        if (typeof body.name !== "string" || body.name.trim() === "") {
          return invalidArgument("name is required", "name")
        }
        if (
          [...store.tags.values()].some((tag) => String(tag.name).toLowerCase() === String(body.name).toLowerCase())
        ) {
          return keapError(409, `A tag named '${body.name}' already exists`, [{ domain: "tag", resource: "name" }])
        }
        const id = store.nextId()
        const tag = {
          id,
          name: body.name,
          description: body.description ?? "",
          category: body.category ?? null,
          create_time: iso(),
          update_time: iso(),
        }
        store.tags.set(id, tag)
        return json(201, tag)
      },
    })
    .add("GET", `${base}/v2/tags/:tag_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const tag = tagOr404(params.tag_id as string)
        return isResponse(tag) ? tag : json(200, tag)
      },
    })
    .add("GET", `${base}/v2/contacts/:contact_id/tags`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const found = contactOr404(params.contact_id as string)
        if (isResponse(found)) return found
        const applied = found.contact.tag_ids.flatMap((tagId) => {
          const tag = store.tags.get(tagId)
          return tag === undefined ? [] : [{ tag, applied_time: tag.create_time }]
        })
        return listPage(applied, ctx.query, "tags", { filter: new Set() })
      },
    })
    .add("POST", `${base}/v2/tags/:tag_id/contacts:applyTags`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const tag = tagOr404(params.tag_id as string)
        if (isResponse(tag)) return tag
        const ids = contactIdsOf(ctx.body)
        if (!Array.isArray(ids)) return ids
        const results: Record<string, string> = {}
        for (const id of ids) {
          const found = contacts.find(id)
          if (found === undefined) {
            results[id] = "NOT_FOUND"
            continue
          }
          const tagId = String(tag.id)
          if (!found.contact.tag_ids.includes(tagId)) {
            contacts.update(found.index, { tag_ids: [...found.contact.tag_ids, tagId] })
          }
          results[id] = "SUCCESS"
        }
        return json(200, { results })
      },
    })
    .add("POST", `${base}/v2/tags/:tag_id/contacts:removeTags`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const tag = tagOr404(params.tag_id as string)
        if (isResponse(tag)) return tag
        const ids = contactIdsOf(ctx.body)
        if (!Array.isArray(ids)) return ids
        for (const id of ids) {
          const found = contacts.find(id)
          if (found?.contact.tag_ids.includes(String(tag.id))) {
            contacts.update(found.index, { tag_ids: found.contact.tag_ids.filter((t) => t !== String(tag.id)) })
          }
        }
        return noContent()
      },
    })

  // Tasks.
  const taskFields = new Set([
    "title",
    "description",
    "type",
    "priority",
    "completed",
    "completion_time",
    "due_time",
    "remind_time_mins",
    "assigned_to_user_id",
    "contact_id",
    "opportunity_id",
    "accepted",
    "custom_fields",
  ])
  const validateTask = (body: Json, creating: boolean): SandboxResponse | undefined => {
    const unknown = unknownFields(body, taskFields)
    if (unknown !== undefined) return unknown
    if (creating && body.assigned_to_user_id === undefined) {
      return invalidArgument("assigned_to_user_id is required", "assigned_to_user_id")
    }
    if (body.assigned_to_user_id !== undefined && !KEAP_SANDBOX_USER_IDS.has(String(body.assigned_to_user_id))) {
      return invalidArgument(`Unknown user '${body.assigned_to_user_id}'`, "assigned_to_user_id")
    }
    if (body.contact_id !== undefined && contacts.find(String(body.contact_id)) === undefined) {
      return invalidArgument(`Contact '${body.contact_id}' not found`, "contact_id")
    }
    if (body.priority !== undefined && !TASK_PRIORITIES.has(String(body.priority))) {
      return invalidArgument(`Invalid priority '${body.priority}'`, "priority")
    }
    for (const field of ["due_time", "completion_time"]) {
      if (body[field] !== undefined && (typeof body[field] !== "string" || !ISO.test(body[field] as string))) {
        return invalidArgument(`${field} must be an ISO-8601 date-time`, field)
      }
    }
    if (creating && (typeof body.title !== "string" || body.title.trim() === "")) {
      return invalidArgument("title is required", "title")
    }
    return undefined
  }
  const taskOr404 = (id: string): Json | SandboxResponse => {
    const bad = checkId(id, "task_id")
    if (bad !== undefined) return bad
    return store.tasks.get(id) ?? keapError(404, `Task with id ${id} not found`, [{ domain: "task", resource: id }])
  }
  router
    .add("GET", `${base}/v2/tasks`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        return listPage(store.tasks.values(), ctx.query, "tasks", {
          filter: new Set(["contact_id", "assigned_to_user_id", "title"]),
          order: new Set(["due_time", "create_time", "title"]),
        })
      },
    })
    .add("POST", `${base}/v2/tasks`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const invalid = validateTask(body, true)
        if (invalid !== undefined) return invalid
        const id = store.nextId()
        const task = { completed: false, priority: "NONESSENTIAL", ...body, id, create_time: iso(), update_time: iso() }
        store.tasks.set(id, task)
        return json(201, task)
      },
    })
    .add("GET", `${base}/v2/tasks/:task_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const task = taskOr404(params.task_id as string)
        return isResponse(task) ? task : json(200, task)
      },
    })
    .add("PATCH", `${base}/v2/tasks/:task_id`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const task = taskOr404(params.task_id as string)
        if (isResponse(task)) return task
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const invalid = validateTask(body, false)
        if (invalid !== undefined) return invalid
        const updated = { ...task, ...body, id: task.id, update_time: iso() }
        store.tasks.set(String(task.id), updated)
        return json(200, updated)
      },
    })
    .add("DELETE", `${base}/v2/tasks/:task_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const task = taskOr404(params.task_id as string)
        if (isResponse(task)) return task
        store.tasks.delete(String(task.id))
        return noContent()
      },
    })

  // Notes of a contact.
  const noteFields = new Set(["title", "text", "type", "user_id", "is_pinned", "custom_fields", "contact_id"])
  const notesOf = (contactId: string) => {
    let notes = store.notes.get(contactId)
    if (notes === undefined) {
      notes = new Map()
      store.notes.set(contactId, notes)
    }
    return notes
  }
  const validateNote = (body: Json, creating: boolean): SandboxResponse | undefined => {
    const unknown = unknownFields(body, noteFields)
    if (unknown !== undefined) return unknown
    if (creating && body.user_id === undefined) return invalidArgument("user_id is required", "user_id")
    if (body.user_id !== undefined && !KEAP_SANDBOX_USER_IDS.has(String(body.user_id))) {
      return invalidArgument(`Unknown user '${body.user_id}'`, "user_id")
    }
    if (creating && (typeof body.text !== "string" || body.text.trim() === "") && typeof body.title !== "string") {
      return invalidArgument("A note needs a title or text", "text")
    }
    return undefined
  }
  const noteOr404 = (contactId: string, noteId: string): { notes: Map<string, Json>; note: Json } | SandboxResponse => {
    const contact = contactOr404(contactId)
    if (isResponse(contact)) return contact
    const bad = checkId(noteId, "note_id")
    if (bad !== undefined) return bad
    const notes = notesOf(contactId)
    const note = notes.get(noteId)
    return note === undefined
      ? keapError(404, `Note with id ${noteId} not found`, [{ domain: "note", resource: noteId }])
      : { notes, note }
  }
  router
    // Every contact's notes. Besides `contact_id` and `title`, `filter` takes `ids==1,2,3`.
    .add("GET", `${base}/v2/notes`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const parts = (ctx.query.get("filter") ?? "").split(";").filter((part) => part.trim() !== "")
        const idsPart = parts.find((part) => part.trim().startsWith("ids=="))
        const ids = idsPart === undefined ? undefined : new Set(idsPart.trim().slice("ids==".length).split(","))
        const query = new URLSearchParams(ctx.query)
        query.set("filter", parts.filter((part) => part !== idsPart).join(";"))
        const all = [...store.notes.values()].flatMap((notes) => [...notes.values()])
        return listPage(
          all.filter((note) => ids === undefined || ids.has(String(note.id))),
          query,
          "notes",
          { filter: new Set(["contact_id", "title"]), order: new Set(["create_time", "update_time", "id"]) },
        )
      },
    })
    .add("GET", `${base}/v2/contacts/:contact_id/notes`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const contact = contactOr404(params.contact_id as string)
        if (isResponse(contact)) return contact
        return pageOf([...notesOf(contact.contact.id).values()], ctx.query, "notes")
      },
    })
    .add("POST", `${base}/v2/contacts/:contact_id/notes`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const contact = contactOr404(params.contact_id as string)
        if (isResponse(contact)) return contact
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const invalid = validateNote(body, true)
        if (invalid !== undefined) return invalid
        const id = store.nextId()
        const note = {
          is_pinned: false,
          ...body,
          id,
          contact_id: contact.contact.id,
          create_time: iso(),
          update_time: iso(),
        }
        notesOf(contact.contact.id).set(id, note)
        return json(201, note)
      },
    })
    .add("GET", `${base}/v2/contacts/:contact_id/notes/:note_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const found = noteOr404(params.contact_id as string, params.note_id as string)
        return "note" in found ? json(200, found.note) : found
      },
    })
    .add("PATCH", `${base}/v2/contacts/:contact_id/notes/:note_id`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const found = noteOr404(params.contact_id as string, params.note_id as string)
        if (!("note" in found)) return found
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const invalid = validateNote(body, false)
        if (invalid !== undefined) return invalid
        const updated = { ...found.note, ...body, id: found.note.id, update_time: iso() }
        found.notes.set(String(found.note.id), updated)
        return json(200, updated)
      },
    })
    .add("DELETE", `${base}/v2/contacts/:contact_id/notes/:note_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const found = noteOr404(params.contact_id as string, params.note_id as string)
        if (!("note" in found)) return found
        found.notes.delete(String(found.note.id))
        return noContent()
      },
    })
}

/**
 * Contact sub-resources: tags, notes, tasks, followers, campaigns, workflows, appointments,
 * and the duplicate lookup. Kept in memory next to the contact store; every route checks that
 * the contact belongs to the caller's location.
 */
import { randomBytes } from "node:crypto"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { GhlContactStore, StoredGhlContact } from "./contactStore.ts"
import { ghlError, noLocationAccess, unprocessable } from "./errors.ts"
import type { GhlApiRequest, GhlRoute } from "./types.ts"

interface Note {
  id: string
  body: string
  userId: string
  dateAdded: string
  contactId: string
}

interface Task {
  id: string
  title: string
  body?: string
  assignedTo?: string
  dueDate: string
  completed: boolean
  contactId: string
}

const newId = () => randomBytes(15).toString("base64url").replace(/[-_]/g, "x").slice(0, 20)

const record = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {}

const stringArray = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : undefined

export function registerContactRelations(router: Router<GhlRoute>, store: GhlContactStore, now: () => number): void {
  const notes = new Map<string, Note[]>()
  const tasks = new Map<string, Task[]>()
  const followers = new Map<string, Set<string>>()
  const campaigns = new Map<string, Set<string>>()
  const workflows = new Map<string, Set<string>>()
  const listOf = <T>(map: Map<string, T[]>, id: string): T[] => {
    let list = map.get(id)
    if (list === undefined) {
      list = []
      map.set(id, list)
    }
    return list
  }
  const setOf = (map: Map<string, Set<string>>, id: string): Set<string> => {
    let set = map.get(id)
    if (set === undefined) {
      set = new Set()
      map.set(id, set)
    }
    return set
  }

  /** Resolves `:contactId` to a contact of the caller's location, then runs the handler. */
  const onContact =
    (handle: (found: StoredGhlContact, request: GhlApiRequest) => SandboxResponse) =>
    (request: GhlApiRequest): SandboxResponse => {
      const found = store.find(request.params.contactId as string)
      if (found === undefined) return ghlError(404, "Contact not found")
      if (found.contact.locationId !== request.principal.locationId) return noLocationAccess()
      return handle(found, request)
    }
  const read = (handle: Parameters<typeof onContact>[0]): GhlRoute => ({
    auth: "api",
    access: "location",
    scope: "contacts.readonly",
    handle: onContact(handle),
  })
  const write = (handle: Parameters<typeof onContact>[0]): GhlRoute => ({
    auth: "api",
    access: "location",
    scope: "contacts.write",
    handle: onContact(handle),
  })
  const succeeded = (status = 200) => json(status, { succeded: true })
  /** Adds the id in the path parameter `param` to (or removes it from) the contact's set in `sets`. */
  const membership = (sets: Map<string, Set<string>>, param: string, action: "add" | "delete", status = 200) =>
    write((found, request) => {
      setOf(sets, found.contact.id)[action](request.params[param] as string)
      return succeeded(status)
    })

  const tagsBody = (request: GhlApiRequest) => stringArray(record(request.ctx.body).tags)
  router
    .add(
      "POST",
      "/contacts/:contactId/tags",
      write((found, request) => {
        const tags = tagsBody(request)
        if (tags === undefined) return unprocessable(["each value in tags must be a string", "tags must be an array"])
        const current = (found.contact.tags as string[] | undefined) ?? []
        const merged = [...new Set([...current, ...tags.map((tag) => tag.toLowerCase())])]
        store.update(found.index, { tags: merged })
        return json(201, { tags: merged })
      }),
    )
    .add(
      "DELETE",
      "/contacts/:contactId/tags",
      write((found, request) => {
        const tags = tagsBody(request)
        if (tags === undefined) return unprocessable(["each value in tags must be a string", "tags must be an array"])
        const drop = new Set(tags.map((tag) => tag.toLowerCase()))
        const remaining = ((found.contact.tags as string[] | undefined) ?? []).filter((tag) => !drop.has(tag))
        store.update(found.index, { tags: remaining })
        return json(200, { tags: remaining })
      }),
    )

  // Notes
  const findNote = (contactId: string, id: string) => notes.get(contactId)?.find((note) => note.id === id)
  router
    .add(
      "GET",
      "/contacts/:contactId/notes",
      read((found) => json(200, { notes: notes.get(found.contact.id) ?? [] })),
    )
    .add(
      "POST",
      "/contacts/:contactId/notes",
      write((found, request) => {
        const body = record(request.ctx.body)
        if (typeof body.body !== "string" || body.body === "") return unprocessable(["body should not be empty"])
        const note: Note = {
          id: newId(),
          body: body.body,
          userId: typeof body.userId === "string" ? body.userId : request.principal.userId,
          dateAdded: new Date(now()).toISOString(),
          contactId: found.contact.id,
        }
        listOf(notes, found.contact.id).push(note)
        return json(201, { note })
      }),
    )
    .add(
      "GET",
      "/contacts/:contactId/notes/:id",
      read((found, request) => {
        const note = findNote(found.contact.id, request.params.id as string)
        return note === undefined ? ghlError(404, "Note not found") : json(200, { note })
      }),
    )
    .add(
      "PUT",
      "/contacts/:contactId/notes/:id",
      write((found, request) => {
        const note = findNote(found.contact.id, request.params.id as string)
        if (note === undefined) return ghlError(404, "Note not found")
        const body = record(request.ctx.body)
        if (typeof body.body === "string") note.body = body.body
        return json(200, { note })
      }),
    )
    .add(
      "DELETE",
      "/contacts/:contactId/notes/:id",
      write((found, request) => {
        const list = notes.get(found.contact.id) ?? []
        const at = list.findIndex((note) => note.id === request.params.id)
        if (at < 0) return ghlError(404, "Note not found")
        list.splice(at, 1)
        return succeeded()
      }),
    )

  // Tasks
  const findTask = (contactId: string, id: string) => tasks.get(contactId)?.find((task) => task.id === id)
  router
    .add(
      "GET",
      "/contacts/:contactId/tasks",
      read((found) => json(200, { tasks: tasks.get(found.contact.id) ?? [] })),
    )
    .add(
      "POST",
      "/contacts/:contactId/tasks",
      write((found, request) => {
        const body = record(request.ctx.body)
        const messages: string[] = []
        if (typeof body.title !== "string" || body.title === "") messages.push("title should not be empty")
        if (typeof body.dueDate !== "string" || Number.isNaN(Date.parse(body.dueDate)))
          messages.push("dueDate must be a valid ISO 8601 date string")
        if (typeof body.completed !== "boolean") messages.push("completed must be a boolean value")
        if (messages.length > 0) return unprocessable(messages)
        const task: Task = {
          id: newId(),
          title: body.title as string,
          dueDate: body.dueDate as string,
          completed: body.completed as boolean,
          contactId: found.contact.id,
          ...(typeof body.body === "string" ? { body: body.body } : {}),
          ...(typeof body.assignedTo === "string" ? { assignedTo: body.assignedTo } : {}),
        }
        listOf(tasks, found.contact.id).push(task)
        return json(201, { task })
      }),
    )
    .add(
      "GET",
      "/contacts/:contactId/tasks/:taskId",
      read((found, request) => {
        const task = findTask(found.contact.id, request.params.taskId as string)
        return task === undefined ? ghlError(404, "Task not found") : json(200, { task })
      }),
    )
    .add(
      "PUT",
      "/contacts/:contactId/tasks/:taskId",
      write((found, request) => {
        const task = findTask(found.contact.id, request.params.taskId as string)
        if (task === undefined) return ghlError(404, "Task not found")
        const body = record(request.ctx.body)
        for (const key of ["title", "body", "dueDate", "assignedTo"] as const)
          if (typeof body[key] === "string") task[key] = body[key] as string
        if (typeof body.completed === "boolean") task.completed = body.completed
        return json(200, { task })
      }),
    )
    .add(
      "PUT",
      "/contacts/:contactId/tasks/:taskId/completed",
      write((found, request) => {
        const task = findTask(found.contact.id, request.params.taskId as string)
        if (task === undefined) return ghlError(404, "Task not found")
        const body = record(request.ctx.body)
        if (typeof body.completed !== "boolean") return unprocessable(["completed must be a boolean value"])
        task.completed = body.completed
        return json(200, { task })
      }),
    )
    .add(
      "DELETE",
      "/contacts/:contactId/tasks/:taskId",
      write((found, request) => {
        const list = tasks.get(found.contact.id) ?? []
        const at = list.findIndex((task) => task.id === request.params.taskId)
        if (at < 0) return ghlError(404, "Task not found")
        list.splice(at, 1)
        return succeeded()
      }),
    )

  // Followers, campaigns, workflows, appointments
  router
    .add(
      "POST",
      "/contacts/:contactId/followers",
      write((found, request) => {
        const list = stringArray(record(request.ctx.body).followers)
        if (list === undefined) return unprocessable(["followers must be an array"])
        const set = setOf(followers, found.contact.id)
        const added = list.filter((id) => !set.has(id))
        for (const id of added) set.add(id)
        return json(201, { followers: [...set], followersAdded: added })
      }),
    )
    .add(
      "DELETE",
      "/contacts/:contactId/followers",
      write((found, request) => {
        const list = stringArray(record(request.ctx.body).followers)
        if (list === undefined) return unprocessable(["followers must be an array"])
        const set = setOf(followers, found.contact.id)
        const removed = list.filter((id) => set.delete(id))
        return json(200, { followers: [...set], followersRemoved: removed })
      }),
    )
    .add("POST", "/contacts/:contactId/campaigns/:campaignId", membership(campaigns, "campaignId", "add", 201))
    .add(
      "DELETE",
      "/contacts/:contactId/campaigns/removeAll",
      write((found) => {
        campaigns.delete(found.contact.id)
        return succeeded()
      }),
    )
    .add("DELETE", "/contacts/:contactId/campaigns/:campaignId", membership(campaigns, "campaignId", "delete"))
    .add("POST", "/contacts/:contactId/workflow/:workflowId", membership(workflows, "workflowId", "add"))
    .add("DELETE", "/contacts/:contactId/workflow/:workflowId", membership(workflows, "workflowId", "delete"))
    .add(
      "GET",
      "/contacts/:contactId/appointments",
      read(() => json(200, { events: [] })),
    )
    .add("GET", "/contacts/search/duplicate", {
      auth: "api",
      access: "location",
      scope: "contacts.readonly",
      handle: ({ ctx, principal }) => {
        const locationId = ctx.query.get("locationId")
        if (locationId === null || locationId === "") return unprocessable(["locationId should not be empty"])
        if (locationId !== principal.locationId) return noLocationAccess()
        const email = ctx.query.get("email")
        const number = ctx.query.get("number")
        const match =
          (email ? store.findByEmail(email)[0] : undefined) ?? (number ? store.findByPhone(number)[0] : undefined)
        return json(200, { contact: match === undefined ? null : match.contact, traceId: newId() })
      },
    })
}

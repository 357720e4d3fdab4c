/**
 * Conversations and messages: one conversation per contact, created on demand or by the first
 * outbound message. Messages page newest first with `lastMessageId` and `nextPage`.
 */
import { randomBytes } from "node:crypto"
import type { SandboxClock } from "@crmkit/sandbox/clock"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { GhlContactStore } from "./contactStore.ts"
import { ghlError, noLocationAccess, unprocessable } from "./errors.ts"
import { locationRoute } from "./routes.ts"
import type { GhlApiRequest, GhlRoute } from "./types.ts"

export const GHL_MESSAGES_DEFAULT_LIMIT = 20
const SEND_TYPES = new Set(["SMS", "Email", "WhatsApp", "Live_Chat", "Custom"])

interface Conversation {
  id: string
  contactId: string
  locationId: string
  deleted: boolean
  inbox: boolean
  type: number
  unreadCount: number
  dateAdded: number
  dateUpdated: number
  lastMessageDate?: number
  lastMessageBody?: string
  lastMessageType?: string
}

interface Message {
  id: string
  conversationId: string
  contactId: string
  locationId: string
  type: number
  messageType: string
  direction: "outbound" | "inbound"
  status: string
  body: string
  dateAdded: string
  subject?: string
}

const newId = () => randomBytes(15).toString("base64url").replace(/[-_]/g, "x").slice(0, 20)
const record = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {}
const TYPE_CODES: Readonly<Record<string, number>> = { SMS: 2, Email: 3, WhatsApp: 19, Live_Chat: 11, Custom: 33 }

export function registerConversations(router: Router<GhlRoute>, contacts: GhlContactStore, clock: SandboxClock): void {
  const locationId = contacts.locationId
  const conversations = new Map<string, Conversation>()
  const messages = new Map<string, Message[]>()
  const route = locationRoute
  const byContact = (contactId: string) => [...conversations.values()].find((c) => c.contactId === contactId)
  const open = (contactId: string): Conversation => {
    const existing = byContact(contactId)
    if (existing !== undefined) return existing
    const now = clock.now()
    const conversation: Conversation = {
      id: newId(),
      contactId,
      locationId,
      deleted: false,
      inbox: true,
      type: 1,
      unreadCount: 0,
      dateAdded: now,
      dateUpdated: now,
    }
    conversations.set(conversation.id, conversation)
    messages.set(conversation.id, [])
    return conversation
  }
  const findConversation = (request: GhlApiRequest): Conversation | SandboxResponse => {
    const found = conversations.get(request.params.conversationId as string)
    if (found === undefined) return ghlError(404, "Conversation not found")
    if (found.locationId !== request.principal.locationId) return noLocationAccess()
    return found
  }
  const isResponse = (value: object): value is SandboxResponse =>
    typeof (value as { status?: unknown }).status === "number"

  router
    .add(
      "GET",
      "/conversations/search",
      route("conversations.readonly", ({ ctx, principal }) => {
        const asked = ctx.query.get("locationId")
        if (!asked) return unprocessable(["locationId should not be empty"])
        if (asked !== principal.locationId) return noLocationAccess()
        const contactId = ctx.query.get("contactId")
        const limit = Number(ctx.query.get("limit") ?? 20)
        const found = [...conversations.values()]
          .filter((c) => !contactId || c.contactId === contactId)
          .sort((a, b) => (b.lastMessageDate ?? b.dateUpdated) - (a.lastMessageDate ?? a.dateUpdated))
        // The spec types `type` as a string here ("TYPE_PHONE") but as a number on GET /conversations/{id}.
        const listed = found.slice(0, limit).map((c) => ({ ...c, type: "TYPE_PHONE" }))
        return json(200, { conversations: listed, total: found.length })
      }),
    )
    .add(
      "POST",
      "/conversations/",
      route("conversations.write", ({ ctx, principal }) => {
        const body = record(ctx.body)
        const problems: string[] = []
        if (typeof body.locationId !== "string" || body.locationId === "")
          problems.push("locationId should not be empty")
        if (typeof body.contactId !== "string" || body.contactId === "") problems.push("contactId should not be empty")
        if (problems.length > 0) return unprocessable(problems)
        if (body.locationId !== principal.locationId) return noLocationAccess()
        if (contacts.find(body.contactId as string) === undefined) return ghlError(400, "Contact not found")
        if (byContact(body.contactId as string) !== undefined)
          return ghlError(400, "Conversation already exists", {
            extra: { conversationId: byContact(body.contactId as string)?.id },
          })
        const conversation = open(body.contactId as string)
        return json(201, {
          success: true,
          conversation: { ...conversation, lastMessageDate: conversation.lastMessageDate ?? conversation.dateAdded },
        })
      }),
    )
    .add(
      "GET",
      "/conversations/:conversationId",
      route("conversations.readonly", (request) => {
        const found = findConversation(request)
        return isResponse(found) ? found : json(200, found)
      }),
    )
    .add(
      "GET",
      "/conversations/:conversationId/messages",
      route("conversations/message.readonly", (request) => {
        const found = findConversation(request)
        if (isResponse(found)) return found
        const limit = Number(request.ctx.query.get("limit") ?? GHL_MESSAGES_DEFAULT_LIMIT)
        if (!Number.isInteger(limit) || limit < 1 || limit > 100)
          return unprocessable(["limit must not be greater than 100"])
        const newestFirst = [...(messages.get(found.id) ?? [])].reverse()
        const lastMessageId = request.ctx.query.get("lastMessageId")
        const start = lastMessageId ? newestFirst.findIndex((m) => m.id === lastMessageId) + 1 : 0
        const page = newestFirst.slice(start, start + limit)
        return json(200, {
          lastMessageId: page.at(-1)?.id ?? null,
          nextPage: start + page.length < newestFirst.length,
          messages: page,
        })
      }),
    )
    .add(
      "POST",
      "/conversations/messages",
      route("conversations/message.write", ({ ctx, principal }) => {
        const body = record(ctx.body)
        const problems: string[] = []
        if (!SEND_TYPES.has(body.type as string)) problems.push("type must be a valid enum value")
        if (typeof body.contactId !== "string" || body.contactId === "") problems.push("contactId should not be empty")
        if (body.type === "Email" && typeof body.html !== "string" && typeof body.message !== "string")
          problems.push("html or message should not be empty")
        if (body.type === "Email" && typeof body.subject !== "string") problems.push("subject should not be empty")
        if (body.type !== "Email" && typeof body.message !== "string") problems.push("message should not be empty")
        if (problems.length > 0) return unprocessable(problems)
        const contact = contacts.find(body.contactId as string)
        if (contact === undefined) return ghlError(400, "Contact not found")
        if (contact.contact.locationId !== principal.locationId) return noLocationAccess()
        if (body.type === "SMS" && !contact.contact.phone) return ghlError(400, "Contact has no phone number")
        if (body.type === "Email" && !contact.contact.email) return ghlError(400, "Contact has no email address")
        const conversation = open(contact.contact.id)
        const now = clock.now()
        const text = (body.message ?? body.html) as string
        const message: Message = {
          id: newId(),
          conversationId: conversation.id,
          contactId: contact.contact.id,
          locationId,
          type: TYPE_CODES[body.type as string] ?? 0,
          messageType: `TYPE_${String(body.type).toUpperCase()}`,
          direction: "outbound",
          status: "pending",
          body: text,
          dateAdded: new Date(now).toISOString(),
          ...(typeof body.subject === "string" ? { subject: body.subject } : {}),
        }
        messages.get(conversation.id)?.push(message)
        conversation.lastMessageDate = now
        conversation.lastMessageBody = text
        conversation.lastMessageType = message.messageType
        conversation.dateUpdated = now
        return json(201, {
          conversationId: conversation.id,
          messageId: message.id,
          ...(body.type === "Email" ? { emailMessageId: message.id } : {}),
          msg: "Message queued successfully.",
        })
      }),
    )
    .add(
      "GET",
      "/conversations/messages/:id",
      route("conversations/message.readonly", ({ params, principal }) => {
        for (const list of messages.values()) {
          const found = list.find((m) => m.id === params.id)
          if (found === undefined) continue
          return found.locationId === principal.locationId ? json(200, found) : noLocationAccess()
        }
        return ghlError(404, "Message not found")
      }),
    )
}

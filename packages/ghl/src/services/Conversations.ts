/** Conversations and messages: search, read, create, page through messages, send SMS and email. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import type { GhlClient } from "../GhlClient.ts"
import { type Body, type Input, location, type Output, send, streamAll } from "./internal.ts"

type R<K extends Parameters<typeof send>[0]> = Effect.Effect<Output<K>, CrmError, GhlClient>

export type SearchQuery = Omit<Input<"search-conversation">, "locationId"> & { readonly locationId?: string }

export const search = (query: SearchQuery = {}): R<"search-conversation"> =>
  Effect.flatMap(location(query.locationId), (locationId) =>
    send("search-conversation", { ...query, locationId } as Input<"search-conversation">),
  )

export const get = (conversationId: string): R<"get-conversation"> => send("get-conversation", { conversationId })

export const create = (contactId: string, locationId?: string): R<"create-conversation"> =>
  Effect.flatMap(location(locationId), (id) => send("create-conversation", { body: { locationId: id, contactId } }))

/** One page of messages, newest first; pass the previous page's `lastMessageId` for the next. */
export const messages = (
  conversationId: string,
  options: { readonly lastMessageId?: string; readonly limit?: number } = {},
): R<"get-messages"> => send("get-messages", { conversationId, ...options } as Input<"get-messages">)

export type Message = NonNullable<Output<"get-messages">["messages"]>[number]

/** Every message of a conversation, newest first, following `lastMessageId` while `nextPage` is true. */
export const allMessages = (
  conversationId: string,
  options: { readonly pageSize?: number | undefined } = {},
): Stream.Stream<Message, CrmError, GhlClient> =>
  streamAll<Message>("get-messages", { conversationId }, options.pageSize ?? 50)

export const getMessage = (id: string): R<"get-message"> => send("get-message", { id })

export type SendBody = Body<"send-a-new-message">

/** Sends any message type (`type`: SMS, Email, WhatsApp, ...). */
export const sendMessage = (body: SendBody): R<"send-a-new-message"> => send("send-a-new-message", { body })

export const sendSms = (contactId: string, message: string, extra: Partial<SendBody> = {}): R<"send-a-new-message"> =>
  sendMessage({ ...extra, type: "SMS", contactId, message } as SendBody)

export const sendEmail = (
  contactId: string,
  email: { readonly subject: string; readonly html?: string; readonly message?: string } & Partial<SendBody>,
): R<"send-a-new-message"> => sendMessage({ ...email, type: "Email", contactId } as SendBody)

/** Emails (REST v2): send to contacts, list sent emails, get one with its content. */
import { type CrmError, CrmErrors } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, keapIds, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Email = S.EmailSent

/** Sends one email to each listed contact; give `html_content` and/or `plain_content`. */
export const send = (email: S.EmailSendRequest): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.gen(function* () {
    yield* keapIds("body.contacts", email.contacts)
    if (email.user_id !== undefined) yield* keapId("body.user_id", email.user_id)
    yield* Effect.asVoid(call(Ops.sendEmail, { body: email } as Ops.SendEmailInput))
  })

/** An email as people write it: the bodies in plain text (Keap wants them in Base64). */
export interface TextEmail extends Omit<S.EmailSendRequest, "html_content" | "plain_content"> {
  readonly html?: string | undefined
  readonly plain?: string | undefined
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64")

/** Sends `email` with its bodies encoded as Keap's API requires; at least one body. */
export const sendText = ({ html, plain, ...email }: TextEmail): Effect.Effect<void, CrmError, KeapClient> =>
  html === undefined && plain === undefined
    ? Effect.fail(
        CrmErrors.invalidInput("keap", [{ field: "body", message: "give an HTML body, a plain-text body or both" }]),
      )
    : send({
        ...email,
        ...(html === undefined ? {} : { html_content: base64(html) }),
        ...(plain === undefined ? {} : { plain_content: base64(plain) }),
      } as S.EmailSendRequest)

/** Every sent email matching `filter` (e.g. `KeapFilter.eq("contact_id", 12)`). */
export const list = (options: ListOptions = {}): Stream.Stream<Email, CrmError, KeapClient> =>
  streamAll<Email>(Ops.listEmails, listParams(options), options.pageSize)

export const get = (id: KeapId): Effect.Effect<S.EmailSentWithContent, CrmError, KeapClient> =>
  Effect.flatMap(keapId("id", id), (emailId) => call(Ops.getEmail, { id: emailId } as Ops.GetEmailInput))

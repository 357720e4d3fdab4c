import { Effect, Stream } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { Contacts, Conversations } from "../src/index.ts"
import { pitLayer, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 3, rateLimits: false })
beforeEach(() => sandbox().stats.reset())

const run = runWith(sandbox)

describe("Conversations service", () => {
  it("sends SMS and email, then reads the conversation and pages through its messages", async () => {
    const out = await run(
      Effect.gen(function* () {
        const contact = yield* Contacts.create({
          firstName: "Sam",
          email: "sam.conv@example.com",
          phone: "+15550100100",
        })
        const contactId = contact.contact?.id as string
        const sent = []
        for (let i = 0; i < 5; i++) sent.push(yield* Conversations.sendSms(contactId, `Hello ${i}`))
        const email = yield* Conversations.sendEmail(contactId, { subject: "Quote", html: "<p>Your quote</p>" })
        const conversation = yield* Conversations.get(email.conversationId as string)
        const found = yield* Conversations.search({ contactId })
        const page = yield* Conversations.messages(email.conversationId as string, { limit: 2 })
        const all = yield* Stream.runCollect(Conversations.allMessages(email.conversationId as string, { pageSize: 2 }))
        const one = yield* Conversations.getMessage(email.messageId as string)
        const again = yield* Effect.flip(Conversations.create(contactId))
        return { sent, email, conversation, found, page, all, one, again }
      }),
    )
    expect(new Set(out.sent.map((s) => s.conversationId)).size).toBe(1)
    expect(out.email.conversationId).toBe(out.sent[0]?.conversationId)
    expect(out.conversation.id).toBe(out.email.conversationId)
    expect(out.found.total).toBe(1)
    expect(out.page.messages).toHaveLength(2)
    expect(out.page.nextPage).toBe(true)
    expect(out.all.map((m) => m.body)).toEqual([
      "<p>Your quote</p>",
      "Hello 4",
      "Hello 3",
      "Hello 2",
      "Hello 1",
      "Hello 0",
    ])
    expect(sandbox().stats.route("GET /ghl/conversations/:conversationId/messages")).toBe(1 + 3)
    expect(out.one.id).toBe(out.email.messageId)
    expect(out.again.reason.message).toContain("already exists")
  })

  it("refuses a send outside the token's scopes before sending, and bad input before sending", async () => {
    const limited = pitLayer(sandbox(), { scopes: ["conversations.readonly"] })
    const refused = await run(Effect.flip(Conversations.sendSms("c1", "hi")), limited)
    expect(refused.reason._tag === "Forbidden" && refused.reason.missingScope).toBe("conversations/message.write")
    const invalid = await run(Effect.flip(Conversations.sendMessage({ type: "Pigeon", contactId: "c1" } as never)))
    expect(invalid.reason._tag).toBe("Validation")
    expect(sandbox().stats.requests).toBe(0)
  })
})

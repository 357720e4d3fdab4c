import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Businesses, Contacts, Users, Workflows } from "../src/index.ts"
import { runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 3, rateLimits: false })

const run = runWith(sandbox)

describe("Users, Workflows and Businesses services", () => {
  it("lists users and workflows, and enrols a contact in a listed workflow", async () => {
    const out = await run(
      Effect.gen(function* () {
        const users = yield* Users.list()
        const user = yield* Users.get(users.users?.[0]?.id as string)
        const { workflows } = yield* Workflows.list()
        const contact = yield* Contacts.create({ firstName: "Wil", email: "wil.flow@example.com" })
        const enrolled = yield* Contacts.addToWorkflow(contact.contact?.id as string, workflows?.[0]?.id as string)
        return { users, user, workflows, enrolled }
      }),
    )
    expect(out.users.users).toHaveLength(1)
    expect(out.user.id).toBe(sandbox().credentials.ghl.userId)
    expect(out.workflows?.map((w) => w.name)).toEqual(["Welcome series", "Nurture"])
    expect(out.enrolled.succeded).toBe(true)
  })

  it("creates, updates, lists and deletes businesses", async () => {
    const out = await run(
      Effect.gen(function* () {
        const created = yield* Businesses.create({ name: "Acme", email: "hello@acme.example.com" })
        const id = created.business?.id as string
        const updated = yield* Businesses.update(id, { website: "https://acme.example.com" })
        const listed = yield* Businesses.list()
        const removed = yield* Businesses.remove(id)
        const gone = yield* Effect.flip(Businesses.get(id))
        return { updated, listed, removed, gone }
      }),
    )
    expect(out.updated.buiseness?.website).toBe("https://acme.example.com")
    expect(out.listed.businesses?.map((b) => b.name)).toEqual(["Acme"])
    expect(out.removed.success).toBe(true)
    expect(out.gone.reason._tag).toBe("NotFound")
  })
})

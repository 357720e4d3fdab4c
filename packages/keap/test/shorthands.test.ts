/** The rules every host used to restate for Keap, now written once in the provider. */
import { type Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { Contacts, Emails, KeapActions, KeapFilter } from "../src/index.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox()
const run = runWith(sandbox)
const fail = failureOf(sandbox)

describe("contact shorthands", () => {
  it("put an email, a phone and custom fields where Keap reads them, before what the body lists", () => {
    const body = Contacts.withShorthands(
      { email: "ann@example.com", phone: "555-0100", customFields: [{ id: "7", value: "teal" }] },
      { given_name: "Ann", email_addresses: [{ email: "work@example.com", field: "EMAIL2" }] } as Contacts.ContactInput,
    )
    expect(body).toEqual({
      given_name: "Ann",
      email_addresses: [
        { email: "ann@example.com", field: "EMAIL1" },
        { email: "work@example.com", field: "EMAIL2" },
      ],
      phone_numbers: [{ number: "555-0100", field: "PHONE1" }],
      custom_fields: [{ id: "7", content: "teal" }],
    })
    expect(Contacts.withShorthands({})).toEqual({})
  })
})

describe("emails as people write them", () => {
  it("are sent with Base64 bodies, and refused before sending without any body", async () => {
    await run(Emails.sendText({ contacts: ["11"], subject: "Welcome", html: "<h1>Hi</h1>", plain: "Hi", user_id: "2" }))
    const [sent] = await run(Stream.runCollect(Emails.list({ filter: KeapFilter.eq("contact_id", 11) })))
    const full = await run(Emails.get(sent!.id!))
    expect(Buffer.from(String(full.html_content), "base64").toString("utf8")).toBe("<h1>Hi</h1>")
    expect(Buffer.from(String(full.plain_content), "base64").toString("utf8")).toBe("Hi")
    const before = sandbox().stats.requests
    const refused = await fail(Emails.sendText({ contacts: ["11"], subject: "Empty" }))
    expect(refused.reason._tag).toBe("Validation")
    expect(sandbox().stats.requests).toBe(before)
  })

  it("the emails send action is the same rule for every host", async () => {
    const action = KeapActions.actions.find((a) => a.resource === "emails" && a.name === "send")!
    expect(action.operations).toEqual(["sendEmail"])
    const result = await run(
      (action.run as (input: unknown) => Effect.Effect<unknown, never, never>)({
        contact: ["12"],
        subject: "Hello",
        plain: "Plain words",
      }),
    )
    expect(result).toEqual({ sent: true, contacts: ["12"] })
    const [sent] = await run(Stream.runCollect(Emails.list({ filter: KeapFilter.eq("contact_id", 12) })))
    expect(Buffer.from(String((await run(Emails.get(sent!.id!))).plain_content), "base64").toString()).toBe(
      "Plain words",
    )
  })
})

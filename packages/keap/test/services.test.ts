import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { Contacts, KeapFilter, Notes, Tags, Tasks } from "../src/index.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox()
const run = runWith(sandbox)
const fail = failureOf(sandbox)
const fieldsOf = (error: { reason: { _tag: string } }) =>
  error.reason._tag === "Validation"
    ? (error.reason as { fields: ReadonlyArray<{ field: string }> }).fields.map((f) => f.field)
    : []

describe("Contacts", () => {
  it("gets, and refuses a non-numeric id before sending", async () => {
    const contact = await run(Contacts.get(5, { fields: ["custom_fields"] }))
    expect(contact.id).toBe("5")
    const before = sandbox().stats.route("GET /keap/crm/rest/v2/contacts/:id")
    const error = await fail(Contacts.get("5; DROP"))
    expect(fieldsOf(error)).toEqual(["contact_id"])
    expect(error.message).toContain("numeric Keap id")
    expect(sandbox().stats.route("GET /keap/crm/rest/v2/contacts/:id")).toBe(before)
    expect((await fail(Contacts.get(999_999))).reason._tag).toBe("NotFound")
  })

  it("lists every page with a filter and an order", async () => {
    const all = await run(Stream.runCollect(Contacts.list({ pageSize: 11 })))
    expect(all).toHaveLength(60)
    const first = all[0]!
    const given = first.given_name as string
    const matching = await run(
      Stream.runCollect(
        Contacts.list({
          filter: KeapFilter.startsWith("given_name", given.slice(0, 2)),
          orderBy: { field: "id", direction: "desc" },
          pageSize: 2,
        }),
      ),
    )
    expect(matching.length).toBeGreaterThan(0)
    for (const c of matching)
      expect((c.given_name as string).toLowerCase().startsWith(given.slice(0, 2).toLowerCase())).toBe(true)
    const ids = matching.map((c) => Number(c.id))
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    // Characters that matter to a query string, not to the filter syntax, survive the round trip.
    const odd = await run(
      Contacts.create({
        given_name: "Odd",
        email_addresses: [{ email: "amp&plus+x%41@example.com", field: "EMAIL1" }],
      }),
    )
    const byEmail = await run(
      Stream.runCollect(Contacts.list({ filter: KeapFilter.eq("email", "amp&plus+x%41@example.com") })),
    )
    expect(byEmail.map((c) => c.id)).toEqual([odd.id])
    const injected = await fail(Stream.runCollect(Contacts.list({ filter: KeapFilter.eq("given_name", "x;id>0") })))
    expect(fieldsOf(injected)).toEqual(["filter.given_name"])
  })

  it("creates, with duplicate checking, and refuses a malformed email naming the field", async () => {
    const body = {
      given_name: "Dana",
      family_name: "Ruiz",
      email_addresses: [{ email: "dana@example.com", field: "EMAIL1" as const }],
    }
    const created = await run(Contacts.create(body))
    expect(created.id).toMatch(/^\d+$/)
    const again = await run(Contacts.create({ ...body, job_title: "CTO" }, { duplicateOption: "Email" }))
    expect(again.id).toBe(created.id)
    expect(again.job_title).toBe("CTO")
    const error = await fail(Contacts.create({ email_addresses: [{ email: "not-an-email", field: "EMAIL1" }] }))
    expect(fieldsOf(error)).toEqual(["body.email_addresses.0.email"])
  })

  it("updates properties and custom fields, merges, deletes, and reads the model", async () => {
    const a = await run(
      Contacts.create({ given_name: "Eve", email_addresses: [{ email: "eve@example.com", field: "EMAIL1" }] }),
    )
    const b = await run(
      Contacts.create({ family_name: "Dup", email_addresses: [{ email: "eve2@example.com", field: "EMAIL2" }] }),
    )
    const updated = await run(Contacts.update(a.id!, { job_title: "Engineer" }, { updateMask: ["job_title"] }))
    expect(updated.job_title).toBe("Engineer")
    expect(updated.given_name).toBe("Eve")
    const model = await run(Contacts.model())
    const fieldId = model.custom_fields?.[0]?.id as string
    expect(fieldId).toMatch(/^\d+$/)
    const withCustom = await run(Contacts.setCustomFields(a.id!, [{ id: fieldId, content: "green" }]))
    expect(withCustom.custom_fields).toEqual([{ id: fieldId, content: "green" }])
    expect(fieldsOf(await fail(Contacts.setCustomFields(a.id!, [{ id: "color", content: 1 }])))).toEqual([
      "custom_fields.0.id",
    ])
    const merged = await run(Contacts.merge(a.id!, b.id!))
    expect(merged.id).toBe(a.id)
    expect(merged.family_name).toBe("Dup")
    expect(merged.email_addresses?.map((e) => e.email)).toEqual(["eve@example.com", "eve2@example.com"])
    expect((await fail(Contacts.get(b.id!))).reason._tag).toBe("NotFound")
    expect(fieldsOf(await fail(Contacts.merge(a.id!, "abc")))).toEqual(["duplicate_contact_id"])
    await run(Contacts.remove(a.id!))
    expect((await fail(Contacts.get(a.id!))).reason._tag).toBe("NotFound")
    expect((await fail(Contacts.remove(a.id!))).reason._tag).toBe("NotFound")
  })
})

describe("Tags", () => {
  it("lists, creates, and refuses a duplicate name with Conflict", async () => {
    const seeded = await run(Stream.runCollect(Tags.list({ pageSize: 2 })))
    expect(seeded.length).toBeGreaterThan(2)
    const tag = await run(Tags.create({ name: "Gold Member", description: "top" }))
    expect(tag.id).toMatch(/^\d+$/)
    expect((await run(Tags.get(tag.id!))).name).toBe("Gold Member")
    const vip = await run(Stream.runCollect(Tags.list({ filter: KeapFilter.startsWith("name", "gold") })))
    expect(vip.map((t) => t.name)).toEqual(["Gold Member"])
    expect((await fail(Tags.create({ name: "gold member" }))).reason._tag).toBe("Conflict")
  })

  it("applies to and removes from many contacts", async () => {
    const tag = await run(Tags.create({ name: "Webinar" }))
    const applied = await run(Tags.applyToContacts(tag.id!, [1, "2", 3]))
    expect(applied.results).toEqual({ "1": "SUCCESS", "2": "SUCCESS", "3": "SUCCESS" })
    expect((await run(Contacts.get(2))).tag_ids).toContain(tag.id)
    await run(Tags.removeFromContacts(tag.id!, [2]))
    expect((await run(Contacts.get(2))).tag_ids).not.toContain(tag.id)
    expect((await run(Contacts.get(3))).tag_ids).toContain(tag.id)
    expect(fieldsOf(await fail(Tags.applyToContacts(tag.id!, [1, "x"])))).toEqual(["contact_ids.1"])
    expect(fieldsOf(await fail(Tags.applyToContacts(tag.id!, [])))).toEqual(["contact_ids"])
    expect((await fail(Tags.applyToContacts(987654, [1]))).reason._tag).toBe("NotFound")
  })
})

describe("Tasks", () => {
  it("creates, lists by contact, completes, and deletes", async () => {
    const task = await run(
      Tasks.create({ title: "Call back", assigned_to_user_id: "1", contact_id: "4", priority: "ESSENTIAL" }),
    )
    expect(task).toMatchObject({ title: "Call back", contact_id: "4", completed: false })
    await run(Tasks.create({ title: "Other", assigned_to_user_id: "2", contact_id: "5" }))
    const forContact = await run(Stream.runCollect(Tasks.list({ filter: KeapFilter.eq("contact_id", 4) })))
    expect(forContact.map((t) => t.id)).toEqual([task.id])
    const done = await run(Tasks.complete(task.id!, new Date(Date.UTC(2026, 5, 1))))
    expect(done).toMatchObject({ completed: true, completion_time: "2026-06-01T00:00:00.000Z" })
    expect((await run(Tasks.get(task.id!))).completed).toBe(true)
    await run(Tasks.remove(task.id!))
    expect((await fail(Tasks.get(task.id!))).reason._tag).toBe("NotFound")
  })

  it("refuses bad input locally and reports the sandbox's field errors", async () => {
    expect(fieldsOf(await fail(Tasks.create({ title: "x", assigned_to_user_id: "me" })))).toEqual([
      "body.assigned_to_user_id",
    ])
    expect(
      fieldsOf(await fail(Tasks.create({ title: "x", assigned_to_user_id: "1", priority: "URGENT" as "CRITICAL" }))),
    ).toEqual(["body.priority"])
    const unknownUser = await fail(Tasks.create({ title: "x", assigned_to_user_id: "77" }))
    expect(unknownUser.reason.status).toBe(400)
    expect(fieldsOf(unknownUser)).toEqual(["assigned_to_user_id"])
  })
})

describe("Notes", () => {
  it("adds, lists, updates and deletes a contact's notes", async () => {
    const note = await run(Notes.create(6, { user_id: "1", title: "Met at expo", text: "Wants a demo" }))
    expect(note).toMatchObject({ title: "Met at expo", contact_id: "6" })
    await run(Notes.create(6, { user_id: "2", text: "Follow-up sent" }))
    const notes = await run(Stream.runCollect(Notes.list(6, { pageSize: 1 })))
    expect(notes.map((n) => n.text)).toEqual(["Wants a demo", "Follow-up sent"])
    const updated = await run(Notes.update(6, note.id!, { user_id: "1", is_pinned: true }))
    expect(updated.is_pinned).toBe(true)
    expect((await run(Notes.get(6, note.id!))).is_pinned).toBe(true)
    await run(Notes.remove(6, note.id!))
    expect((await fail(Notes.get(6, note.id!))).reason._tag).toBe("NotFound")
    expect(fieldsOf(await fail(Notes.create("six", { user_id: "1", text: "x" })))).toEqual(["contact_id"])
    expect(
      fieldsOf(
        await fail(
          Notes.list(6).pipe(
            Stream.runCollect,
            Effect.andThen(() => Notes.get(6, "n1")),
          ),
        ),
      ),
    ).toEqual(["note_id"])
  })

  it("lists every contact's notes, by ids or by contact", async () => {
    const a = await run(Notes.create(7, { user_id: "1", text: "On contact seven" }))
    const b = await run(Notes.create(8, { user_id: "1", text: "On contact eight" }))
    const byIds = await run(Stream.runCollect(Notes.listAll({ filter: KeapFilter.oneOf("ids", [a.id!, b.id!]) })))
    expect(byIds.map((n) => n.id).sort()).toEqual([a.id, b.id].sort())
    const byContact = await run(Stream.runCollect(Notes.listAll({ filter: KeapFilter.eq("contact_id", "8") })))
    expect(byContact.map((n) => n.id)).toEqual([b.id])
  })
})

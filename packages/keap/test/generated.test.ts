import { Operation } from "@crmkit/core"
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import catalogJson from "../src/generated/catalog.json" with { type: "json" }
import { catalog } from "../src/generated/catalog.ts"
import * as Generated from "../src/generated/operations.ts"
import * as Schemas from "../src/generated/schemas.ts"

const { operations } = Generated
const all = Object.values(operations) as ReadonlyArray<Operation.Operation>

/** The `Validation` error's fields, or undefined when the input is valid. */
const invalidFields = (operation: Operation.Operation, input: unknown) =>
  Effect.runPromise(
    Operation.validate("keap", operation, input).pipe(
      Effect.match({
        onSuccess: () => undefined,
        onFailure: (error) =>
          error.reason._tag === "Validation" ? error.reason.fields : [{ field: "?", message: "?" }],
      }),
    ),
  )

describe("generated Keap operations", () => {
  it("has every v2 operation and the v1 REST hooks", () => {
    expect(catalog.filter((entry) => entry.path.startsWith("/v2/"))).toHaveLength(399)
    expect(
      catalog
        .filter((entry) => entry.path.startsWith("/v1/"))
        .map((entry) => `${entry.method} ${entry.path} ${entry.id}`)
        .sort(),
    ).toEqual([
      "DELETE /v1/hooks/{key} deleteHookSubscription",
      "GET /v1/hooks listHookSubscriptions",
      "GET /v1/hooks/event_keys listHookEventTypes",
      "GET /v1/hooks/{key} getHookSubscription",
      "POST /v1/hooks createHookSubscription",
      "POST /v1/hooks/{key}/delayedVerify delayedVerifyHookSubscription",
      "POST /v1/hooks/{key}/verify verifyHookSubscription",
      "PUT /v1/hooks/{key} updateHookSubscription",
    ])
    expect(catalog).toHaveLength(407)
    expect(all).toHaveLength(catalog.length)
  })

  it("has unique ids, and the catalog matches the operations", () => {
    const ids = catalog.map((entry) => entry.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(Object.keys(operations).sort()).toEqual([...ids].sort())
    for (const entry of catalog) {
      const { input, output, ...descriptor } = operations[entry.id as keyof typeof operations] as Operation.Operation
      expect(Schema.isSchema(input)).toBe(true)
      expect(Schema.isSchema(output)).toBe(true)
      expect(descriptor).toEqual(entry)
    }
    expect(catalogJson).toEqual(catalog)
  })

  it("describes every operation", () => {
    for (const entry of catalog) {
      expect(entry.id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/)
      expect(["GET", "POST", "PUT", "PATCH", "DELETE"]).toContain(entry.method)
      expect(entry.path).toMatch(/^\/v[12]\//)
      expect(entry.summary.length).toBeGreaterThan(0)
      expect(entry.resource).toMatch(/^[a-z][a-z0-9-]*$/)
      expect(entry.access).toBe(entry.method === "GET" ? "read" : "write")
      expect(entry.idempotent).toBe(["GET", "PUT", "DELETE"].includes(entry.method))
      for (const parameter of entry.parameters) {
        if (parameter.in === "path") expect(entry.path).toContain(`{${parameter.name}}`)
      }
      // Keap needs no fixed headers and its spec declares no scopes.
      expect(entry.headers).toBeUndefined()
      expect(entry.scopes).toBeUndefined()
    }
  })

  it("lists contacts with cursor pagination", () => {
    expect(Generated.listContacts).toMatchObject({
      id: "listContacts",
      method: "GET",
      path: "/v2/contacts",
      resource: "contact",
      access: "read",
      idempotent: true,
      hasBody: false,
      pagination: {
        style: "cursor-token",
        items: "contacts",
        params: { tokenParam: "page_token", nextToken: "next_page_token", sizeParam: "page_size" },
      },
    })
    const paginated = catalog.filter((entry) => entry.pagination !== undefined)
    expect(paginated.length).toBeGreaterThanOrEqual(50)
    for (const entry of catalog) {
      if (entry.parameters.some((parameter) => parameter.name === "page_token")) {
        expect(entry.pagination?.style, entry.id).toBe("cursor-token")
      }
    }
  })

  it("describes the REST hooks", () => {
    expect(Generated.createHookSubscription).toMatchObject({
      method: "POST",
      path: "/v1/hooks",
      resource: "hooks",
      hasBody: true,
      bodyRequired: true,
    })
    expect(Generated.delayedVerifyHookSubscription.parameters).toEqual([
      { name: "key", in: "path", required: true },
      { name: "X-Hook-Secret", in: "header", required: true },
    ])
  })

  it("refuses bad input, naming the field", async () => {
    expect(await invalidFields(Generated.getContact, { contact_id: "42" })).toBeUndefined()
    expect(await invalidFields(Generated.getContact, {})).toEqual([{ field: "contact_id", message: "Missing key" }])
    expect(await invalidFields(Generated.createHookSubscription, { body: { hookUrl: "https://example.com" } })).toEqual(
      [{ field: "body.eventKey", message: "Missing key" }],
    )
    const contact = { given_name: "Ann", email_addresses: [{ email: "ann@example.com", field: "EMAIL1" }] }
    expect(await invalidFields(Generated.createContact, { body: contact })).toBeUndefined()
    expect(
      await invalidFields(Generated.createContact, {
        body: { ...contact, email_addresses: [{ email: "not-an-email", field: "EMAIL1" }] },
      }),
    ).toEqual([{ field: "body.email_addresses.0.email", message: "Expected an email address" }])
    expect(await invalidFields(Generated.createContact, { body: { ...contact, favourite_colour: "blue" } })).toEqual([
      { field: "body.favourite_colour", message: "Expected no excess property" },
    ])
    expect(await invalidFields(Generated.listContacts, { page_size: 5000 })).toEqual([
      { field: "page_size", message: expect.stringContaining("1000") },
    ])
  })

  it("decodes responses leniently, keeping unknown fields", async () => {
    const body = {
      contacts: [{ id: "1", given_name: "Ann", email_addresses: null, brand_new_field: { nested: true } }],
      next_page_token: "abc",
      unexpected: 1,
    }
    const decoded = await Effect.runPromise(Schema.decodeUnknownEffect(Generated.listContacts.output)(body))
    expect(decoded).toEqual(body)
    const contact = await Effect.runPromise(Schema.decodeUnknownEffect(Schemas.Contact)({ id: "1", extra: [1, 2] }))
    expect(contact).toEqual({ id: "1", extra: [1, 2] })
  })

  it("builds requests relative to https://api.infusionsoft.com/crm/rest", () => {
    const request = Operation.toRequest(Generated.getContact, { contact_id: "a/b", fields: ["id", "email_addresses"] })
    expect(request).toMatchObject({
      method: "GET",
      path: "/v2/contacts/a%2Fb",
      query: { fields: "id,email_addresses" },
      idempotent: true,
      operation: "getContact",
    })
  })

  it("sends an `explode: false` list as one comma-separated value, and an empty list not at all", () => {
    const task = { body: { assigned_to_user_id: "1" } }
    const listed = Operation.toRequest(Generated.createTask, { ...task, fields: ["custom_fields", "id"] })
    expect(listed.query).toEqual({ fields: "custom_fields,id" })
    expect(Operation.toRequest(Generated.createTask, { ...task, fields: [] }).query).toEqual({})
  })
})

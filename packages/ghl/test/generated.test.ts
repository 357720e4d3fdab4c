import { readdirSync } from "node:fs"
import * as path from "node:path"
import { Operation } from "@crmkit/core"
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import catalogJson from "../src/generated/catalog.json" with { type: "json" }
import { catalog } from "../src/generated/catalog.ts"
import * as Generated from "../src/generated/operations.ts"
import * as Schemas from "../src/generated/schemas.ts"

const { operations } = Generated
const byId = new Map(catalog.map((entry) => [entry.id, entry]))
const specsDir = path.join(import.meta.dirname, "../../../../shared/specs/ghl/apps")

const invalidFields = (operation: Operation.Operation, input: unknown) =>
  Effect.runPromise(
    Operation.validate("ghl", operation, input).pipe(
      Effect.match({
        onSuccess: () => undefined,
        onFailure: (error) =>
          error.reason._tag === "Validation" ? error.reason.fields : [{ field: "?", message: "?" }],
      }),
    ),
  )

describe("generated GoHighLevel operations", () => {
  it("has the 576 operations of the 41 apps/*.json specs", () => {
    const specs = readdirSync(specsDir).filter((file) => file.endsWith(".json"))
    expect(specs).toHaveLength(41)
    expect(new Set(catalog.map((entry) => entry.resource))).toEqual(new Set(specs.map((file) => file.slice(0, -5))))
    expect(catalog).toHaveLength(576)
    expect(Object.keys(operations)).toHaveLength(576)
  })

  it("has unique ids, prefixing the ids that several spec files use", () => {
    const ids = catalog.map((entry) => entry.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.filter((id) => id.includes(".")).sort()).toEqual([
      "associations.create-association",
      "contacts.create-association",
      "conversation-ai.create-action",
      "conversation-ai.create-agent",
      "conversation-ai.delete-action",
      "conversation-ai.delete-agent",
      "conversation-ai.get-agent",
      "conversation-ai.update-action",
      "custom-fields.create-custom-field",
      "custom-fields.delete-custom-field",
      "custom-fields.update-custom-field",
      "invoices.list-invoices",
      "locations.create-custom-field",
      "locations.delete-custom-field",
      "locations.update-custom-field",
      "products.list-invoices",
      "voice-ai.create-action",
      "voice-ai.create-agent",
      "voice-ai.delete-action",
      "voice-ai.delete-agent",
      "voice-ai.get-agent",
      "voice-ai.update-action",
    ])
    for (const id of ids.filter((candidate) => candidate.includes("."))) {
      expect(byId.get(id)?.resource).toBe(id.split(".")[0])
    }
  })

  it("matches the catalog, and describes every operation", () => {
    expect(catalogJson).toEqual(catalog)
    for (const entry of catalog) {
      const { input, output, ...descriptor } = operations[entry.id as keyof typeof operations] as Operation.Operation
      expect(Schema.isSchema(input)).toBe(true)
      expect(Schema.isSchema(output)).toBe(true)
      expect(descriptor).toEqual(entry)
      expect(entry.summary.length).toBeGreaterThan(0)
      expect(entry.path.startsWith("/")).toBe(true)
      expect(entry.access).toBe(entry.method === "GET" ? "read" : "write")
      // Version is a fixed header, Authorization comes from the credentials: neither is an input.
      expect(entry.parameters.map((parameter) => parameter.name)).not.toContain("Version")
      expect(entry.parameters.map((parameter) => parameter.name)).not.toContain("Authorization")
      if (entry.headers !== undefined) expect(Object.keys(entry.headers)).toEqual(["Version"])
      for (const kind of entry.tokenKinds ?? [])
        expect(["Location", "Location-PIT", "Agency", "Agency-PIT"]).toContain(kind)
    }
    expect(catalog.filter((entry) => entry.headers?.Version === "2021-07-28").length).toBeGreaterThan(350)
    expect(catalog.filter((entry) => entry.headers?.Version === "2021-04-15").length).toBeGreaterThan(100)
  })

  it("describes contact search with its patched body, Version, scopes and token kinds", () => {
    expect(byId.get("search-contacts-advanced")).toEqual({
      id: "search-contacts-advanced",
      method: "POST",
      path: "/contacts/search",
      summary: "Search Contacts",
      resource: "contacts",
      access: "write",
      idempotent: true,
      parameters: [],
      hasBody: true,
      bodyRequired: true,
      pagination: {
        style: "body-cursor",
        items: "contacts",
        params: {
          cursorParam: "searchAfter",
          itemCursor: "searchAfter",
          sizeParam: "pageLimit",
          removeWithCursor: "page",
        },
      },
      scopes: ["contacts.readonly"],
      tokenKinds: ["Location", "Location-PIT"],
      context: { locationId: ["body.locationId"] },
      headers: { Version: "2021-07-28" },
    })
    expect(Object.keys(Schemas.SearchBodyV2DTO.fields)).toEqual([
      "locationId",
      "pageLimit",
      "page",
      "searchAfter",
      "filters",
      "sort",
      "query",
    ])
  })

  it("uses each spec's Version: 2021-04-15 for calendars", () => {
    expect(Generated.getCalendars).toMatchObject({ path: "/calendars/", headers: { Version: "2021-04-15" } })
    expect(Operation.toRequest(Generated.getCalendars, { locationId: "loc" })).toMatchObject({
      headers: { Version: "2021-04-15" },
      query: { locationId: "loc" },
    })
    for (const entry of catalog.filter((candidate) => candidate.resource === "calendars")) {
      expect(entry.headers, entry.id).toEqual({ Version: "2021-04-15" })
    }
  })

  it("records token kinds, including the OAuth-only schemes", () => {
    expect(byId.get("get-installed-location")?.tokenKinds).toEqual(["Agency"])
    expect(byId.get("get-location-access-token")?.tokenKinds).toEqual(["Agency"])
    expect(byId.get("search-locations")?.tokenKinds).toEqual(["Location", "Location-PIT", "Agency", "Agency-PIT"])
    expect(byId.get("getCharges")?.tokenKinds).toEqual(["Location"])
  })

  it("detects the pagination styles", () => {
    const style = (id: string) => byId.get(id)?.pagination
    expect(style("get-contacts")).toEqual({
      style: "keyset",
      items: "contacts",
      params: {
        limitParam: "limit",
        "cursor.meta.startAfterId": "startAfterId",
        "cursor.meta.startAfter": "startAfter",
      },
    })
    expect(style("get-messages")).toMatchObject({ style: "keyset", items: "messages", params: { hasMore: "nextPage" } })
    expect(style("export-messages-by-location")).toMatchObject({
      style: "cursor-token",
      params: { tokenParam: "cursor", nextToken: "nextCursor" },
    })
    expect(style("search-users")).toMatchObject({ style: "offset-limit", params: { offsetParam: "skip" } })
    expect(style("list-invoice-schedules")).toMatchObject({ style: "offset-limit", params: { offsetParam: "offset" } })
    expect(style("get-forms-submissions")).toMatchObject({ style: "page-number", params: { sizeParam: "limit" } })
    expect(style("get-agents")).toMatchObject({ style: "page-number", params: { sizeParam: "pageSize" } })
    expect(style("task-search")).toMatchObject({ style: "offset-limit", params: { placement: "body" } })
    expect(style("search-opportunities-advanced")).toMatchObject({
      style: "page-number",
      params: { placement: "body" },
    })
    expect(catalog.filter((entry) => entry.pagination !== undefined).length).toBeGreaterThanOrEqual(60)
  })

  it("gives custom object records free-form bodies", async () => {
    const record = { locationId: "loc", properties: { name: "Buddy" }, owner: ["u1"], anything: { else: true } }
    expect(
      await invalidFields(Generated.createObjectRecord, { schemaKey: "custom_objects.pets", body: record }),
    ).toBeUndefined()
    expect(
      await invalidFields(Generated.updateObjectRecord, {
        schemaKey: "custom_objects.pets",
        id: "1",
        locationId: "loc",
        body: record,
      }),
    ).toBeUndefined()
  })

  it("refuses bad input, naming the field", async () => {
    const search = {
      locationId: "loc",
      pageLimit: 20,
      filters: [{ group: "OR", filters: [{ field: "tags", operator: "eq", value: "vip" }] }],
    }
    expect(await invalidFields(Generated.searchContactsAdvanced, { body: search })).toBeUndefined()
    expect(await invalidFields(Generated.searchContactsAdvanced, { body: { pageLimit: 20 } })).toEqual([
      { field: "body.locationId", message: "Missing key" },
    ])
    expect(await invalidFields(Generated.searchContactsAdvanced, { body: { ...search, pageLimit: 1000 } })).toEqual([
      { field: "body.pageLimit", message: expect.stringContaining("500") },
    ])
    expect(
      await invalidFields(Generated.createContact, { body: { locationId: "loc", email: "ann@example.com" } }),
    ).toBeUndefined()
    expect(
      await invalidFields(Generated.createContact, { body: { locationId: "loc", email: "ann at example" } }),
    ).toEqual([{ field: "body.email", message: "Expected an email address" }])
    expect(await invalidFields(Generated.createContact, { body: { locationId: "loc", nickname: "A" } })).toEqual([
      { field: "body.nickname", message: "Expected no excess property" },
    ])
    expect(await invalidFields(Generated.getCalendars, { locationId: "loc", Version: "2021-04-15" })).toEqual([
      { field: "Version", message: "Expected no excess property" },
    ])
  })

  it("decodes responses leniently, keeping unknown fields", async () => {
    const body = {
      contacts: [{ id: "c1", email: null, searchAfter: [1700000000000, "c1"], customFieldX: "x" }],
      total: 1,
      traceId: "t",
      somethingNew: { a: 1 },
    }
    const decoded = await Effect.runPromise(Schema.decodeUnknownEffect(Generated.searchContactsAdvanced.output)(body))
    expect(decoded).toEqual(body)
  })
})

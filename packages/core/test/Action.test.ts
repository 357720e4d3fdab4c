import { Effect, Schema, Stream } from "effect"
import { describe, expect, it } from "vitest"
import * as Action from "../src/Action.ts"

const ApplyTag = Schema.Struct({
  tag: Schema.String.annotate({ description: "The tag id" }),
  contacts: Schema.Array(Schema.String).annotate({ description: "Contact ids" }),
  limit: Schema.optional(Schema.Int.annotate({ description: "At most" })),
  pinned: Schema.optionalKey(Schema.Boolean),
  status: Schema.optional(Schema.Literals(["open", "won"])),
  customFields: Schema.optional(Schema.Array(Schema.Struct({ id: Schema.String, value: Schema.Unknown }))),
  note: Schema.optionalKey(Schema.NullOr(Schema.String)),
})

const apply = Action.single({
  resource: "tags",
  name: "apply",
  description: "Apply a tag",
  access: "write",
  input: ApplyTag,
  run: (input: typeof ApplyTag.Type) => Effect.succeed(input.contacts.length),
})

describe("Action", () => {
  it("describes the input Schema as plain fields: types, lists, choices, JSON, required, help", () => {
    expect(Action.fields(ApplyTag)).toEqual([
      { name: "tag", type: "string", required: true, description: "The tag id" },
      { name: "contacts", type: "list", items: "string", required: true, description: "Contact ids" },
      { name: "limit", type: "integer", required: false, description: "At most" },
      { name: "pinned", type: "boolean", required: false },
      { name: "status", type: "string", required: false, choices: ["open", "won"] },
      // A list of objects is given whole, as JSON.
      { name: "customFields", type: "json", required: false },
      { name: "note", type: "string", required: false },
    ])
    const stream = Action.stream({
      resource: "tags",
      name: "list",
      description: "Every tag",
      access: "read",
      input: Schema.Struct({}),
      run: () => Stream.make(1, 2),
    })
    expect(Action.describe(stream)).toMatchObject({ resource: "tags", name: "list", streams: true, fields: [] })
    expect(Action.describe(apply)).toMatchObject({ streams: false, access: "write" })
  })

  it("refuses bad input naming every bad field, and unknown fields", async () => {
    const error = await Effect.runPromise(
      Effect.flip(Action.decodeInput("keap", apply, { tag: 12, contacts: "1", extra: true })),
    )
    expect(error.reason._tag).toBe("Validation")
    const fields = error.reason._tag === "Validation" ? error.reason.fields.map((f) => f.field).sort() : []
    expect(fields).toEqual(["contacts", "extra", "tag"])
    const ok = await Effect.runPromise(Action.decodeInput("keap", apply, { tag: "1", contacts: ["1", "2"] }))
    expect(await Effect.runPromise(apply.run(ok))).toBe(2)
  })

  it("describes its host hints and operations, and the scopes an app needs follow from them", () => {
    const create = Action.single({
      resource: "deals",
      name: "create",
      description: "Create a deal",
      access: "write",
      input: Schema.Struct({ stage: Schema.String }),
      operations: ["create-deal", "get-stages"],
      hints: { label: "Create a deal", unwrap: "deal", fields: { stage: { label: "Stage" } } },
      run: () => Effect.succeed(1),
    })
    const described = Action.describe(create)
    expect(described.hints).toEqual({ label: "Create a deal", unwrap: "deal", fields: { stage: { label: "Stage" } } })
    const catalog = [
      { id: "create-deal", scopes: ["deals.write"] },
      { id: "get-stages", scopes: ["deals.readonly", "deals.write"] },
      { id: "other", scopes: ["other.write"] },
    ]
    expect(Action.scopesOf([described], catalog)).toEqual(["deals.readonly", "deals.write"])
    expect(Action.scopesOf([Action.describe({ ...create, operations: undefined })], catalog)).toEqual([])
  })
})

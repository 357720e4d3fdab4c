import { Effect, Schema, Stream } from "effect"
import { describe, expect, it } from "vitest"
import * as Action from "../src/Action.ts"
import type * as Operation from "../src/Operation.ts"

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

describe("Action.fromOperation", () => {
  const UpdateNote = Schema.Struct({
    contactId: Schema.String,
    id: Schema.String,
    locationId: Schema.String,
    cursor: Schema.optionalKey(Schema.String),
    body: Schema.Struct({ body: Schema.String, userId: Schema.optionalKey(Schema.String) }),
  })
  const operation = (pagination?: Operation.OperationPagination) =>
    ({
      id: "update-note",
      method: "PUT",
      path: "/contacts/{contactId}/notes/{id}",
      summary: "Update a note",
      resource: "notes",
      access: "write",
      idempotent: true,
      parameters: [
        { name: "contactId", in: "path", required: true },
        { name: "id", in: "path", required: true },
        { name: "locationId", in: "query", required: true },
        { name: "cursor", in: "query", required: false },
      ],
      hasBody: true,
      bodyRequired: true,
      context: { locationId: ["locationId"] },
      ...(pagination === undefined ? {} : { pagination }),
      input: UpdateNote,
      output: Schema.Unknown,
    }) as unknown as Operation.Operation
  const sent: Array<unknown> = []
  const runner: Action.OperationRunner<never> = {
    call: (_op, input) => Effect.sync(() => sent.push(input)).pipe(Effect.as({ ok: true })),
    stream: (_op, input) => Stream.fromEffect(Effect.sync(() => sent.push(input))).pipe(Stream.as({ ok: true })),
  }

  it("one flat set of fields: parameters and body properties; what the connection fills is optional; paging is the stream's", () => {
    const action = Action.fromOperation(
      runner,
      operation({ style: "cursor-token", items: "notes", params: { tokenParam: "cursor" } }),
      {
        resource: "notes",
        name: "update",
      },
    )
    const described = Action.describe(action)
    expect(described.fields.map((f) => [f.name, f.required])).toEqual([
      ["contactId", true],
      ["id", true],
      ["locationId", false],
      ["body", true],
      ["userId", false],
    ])
    expect(described).toMatchObject({ streams: true, operations: ["update-note"], description: "Update a note" })
  })

  it("puts each field back where the operation takes it (a body property named body included)", async () => {
    sent.length = 0
    const action = Action.fromOperation(runner, operation(), { resource: "notes", name: "update" })
    const input = await Effect.runPromise(
      Action.decodeInput("test", action, { contactId: "c1", id: "n1", body: "Second" }),
    )
    expect(action._tag).toBe("Single")
    if (action._tag === "Single") await Effect.runPromise(action.run(input))
    expect(sent).toEqual([{ contactId: "c1", id: "n1", body: { body: "Second" } }])
  })
})

describe("Action.fields", () => {
  it("a Schema.Number field is a number, not JSON", () => {
    const input = Schema.Struct({ amount: Schema.Number, ratio: Schema.optional(Schema.NullOr(Schema.Number)) })
    expect(Action.fields(input).map((f) => [f.name, f.type])).toEqual([
      ["amount", "number"],
      ["ratio", "number"],
    ])
  })
})

describe("Action.atLeastOne", () => {
  it("refuses an input with none of the fields, naming them, before anything runs", async () => {
    const find = Action.single({
      resource: "contacts",
      name: "find",
      description: "Find",
      access: "read",
      input: Schema.Struct({ id: Schema.optional(Schema.String), email: Schema.optional(Schema.String) }).check(
        Action.atLeastOne(["id", "email"]),
      ),
      run: (input: { readonly id?: string | undefined; readonly email?: string | undefined }) => Effect.succeed(input),
    })
    const error = await Effect.runPromise(Effect.flip(Action.decodeInput("test", find, {})))
    expect(error.message).toContain("give at least one of: id, email")
    expect(await Effect.runPromise(Action.decodeInput("test", find, { email: "a@b.c" }))).toEqual({ email: "a@b.c" })
    expect(Action.fields(find.input).map((f) => f.name)).toEqual(["id", "email"])
  })
})

describe("Action.withSamples", () => {
  it("gives each action its own sample, the one named for it, or its resource's record for record verbs", () => {
    const get = Action.single({ ...apply, name: "get", access: "read" })
    const remove = Action.single({ ...apply, name: "delete" })
    const own = Action.single({ ...apply, name: "create", hints: { sample: { id: "own" } } })
    const [a, b, c, d] = Action.withSamples([apply, get, remove, own], {
      resources: { tags: { id: "t1", name: "Customer" } },
      actions: { "tags.apply": { id: "t1", applied: 2 } },
    })
    expect(a?.hints?.sample).toEqual({ id: "t1", applied: 2 })
    expect(b?.hints?.sample).toEqual({ id: "t1", name: "Customer" })
    // A delete answers no record: no sample rather than a wrong one.
    expect(c?.hints?.sample).toBeUndefined()
    expect(d?.hints?.sample).toEqual({ id: "own" })
  })
})

import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema, Stream } from "effect"
import { Operation } from "../src/index.ts"
import { fakeHttp } from "./support/fakeHttp.ts"
import { clientLayer, TestClient, testProfile } from "./support/testProvider.ts"

const Email = Schema.String.check(Schema.isPattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/))

const updateContact: Operation.Operation<
  {
    contact_id: string
    fields?: ReadonlyArray<string>
    Version?: string
    body: { email: string; given_name?: string }
  },
  { id: string; email?: string }
> = {
  id: "updateContact",
  method: "PATCH",
  path: "/v2/contacts/{contact_id}",
  summary: "Update a contact",
  resource: "contacts",
  access: "write",
  idempotent: false,
  parameters: [
    { name: "contact_id", in: "path", required: true },
    { name: "fields", in: "query", required: false },
  ],
  hasBody: true,
  bodyRequired: true,
  headers: { Version: "2021-07-28" },
  input: Schema.Struct({
    contact_id: Schema.String,
    fields: Schema.optionalKey(Schema.Array(Schema.String)),
    body: Schema.Struct({ email: Email, given_name: Schema.optionalKey(Schema.String) }),
  }) as any,
  output: Schema.Struct({ id: Schema.String, email: Schema.optionalKey(Schema.String) }) as any,
}

describe("Operation", () => {
  it.effect("refuses bad input before sending, naming every bad field", () => {
    const http = fakeHttp(() => ({ status: 200, body: { id: "1" } }))
    return Effect.gen(function* () {
      const client = yield* TestClient
      const error = yield* Effect.flip(
        Operation.call(client, updateContact, { body: { email: "not-an-email", given_name: 7 } } as any),
      )
      assert.strictEqual(error.reason._tag, "Validation")
      const fields = error.reason._tag === "Validation" ? error.reason.fields.map((f) => f.field) : []
      assert.includeMembers(fields, ["contact_id", "body.email", "body.given_name"])
      assert.include(error.message, "contact_id")
      assert.strictEqual(http.requests.length, 0, "nothing was sent")
    }).pipe(Effect.provide(clientLayer(testProfile("http://crm.test")).pipe(Layer.provide(http.layer))))
  })

  it.effect("refuses unknown properties, which usually are typos", () =>
    Effect.gen(function* () {
      const client = yield* TestClient
      const error = yield* Effect.flip(
        Operation.call(client, updateContact, { contact_id: "1", body: { email: "a@b.co" }, emial: "x" } as any),
      )
      assert.strictEqual(error.reason._tag, "Validation")
      assert.include(error.message, "emial")
    }).pipe(
      Effect.provide(
        clientLayer(testProfile("http://crm.test")).pipe(Layer.provide(fakeHttp(() => ({ status: 200 })).layer)),
      ),
    ),
  )

  it("encodes path parameters so a value cannot reach another path", () => {
    const request = Operation.toRequest(updateContact, {
      contact_id: "1/../../admin;x",
      fields: ["email", "name"],
      body: { email: "a@b.co" },
    })
    assert.strictEqual(request.path, "/v2/contacts/1%2F..%2F..%2Fadmin%3Bx")
    assert.deepStrictEqual(request.query, { fields: ["email", "name"] })
    assert.deepStrictEqual(request.headers, { Version: "2021-07-28" })
    assert.isFalse(request.idempotent)
  })

  it.effect("sends a valid call and decodes the response", () => {
    const http = fakeHttp((r) => ({ status: 200, body: { id: r.url.pathname.split("/").pop(), email: "a@b.co" } }))
    return Effect.gen(function* () {
      const client = yield* TestClient
      const result = yield* Operation.call(client, updateContact, { contact_id: "42", body: { email: "a@b.co" } })
      assert.deepStrictEqual(result, { id: "42", email: "a@b.co" })
      const sent = http.requests[0]!
      assert.strictEqual(sent.method, "PATCH")
      assert.strictEqual(sent.headers.version, "2021-07-28")
      assert.deepStrictEqual(JSON.parse(sent.body), { email: "a@b.co" })
    }).pipe(Effect.provide(clientLayer(testProfile("http://crm.test/base")).pipe(Layer.provide(http.layer))))
  })

  it.effect("streams a generated operation with the pagination the catalog describes, validating once", () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ id: i }))
    const http = fakeHttp((r) => {
      const skip = Number(r.url.searchParams.get("skip"))
      const limit = Number(r.url.searchParams.get("limit"))
      return { status: 200, body: { items: rows.slice(skip, skip + limit), total: rows.length } }
    })
    const listThings: Operation.Operation<{ locationId: string }, unknown> = {
      id: "list-things",
      method: "GET",
      path: "/things",
      summary: "List things",
      resource: "things",
      access: "read",
      idempotent: true,
      parameters: [{ name: "locationId", in: "query", required: true }],
      hasBody: false,
      bodyRequired: false,
      pagination: {
        style: "offset-limit",
        items: "items",
        params: { offsetParam: "skip", limitParam: "limit", total: "total" },
      },
      input: Schema.Struct({ locationId: Schema.String }) as any,
      output: Schema.Unknown as any,
    }
    return Effect.gen(function* () {
      const client = yield* TestClient
      const all = yield* Stream.runCollect(Operation.streamAll(client, listThings, { locationId: "loc-9" }, 5))
      assert.strictEqual(Array.from(all).length, 12)
      assert.strictEqual(http.requests.length, 3)
      assert.isTrue(http.requests.every((r) => r.url.searchParams.get("locationId") === "loc-9"))
      const refused = yield* Effect.flip(Stream.runCollect(Operation.streamAll(client, listThings, {}, 5)))
      assert.include(refused.message, "locationId")
      assert.strictEqual(http.requests.length, 3, "invalid input sent nothing")
    }).pipe(Effect.provide(clientLayer(testProfile("http://crm.test")).pipe(Layer.provide(http.layer))))
  })
})

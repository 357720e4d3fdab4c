import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Schema, Stream } from "effect"
import {
  Credentials,
  CrmClient,
  CrmError,
  CrmErrors,
  type Operation,
  OperationRegistry,
  RateLimit,
} from "../src/index.ts"
import { fakeHttp } from "./support/fakeHttp.ts"
import { TestClient, testProfile } from "./support/testProvider.ts"

const listThings: Operation.Operation = {
  id: "list-things",
  method: "GET",
  path: "/things",
  summary: "List things",
  resource: "things",
  access: "read",
  idempotent: true,
  parameters: [
    { name: "locationId", in: "query", required: true },
    { name: "limit", in: "query", required: false },
    { name: "skip", in: "query", required: false },
  ],
  hasBody: false,
  bodyRequired: false,
  pagination: { style: "offset-limit", items: "items", params: { offsetParam: "skip", limitParam: "limit" } },
  context: { locationId: ["locationId"] },
  input: Schema.Struct({
    locationId: Schema.String,
    limit: Schema.optionalKey(Schema.Number),
    skip: Schema.optionalKey(Schema.Number),
  }) as any,
  output: Schema.Unknown as any,
}

const searchThings: Operation.Operation = {
  id: "search-things",
  method: "POST",
  path: "/things/search",
  summary: "Search things",
  resource: "things",
  access: "write",
  idempotent: true,
  parameters: [],
  hasBody: true,
  bodyRequired: true,
  pagination: {
    style: "body-cursor",
    items: "items",
    params: { cursorParam: "searchAfter", itemCursor: "searchAfter", sizeParam: "pageLimit" },
  },
  scopes: ["things.readonly"],
  context: { locationId: ["body.locationId"] },
  input: Schema.Struct({
    body: Schema.Struct({
      locationId: Schema.String,
      pageLimit: Schema.Number,
      query: Schema.optionalKey(Schema.String),
      searchAfter: Schema.optionalKey(Schema.Array(Schema.Number)),
    }),
  }) as any,
  output: Schema.Unknown as any,
}

const getThing: Operation.Operation = {
  id: "get-thing",
  method: "GET",
  path: "/things/{id}",
  summary: "Get a thing",
  resource: "things",
  access: "read",
  idempotent: true,
  parameters: [{ name: "id", in: "path", required: true }],
  hasBody: false,
  bodyRequired: false,
  input: Schema.Struct({ id: Schema.String }) as any,
  output: Schema.Unknown as any,
}

const rows = Array.from({ length: 7 }, (_, i) => ({ id: `t${i}`, searchAfter: [i] }))

const server = () =>
  fakeHttp((r) => {
    if (r.url.pathname === "/things") {
      const skip = Number(r.url.searchParams.get("skip") ?? 0)
      const limit = Number(r.url.searchParams.get("limit") ?? 100)
      return { status: 200, body: { items: rows.slice(skip, skip + limit) } }
    }
    if (r.url.pathname === "/things/search") {
      const body = JSON.parse(r.body) as { pageLimit: number; searchAfter?: [number] }
      const from = body.searchAfter === undefined ? 0 : body.searchAfter[0] + 1
      return { status: 200, body: { items: rows.slice(from, from + body.pageLimit) } }
    }
    if (r.url.pathname === "/things/secret") return { status: 403, body: { message: "no" } }
    return { status: 200, body: { id: r.url.pathname.split("/").pop() } }
  })

const held = new Set(["things.readonly"])
const registry = (scopes: ReadonlySet<string> = held) =>
  OperationRegistry.make({
    provider: "testcrm",
    title: "TestCRM",
    operations: { "list-things": listThings, "search-things": searchThings, "get-thing": getThing },
    client: TestClient,
    pageSize: 3,
    check: (_client, operation) => {
      const missing = operation.scopes?.find((scope) => !scopes.has(scope))
      return missing === undefined
        ? Effect.void
        : Effect.fail(CrmErrors.invalidInput("testcrm", [{ field: "(scope)", message: `needs ${missing}` }]))
    },
    explain: (operation, error) =>
      new CrmError({
        reason: new CrmErrors.Forbidden({ provider: "testcrm", message: `${operation.id}: ${error.message}` }),
      }),
  })

const withClient = (http: ReturnType<typeof fakeHttp>) =>
  Layer.effect(TestClient, CrmClient.make(testProfile("http://crm.test"), { context: { locationId: "loc-1" } })).pipe(
    Layer.provide(Credentials.layerBearer({ token: Redacted.make("tok_test_0000000000") })),
    Layer.provide(RateLimit.layerMemory),
    Layer.provide(http.layer),
  )

describe("OperationRegistry", () => {
  it.effect("a call gets the connection's context where the operation takes it, unless given", () => {
    const http = server()
    return Effect.gen(function* () {
      const ops = registry()
      yield* ops.call("list-things", {})
      yield* ops.call("list-things", { locationId: "loc-other" })
      assert.deepStrictEqual(
        http.requests.map((r) => r.url.searchParams.get("locationId")),
        ["loc-1", "loc-other"],
      )
    }).pipe(Effect.provide(withClient(http)))
  })

  it.effect("every page of a search gets a body made of the context and the page size", () => {
    const http = server()
    return Effect.gen(function* () {
      const all = yield* Stream.runCollect(registry().stream("search-things", undefined))
      assert.deepStrictEqual(
        Array.from(all).map((row) => (row as { id: string }).id),
        rows.map((row) => row.id),
      )
      assert.strictEqual(http.requests.length, 3)
      for (const request of http.requests) {
        assert.include(JSON.parse(request.body), { locationId: "loc-1", pageLimit: 3 })
      }
    }).pipe(Effect.provide(withClient(http)))
  })

  it.effect("the provider's check refuses before sending on both paths", () => {
    const http = server()
    return Effect.gen(function* () {
      const ops = registry(new Set())
      const single = yield* Effect.flip(ops.call("search-things", { body: { pageLimit: 1 } }))
      const paged = yield* Effect.flip(Stream.runCollect(ops.stream("search-things", {})))
      assert.include(single.message, "needs things.readonly")
      assert.include(paged.message, "needs things.readonly")
      assert.strictEqual(http.requests.length, 0)
    }).pipe(Effect.provide(withClient(http)))
  })

  it.effect("a refusal by the provider goes through the provider's explanation", () => {
    const http = server()
    return Effect.gen(function* () {
      const error = yield* Effect.flip(registry().call("get-thing", { id: "secret" }))
      assert.strictEqual(error.reason._tag, "Forbidden")
      assert.include(error.message, "get-thing:")
    }).pipe(Effect.provide(withClient(http)))
  })

  it.effect("an unknown id names the nearest ones; a prototype key is not an operation", () =>
    Effect.gen(function* () {
      const ops = registry()
      const error = yield* Effect.flip(ops.lookup("list-thing"))
      assert.include(error.message, 'unknown TestCRM operation "list-thing"; did you mean "list-things"')
      assert.strictEqual((yield* Effect.flip(ops.lookup("toString"))).reason._tag, "Validation")
      assert.deepStrictEqual(ops.nearMatches("search", 1), ["search-things"])
    }),
  )

  it("a resource's list operation is its paginated read", () => {
    assert.strictEqual(registry().listOf("thing")?.id, "list-things")
    assert.strictEqual(registry().listOf("Things")?.id, "list-things")
    assert.isUndefined(registry().listOf("widgets"))
  })
})

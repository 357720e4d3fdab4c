import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { Exit, Schema, SchemaIssue } from "effect"
import { describe, expect, it } from "vitest"
import { diff, write } from "../src/cli.ts"
import * as rules from "../src/rules.ts"
import { fileOf, materialize, openapi, run, workspace } from "./helpers.ts"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** Decodes like `Operation.validate` (strict) or like the client does for responses (lenient). */
const decode = (schema: Schema.Top, value: unknown, strict = true) => {
  const exit = Schema.decodeUnknownExit(schema as Schema.Codec<unknown>)(
    value,
    strict ? { errors: "all", onExcessProperty: "error" } : {},
  )
  if (Exit.isSuccess(exit)) return { ok: true as const, value: exit.value }
  const error = (exit.cause as any).reasons[0].error
  return {
    ok: false as const,
    issues: formatter(error.issue).issues.map(
      (issue) =>
        `${(issue.path ?? []).map((key: any) => String(typeof key === "object" ? key.key : key)).join(".")}: ${issue.message}`,
    ),
  }
}

const common = {
  openapi: "3.0.0",
  info: { title: "common", version: "1" },
  paths: {},
  components: {
    schemas: {
      Owner: {
        type: "object",
        required: ["name"],
        properties: { name: { type: "string", minLength: 1 }, email: { type: "string", format: "email" } },
      },
    },
  },
}

const petSpec = openapi(
  {
    "/pets": {
      get: {
        operationId: "listPets",
        summary: "List pets",
        parameters: [
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
          { name: "offset", in: "query", schema: { type: "integer" } },
          { name: "Version", in: "header", required: true, schema: { type: "string", enum: ["2021-07-28"] } },
          { name: "Authorization", in: "header", required: true, schema: { type: "string" } },
        ],
        security: [{ "Location-Access": ["pets.readonly"] }, { "Agency-Access-Only": ["pets.readonly"] }],
        responses: {
          "200": {
            description: "ok",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    pets: { type: "array", items: { $ref: "#/components/schemas/Pet" } },
                    total: { type: "number" },
                  },
                },
              },
            },
          },
        },
      },
      post: {
        operationId: "createPet",
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/NewPet" } } },
        },
        responses: {
          "201": {
            description: "ok",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } },
          },
        },
      },
    },
    "/pets/{petId}": {
      parameters: [{ name: "petId", in: "path", required: true, schema: { type: "string" } }],
      delete: { operationId: "deletePet", responses: { "204": { description: "gone" } } },
      patch: {
        operationId: "tagPet",
        requestBody: {
          content: {
            "application/json": {
              schema: { type: "object", additionalProperties: true, properties: { tag: { type: "string" } } },
            },
          },
        },
        responses: { "200": { description: "ok" } },
      },
    },
  },
  {
    Base: {
      type: "object",
      required: ["name"],
      properties: { name: { type: "string", maxLength: 20, pattern: "^[A-Za-z ]+$" } },
    },
    NewPet: {
      allOf: [
        { $ref: "#/components/schemas/Base" },
        {
          type: "object",
          required: ["kind"],
          properties: {
            kind: { type: "string", enum: ["cat", "dog"] },
            age: { type: "integer", minimum: 0, nullable: true },
            owner: { $ref: "../common/common.json#/components/schemas/Owner" },
            toy: { oneOf: [{ type: "string" }, { type: "object", properties: { brand: { type: "string" } } }] },
          },
        },
      ],
    },
    Pet: {
      type: "object",
      required: ["id", "kind"],
      properties: {
        id: { type: "string" },
        kind: { type: "string", enum: ["cat", "dog"] },
        owner: { $ref: "../common/common.json#/components/schemas/Owner" },
      },
    },
  },
)

const treeSpec = openapi(
  {
    "/tree": {
      post: {
        operationId: "saveTree",
        requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Node" } } } },
        responses: {
          "200": {
            description: "ok",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Node" } } },
          },
        },
      },
    },
  },
  {
    Node: {
      type: "object",
      required: ["name"],
      properties: {
        name: { type: "string" },
        children: { type: "array", items: { $ref: "#/components/schemas/NodeOrLeaf" } },
      },
    },
    NodeOrLeaf: { oneOf: [{ $ref: "#/components/schemas/Node" }, { type: "string" }] },
  },
)

describe("generate", () => {
  it("resolves local and cross-file refs into named, shared schemas", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common })
    const result = await run(root, { specs: [{ file: "apps/pets.json" }] })
    const schemas = fileOf(result, "schemas.ts")
    expect(schemas).toContain("export class Pet extends Schema.Opaque<Pet>()(")
    expect(schemas).toContain("export class NewPet extends Schema.Opaque<NewPet>()(")
    // Owner is used in a request (strict) and in a response (lenient): two variants.
    expect(schemas).toContain("export class Owner extends")
    expect(schemas).toContain("export class OwnerInput extends")
    expect(fileOf(result, "operations.ts")).toContain("output: S.Pet,")
    expect(result.stats.operations).toBe(4)
    const header = schemas.slice(0, schemas.indexOf("*/"))
    expect(header).toContain("apps/pets.json")
    expect(header).toContain("common/common.json")
    expect(header).toContain("pnpm codegen")
  })

  it("emits strict input schemas: required, enums, integers, checks, email, allOf, oneOf, nullable", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common })
    const { operations } = await materialize("strict", await run(root, { specs: [{ file: "apps/pets.json" }] }))
    const input = operations.createPet.input
    const valid = { body: { name: "Rex", kind: "dog", age: null, toy: { brand: "acme" }, owner: { name: "Ann" } } }
    expect(decode(input, valid)).toMatchObject({ ok: true })
    expect(decode(input, { body: { name: "Rex", kind: "dog", toy: "ball" } })).toMatchObject({ ok: true })
    const bad = decode(input, {
      body: { name: "R2D2", kind: "bird", age: 1.5, owner: { name: "", email: "nope" }, extra: true },
      unknown: 1,
    })
    expect(bad.ok).toBe(false)
    const issues = bad.ok ? [] : bad.issues
    expect(issues).toEqual(
      expect.arrayContaining([
        "unknown: Expected no excess property",
        "body.extra: Expected no excess property",
        expect.stringMatching(/^body\.name: /),
        expect.stringMatching(/^body\.kind: Expected "cat" \| "dog"/),
        expect.stringMatching(/^body\.age: /),
        expect.stringMatching(/^body\.owner\.name: /),
        "body.owner.email: Expected an email address",
      ]),
    )
    expect(decode(input, {})).toMatchObject({ ok: false, issues: ["body: Missing key"] })
    expect(decode(input, { body: { name: "Rex" } })).toMatchObject({ ok: false, issues: ["body.kind: Missing key"] })
    // Query parameters: integer with range.
    expect(decode(operations.listPets.input, { limit: 0 })).toMatchObject({ ok: false })
    expect(decode(operations.listPets.input, { limit: 2.5 })).toMatchObject({ ok: false })
    expect(decode(operations.listPets.input, { limit: 10, offset: 0 })).toMatchObject({ ok: true })
    // Path parameters declared on the path item are required.
    expect(decode(operations.deletePet.input, {})).toMatchObject({ ok: false, issues: ["petId: Missing key"] })
  })

  it("accepts unknown body properties only where the spec says additionalProperties", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common })
    const { operations } = await materialize("additional", await run(root, { specs: [{ file: "apps/pets.json" }] }))
    expect(decode(operations.tagPet.input, { petId: "1", body: { tag: "x", anything: [1] } })).toMatchObject({
      ok: true,
      value: { petId: "1", body: { tag: "x", anything: [1] } },
    })
    expect(decode(operations.tagPet.input, { petId: "1", body: { tag: 1 } })).toMatchObject({ ok: false })
  })

  it("emits lenient output schemas that keep unknown fields", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common })
    const { operations, schemas } = await materialize(
      "lenient",
      await run(root, { specs: [{ file: "apps/pets.json" }] }),
    )
    const response = {
      pets: [{ id: "1", kind: "hamster", owner: { name: null, phone: "+1" }, color: "brown" }],
      total: 1,
      nextPage: "abc",
    }
    const decoded = decode(operations.listPets.output, response, false)
    expect(decoded).toEqual({ ok: true, value: response })
    expect(decode(schemas.Pet, {}, false)).toEqual({ ok: true, value: {} })
    // Declared types still hold.
    expect(decode(schemas.Pet, { id: 1 }, false)).toMatchObject({ ok: false })
  })

  it("builds descriptors: ids, access, idempotency, parameters, fixed headers, scopes, token kinds", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common })
    const result = await run(root, {
      specs: [{ file: "apps/pets.json", path: (p) => `/v1${p}` }],
      fixedHeaders: ["Version"],
      tokenKinds: { "Location-Access": ["Location", "Location-PIT"], "Agency-Access-Only": ["Agency"] },
      idempotent: ({ id }) => (id === "tagPet" ? true : undefined),
    })
    const byId = Object.fromEntries(result.catalog.map((entry) => [entry.id, entry]))
    expect(byId.listPets).toEqual({
      id: "listPets",
      method: "GET",
      path: "/v1/pets",
      summary: "List pets",
      resource: "pets",
      access: "read",
      idempotent: true,
      parameters: [
        { name: "limit", in: "query", required: false },
        { name: "offset", in: "query", required: false },
      ],
      hasBody: false,
      bodyRequired: false,
      scopes: ["pets.readonly"],
      tokenKinds: ["Location", "Location-PIT", "Agency"],
      headers: { Version: "2021-07-28" },
    })
    expect(byId.createPet).toMatchObject({ access: "write", idempotent: false, hasBody: true, bodyRequired: true })
    expect(byId.createPet?.summary).toBe("createPet")
    expect(byId.tagPet).toMatchObject({ method: "PATCH", idempotent: true, hasBody: true, bodyRequired: false })
    expect(byId.deletePet).toMatchObject({
      access: "write",
      idempotent: true,
      parameters: [{ name: "petId", in: "path", required: true }],
    })
    expect(JSON.parse(fileOf(result, "catalog.json"))).toEqual(result.catalog)
    expect(result.catalog.map((entry) => entry.id)).toEqual(["createPet", "deletePet", "listPets", "tagPet"])
  })

  it("lists where each operation takes a context value: parameters and top-level body properties", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common })
    const result = await run(root, {
      specs: [{ file: "apps/pets.json" }],
      context: { petId: ["petId", "pet_id"], kind: ["kind"], shelter: ["shelterId"] },
    })
    const byId = Object.fromEntries(result.catalog.map((entry) => [entry.id, entry]))
    expect(byId.deletePet?.context).toEqual({ petId: ["petId"] })
    // A body property behind allOf and a $ref counts.
    expect(byId.createPet?.context).toEqual({ kind: ["body.kind"] })
    expect(byId.listPets?.context).toBeUndefined()
  })

  it("detects pagination with rules, and lets overrides win", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common })
    const result = await run(root, {
      specs: [{ file: "apps/pets.json" }],
      pagination: {
        rules: [rules.offsetLimit({ offsetParam: "offset", limitParam: "limit" })],
        overrides: { createPet: { style: "next-url", items: "pets", params: { next: "next" } } },
      },
    })
    const byId = Object.fromEntries(result.catalog.map((entry) => [entry.id, entry]))
    expect(byId.listPets?.pagination).toEqual({
      style: "offset-limit",
      items: "pets",
      params: { offsetParam: "offset", limitParam: "limit", total: "total" },
    })
    expect(byId.createPet?.pagination?.style).toBe("next-url")
    expect(byId.deletePet?.pagination).toBeUndefined()
  })

  it("applies RFC 6902 patches, and fails on a patch that does not apply or matches no spec", async () => {
    const patch = [
      { comment: "why", op: "add", path: "/components/schemas/Pet/properties/name", value: { type: "string" } },
      { op: "add", path: "/components/schemas/Pet/required/-", value: "name" },
    ]
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common }, { "pets.json": patch })
    const { schemas } = await materialize("patched", await run(root, { specs: [{ file: "apps/pets.json" }] }))
    expect(decode(schemas.PetInput ?? schemas.Pet, { id: "1", kind: "cat", name: "x" }, false)).toMatchObject({
      ok: true,
    })
    const result = await run(root, { specs: [{ file: "apps/pets.json" }] })
    expect(fileOf(result, "schemas.ts")).toContain("name: Schema.optionalKey(Schema.NullOr(Schema.String))")
    expect(fileOf(result, "schemas.ts")).toContain("+ patches/pets.json")

    const failing = workspace(
      { "apps/pets.json": petSpec, "common/common.json": common },
      { "pets.json": [{ op: "test", path: "/info/title", value: "something else" }] },
    )
    await expect(run(failing, { specs: [{ file: "apps/pets.json" }] })).rejects.toThrow(/patches\/pets\.json/)
    const orphan = workspace(
      { "apps/pets.json": petSpec, "common/common.json": common },
      { "cats.json": [{ op: "add", path: "/x", value: 1 }] },
    )
    await expect(run(orphan, { specs: [{ file: "apps/pets.json" }] })).rejects.toThrow(/match no spec file.*cats\.json/)
  })

  it("prefixes ids used in several spec files with the spec name, or refuses them", async () => {
    const one = (path: string) =>
      openapi({ [path]: { get: { operationId: "list-things", responses: { "200": { description: "ok" } } } } })
    const root = workspace({ "apps/a.json": one("/a"), "apps/b.json": one("/b"), "apps/c.json": openapi({}) })
    const specs = [{ file: "apps/a.json" }, { file: "apps/b.json" }, { file: "apps/c.json" }]
    const result = await run(root, { specs })
    expect(result.catalog.map((entry) => [entry.id, entry.path])).toEqual([
      ["a.list-things", "/a"],
      ["b.list-things", "/b"],
    ])
    const operations = fileOf(result, "operations.ts")
    expect(operations).toContain('"a.list-things": aListThings,')
    expect(operations).toContain("export const bListThings: Operation.Operation<")
    await expect(run(root, { specs, duplicateIds: "error" })).rejects.toThrow(/duplicate operation ids: list-things/)
  })

  it("merges identical same-named schemas of several files and prefixes different ones", async () => {
    const spec = (properties: object) =>
      openapi(
        {
          "/x": {
            post: {
              operationId: `op${Object.keys(properties).join("")}`,
              requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } } },
              responses: { "200": { description: "ok" } },
            },
          },
        },
        { Thing: { type: "object", properties } },
      )
    const root = workspace({
      "apps/a.json": spec({ a: { type: "string" } }),
      "apps/b.json": spec({ a: { type: "string", description: "same" } }),
      "apps/c.json": spec({ c: { type: "number" } }),
    })
    const result = await run(root, { specs: ["a", "b", "c"].map((name) => ({ file: `apps/${name}.json` })) })
    const schemas = fileOf(result, "schemas.ts")
    expect(schemas).toContain("export class AThing extends")
    expect(schemas).toContain("export class CThing extends")
    expect(schemas).not.toContain("export class BThing")
  })

  it("handles recursive schemas with Schema.suspend", async () => {
    const root = workspace({ "apps/tree.json": treeSpec })
    const result = await run(root, { specs: [{ file: "apps/tree.json" }] })
    expect(result.stats.recursiveSchemas).toBe(4)
    expect(fileOf(result, "schemas.ts")).toContain("Schema.suspend((): Schema.Codec<")
    const { operations } = await materialize("recursive", result)
    const tree = { name: "a", children: ["leaf", { name: "b", children: [{ name: "c" }] }] }
    expect(decode(operations.saveTree.input, { body: tree })).toEqual({ ok: true, value: { body: tree } })
    expect(decode(operations.saveTree.input, { body: { name: "a", children: [{ nope: 1 }] } })).toMatchObject({
      ok: false,
    })
    expect(decode(operations.saveTree.output, { ...tree, extra: 1 }, false)).toMatchObject({
      ok: true,
      value: { extra: 1 },
    })
  })

  it("reads YAML and converts Swagger 2.0", async () => {
    const swagger = [
      "swagger: '2.0'",
      "info: { title: legacy, version: '1' }",
      "host: api.example.com",
      "basePath: /crm/rest/v1",
      "paths:",
      "  /hooks/{key}:",
      "    put:",
      "      operationId: update_hook",
      "      parameters:",
      "        - { name: key, in: path, required: true, type: string }",
      "        - { name: body, in: body, required: true, schema: { $ref: '#/definitions/HookRequest' } }",
      "      responses:",
      "        200: { description: OK, schema: { $ref: '#/definitions/Hook' } }",
      "definitions:",
      "  HookRequest:",
      "    type: object",
      "    required: [eventKey]",
      "    properties: { eventKey: { type: string }, hookUrl: { type: string } }",
      "  Hook:",
      "    type: object",
      "    properties: { key: { type: string }, status: { type: string, enum: [Verified, Inactive] } }",
    ].join("\n")
    const root = workspace({ "legacy/swagger.yaml": swagger })
    const result = await run(root, { specs: [{ file: "legacy/swagger.yaml", path: (p) => `/v1${p}` }] })
    expect(result.catalog).toEqual([
      expect.objectContaining({
        id: "update_hook",
        method: "PUT",
        path: "/v1/hooks/{key}",
        parameters: [{ name: "key", in: "path", required: true }],
        hasBody: true,
        bodyRequired: true,
      }),
    ])
    const { operations } = await materialize("swagger2", result)
    expect(decode(operations.updateHook.input, { key: "k", body: { eventKey: "contact.add" } })).toMatchObject({
      ok: true,
    })
    expect(decode(operations.updateHook.input, { key: "k", body: {} })).toMatchObject({ ok: false })
    expect(decode(operations.updateHook.output, { key: "k", status: "New" }, false)).toMatchObject({ ok: true })
  })

  it("is deterministic", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common })
    const first = await run(root, { specs: [{ file: "apps/pets.json" }] })
    const second = await run(root, { specs: [{ file: "apps/pets.json" }] })
    expect(second.files).toEqual(first.files)
  })

  it("splits operations per resource past the size threshold", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "common/common.json": common })
    const result = await run(root, {
      specs: [{ file: "apps/pets.json" }],
      resource: (operation) => (operation.method === "GET" ? "reading" : "writing"),
      maxFileBytes: 2_000,
    })
    expect(result.files.map((file) => file.path)).toEqual([
      "catalog.json",
      "catalog.ts",
      "operations.ts",
      "operations/reading.ts",
      "operations/writing.ts",
      "schemas.ts",
    ])
    const { operations } = await materialize("split", result)
    expect(Object.keys(operations.operations).sort()).toEqual(["createPet", "deletePet", "listPets", "tagPet"])
    expect(operations.operations.listPets).toBe(operations.listPets)
  })

  it("emits code that type-checks against the core contract", async () => {
    const root = workspace({ "apps/pets.json": petSpec, "apps/tree.json": treeSpec, "common/common.json": common })
    const result = await run(root, { specs: [{ file: "apps/pets.json" }, { file: "apps/tree.json" }] })
    const { directory } = await materialize("typecheck", result)
    const config = {
      extends: path.relative(directory, path.join(import.meta.dirname, "../../tsconfig.base.json")),
      compilerOptions: {
        noEmit: true,
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        // Checked against the contract as written in packages/core (its sources, not its build).
        paths: { "@crmkit/core": [path.join(import.meta.dirname, "../../../packages/core/src/index.ts")] },
      },
      include: ["**/*.ts"],
    }
    writeFileSync(path.join(directory, "tsconfig.json"), JSON.stringify(config))
    const tsc = path.join(import.meta.dirname, "../node_modules/typescript/bin/tsc")
    let output = ""
    try {
      execFileSync(process.execPath, [tsc, "-p", directory], { encoding: "utf8" })
    } catch (error) {
      output = String((error as { stdout?: unknown }).stdout)
    }
    expect(output).toBe("")
  })
})

describe("check and write", () => {
  it("reports changed, missing and stale files, and write fixes them", () => {
    const root = workspace({})
    const directory = path.join(root, "out")
    const files = [
      { path: "a.ts", content: "a\n" },
      { path: "sub/b.ts", content: "b\n" },
    ]
    expect(diff(directory, files)).toEqual(["missing: a.ts", "missing: sub/b.ts"])
    expect(write(directory, files)).toBe(2)
    expect(diff(directory, files)).toEqual([])
    writeFileSync(path.join(directory, "a.ts"), "changed\n")
    writeFileSync(path.join(directory, "stale.ts"), "old\n")
    expect(diff(directory, files)).toEqual(["differs: a.ts", "stale:   stale.ts"])
    expect(write(directory, files)).toBe(1)
    expect(diff(directory, files)).toEqual([])
  })
})

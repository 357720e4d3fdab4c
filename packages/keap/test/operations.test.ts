import { RateLimit } from "@crmkit/core"
import { NodeHttpClient } from "@effect/platform-node"
import { ConfigProvider, Effect, Layer, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { catalog, KeapClient, KeapOperations } from "../src/index.ts"
import { failureOf, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox()
const run = runWith(sandbox)
const fail = failureOf(sandbox)

describe("package surface", () => {
  it("exports the machine-readable catalog", () => {
    expect(catalog).toHaveLength(407)
    const entry = catalog.find((e) => e.id === "applyTags")
    expect(entry).toMatchObject({
      id: "applyTags",
      method: "POST",
      path: "/v2/tags/{tag_id}/contacts:applyTags",
      summary: "Apply Tag",
      access: "write",
      resource: "tags",
    })
    expect(KeapOperations.describe("listContacts")?.access).toBe("read")
    expect(KeapOperations.describe("nope")).toBeUndefined()
  })

  it("suggests near ids for an unknown operation", async () => {
    expect(KeapOperations.nearMatches("listContact")).toContain("listContacts")
    expect(KeapOperations.nearMatches("getcontact")[0]).toBe("getContact")
    const error = await fail(KeapOperations.call("listContact", {}))
    expect(error.reason._tag).toBe("Validation")
    expect(error.message).toContain('unknown Keap operation "listContact"')
    expect(error.message).toContain('"listContacts"')
    // A prototype key is not an operation.
    expect((await fail(KeapOperations.call("toString"))).reason._tag).toBe("Validation")
  })

  it("calls an operation by id, validating the input first", async () => {
    const contact = (await run(KeapOperations.call("getContact", { contact_id: "3" }))) as { id: string }
    expect(contact.id).toBe("3")
    const error = await fail(KeapOperations.call("getContact", { contact_id: 3 }))
    expect(error.reason._tag === "Validation" && error.reason.fields.map((f) => f.field)).toEqual(["contact_id"])
    expect(error.reason.status).toBeUndefined()
    expect(sandbox().stats.route("GET /keap/crm/rest/v2/contacts/:id")).toBe(1)
  })

  it("streams every page of an operation", async () => {
    const all = await run(Stream.runCollect(KeapOperations.stream("listContacts", {}, { pageSize: 7 })))
    expect(all).toHaveLength(60)
    expect(new Set(all.map((c) => (c as { id: string }).id)).size).toBe(60)
    expect(sandbox().stats.route("GET /keap/crm/rest/v2/contacts")).toBe(9)
    const error = await fail(Stream.runCollect(KeapOperations.stream("getContact", { contact_id: "1" })))
    expect(error.message).toContain("does not paginate")
  })

  it("builds a client from configuration, with Redacted secrets", async () => {
    const configured = (env: Record<string, string>) =>
      KeapClient.layerConfig().pipe(
        Layer.provide(RateLimit.layerMemory),
        Layer.provide(NodeHttpClient.layerUndici),
        Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env))),
      )
    const viaKey = await Effect.runPromise(
      Effect.provide(
        KeapOperations.call("getContact", { contact_id: "2" }),
        configured({
          KEAP_API_KEY: sandbox().credentials.keap.personalAccessToken,
          KEAP_BASE_URL: sandbox().keap.baseUrl,
        }),
      ),
    )
    expect((viaKey as { id: string }).id).toBe("2")
    const client = await Effect.runPromise(
      Effect.provide(
        KeapClient.KeapClient.useSync((c) => ({ baseUrl: c.baseUrl, kind: c.credentialKind })),
        configured({ KEAP_ACCESS_TOKEN: "fake-access-token", KEAP_API_KEY: "fake-key" }),
      ),
    )
    expect(client).toEqual({ baseUrl: "https://api.infusionsoft.com/crm/rest", kind: "oauth2" })
    const missing = await Effect.runPromise(
      Effect.flip(
        Effect.provide(
          KeapClient.KeapClient.useSync((c) => c.baseUrl),
          configured({}),
        ),
      ),
    )
    expect(String(missing)).toContain("KEAP_ACCESS_TOKEN or KEAP_API_KEY")
  })
})

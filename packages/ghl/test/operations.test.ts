import { CrmError, CrmErrors, TokenStore } from "@crmkit/core"
import { NodeHttpClient } from "@effect/platform-node"
import { ConfigProvider, Effect, Layer, Redacted, Stream } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { catalog, GhlAuth, GhlClient, GhlOperations } from "../src/index.ts"
import { failureOf, pitLayer, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 130, rateLimits: false })
beforeEach(() => {
  sandbox().faults.clear()
  sandbox().stats.reset()
})

const run = runWith(sandbox)
const failure = failureOf(sandbox)

describe("catalog", () => {
  it("describes every operation with method, path, access, resource, scopes and token kinds", () => {
    expect(catalog).toHaveLength(576)
    const get = catalog.find((entry) => entry.id === "get-contact")
    expect(get).toMatchObject({
      method: "GET",
      path: "/contacts/{contactId}",
      access: "read",
      resource: "contacts",
      scopes: ["contacts.readonly"],
      tokenKinds: ["Location", "Location-PIT"],
    })
  })
})

describe("GhlOperations", () => {
  it("calls a generated operation by id, with its Version header", async () => {
    const created = await run(
      GhlOperations.call("create-contact", {
        body: { locationId: sandbox().credentials.ghl.locationId, firstName: "Ada", email: "ada.ops@example.com" },
      }),
    )
    const id = (created as { contact?: { id?: string } }).contact?.id
    expect(typeof id).toBe("string")
    const fetched = await run(GhlOperations.call("get-contact", { contactId: id as string }))
    expect(fetched.contact?.email).toBe("ada.ops@example.com")
  })

  it("refuses an unknown id with near matches, before sending", async () => {
    const error = await failure(GhlOperations.call("get-contcat", {}))
    expect(error.reason._tag).toBe("Validation")
    expect(error.reason.message).toContain('unknown GHL operation "get-contcat"')
    expect(error.reason.message).toContain("get-contact")
    expect(sandbox().stats.requests).toBe(0)
  })

  it("validates input before sending", async () => {
    const error = await failure(GhlOperations.call("get-contact", { contactId: 42 }))
    expect(error.reason._tag).toBe("Validation")
    expect(error.reason._tag === "Validation" && error.reason.fields.map((f) => f.field)).toEqual(["contactId"])
    expect(sandbox().stats.requests).toBe(0)
  })

  it("streams every page of the search endpoint, keeping locationId on each page", async () => {
    const all = await run(
      Stream.runCollect(
        GhlOperations.stream(
          "search-contacts-advanced",
          { body: { locationId: sandbox().credentials.ghl.locationId } },
          { pageSize: 40 },
        ),
      ),
    )
    expect(all.length).toBeGreaterThanOrEqual(130)
    expect(new Set(all.map((c) => (c as { id: string }).id)).size).toBe(all.length)
    expect(sandbox().stats.route("POST /ghl/contacts/search")).toBe(Math.ceil((all.length + 1) / 40))
  })

  it("refuses before sending when the token's known scopes lack the operation's scope", async () => {
    const readOnly = pitLayer(sandbox(), {
      token: sandbox().credentials.ghl.readOnlyPrivateIntegrationToken,
      scopes: ["contacts.readonly"],
    })
    const error = await failure(
      GhlOperations.call("create-contact", { body: { locationId: sandbox().credentials.ghl.locationId } }),
      readOnly,
    )
    expect(error.reason._tag).toBe("Forbidden")
    expect(error.reason._tag === "Forbidden" && error.reason.missingScope).toBe("contacts.write")
    expect(error.message).toContain("missing scope: contacts.write")
    expect(sandbox().stats.requests).toBe(0)
  })

  it("names the missing scope when GHL refuses and the scopes were unknown", async () => {
    const readOnly = pitLayer(sandbox(), { token: sandbox().credentials.ghl.readOnlyPrivateIntegrationToken })
    const error = await failure(
      GhlOperations.call("create-contact", { body: { locationId: sandbox().credentials.ghl.locationId } }),
      readOnly,
    )
    expect(error.reason._tag).toBe("Forbidden")
    expect(error.reason._tag === "Forbidden" && error.reason.missingScope).toBe("contacts.write")
    expect(sandbox().stats.route("POST /ghl/contacts/")).toBe(1)
  })

  it("fills missingScope from the operation on a 403 that does not name it", () => {
    const refusal = new CrmError({
      reason: new CrmErrors.Forbidden({ provider: "ghl", message: "no", status: 403 }),
    })
    const operation = Effect.runSync(GhlOperations.lookup("get-opportunity"))
    const explained = GhlOperations.explainScopeRefusal(operation)(refusal)
    expect(explained.reason._tag === "Forbidden" && explained.reason.missingScope).toBe("opportunities.readonly")
    const notFound = new CrmError({ reason: new CrmErrors.NotFound({ provider: "ghl", message: "x" }) })
    expect(GhlOperations.explainScopeRefusal(operation)(notFound)).toBe(notFound)
  })
})

describe("credentials", () => {
  const legacyKey = () => sandbox().credentials.ghl.legacyApiKey

  it("recognises legacy v1 keys, not v2 tokens or PITs", async () => {
    expect(GhlAuth.isLegacyApiKey(legacyKey())).toBe(true)
    expect(GhlAuth.isLegacyApiKey(sandbox().credentials.ghl.privateIntegrationToken)).toBe(false)
    const app = sandbox().credentials.ghl.oauthApp
    const tokens = await Effect.runPromise(
      GhlAuth.exchangeCode(
        { clientId: app.clientId, clientSecret: Redacted.make(app.clientSecret), baseUrl: sandbox().ghl.baseUrl },
        sandbox().ghl.issueAuthorizationCode(),
        app.redirectUri,
      ).pipe(Effect.provide(NodeHttpClient.layerUndici)),
    )
    expect(GhlAuth.isLegacyApiKey(Redacted.value(tokens.accessToken))).toBe(false)
    expect(GhlAuth.scopesOfAccessToken(Redacted.value(tokens.accessToken))).toContain("contacts.write")
  })

  it("refuses a legacy v1 key when the layer is built, explaining the move to a PIT", async () => {
    const error = await failure(
      GhlOperations.call("get-contact", { contactId: "x" }),
      pitLayer(sandbox(), { token: legacyKey() }),
    )
    expect(error.reason._tag).toBe("Unauthorized")
    expect(error.reason.message).toContain("Private Integration Token")
    expect(error.reason.message).toContain("API v1")
    expect(sandbox().stats.requests).toBe(0)
  })

  const configLayer = (values: Record<string, string>) =>
    GhlClient.layerConfig().pipe(
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(values))),
    )

  it("layerConfig reads GHL_ACCESS_TOKEN, GHL_LOCATION_ID, GHL_BASE_URL and GHL_SCOPES", async () => {
    const values = {
      GHL_ACCESS_TOKEN: sandbox().credentials.ghl.readOnlyPrivateIntegrationToken,
      GHL_LOCATION_ID: sandbox().credentials.ghl.locationId,
      GHL_BASE_URL: sandbox().ghl.baseUrl,
      GHL_SCOPES: "contacts.readonly",
    }
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const client = yield* GhlClient.GhlClient
        const page = yield* GhlOperations.call("search-contacts-advanced", {
          body: { locationId: client.locationId as string, pageLimit: 2 },
        })
        const refused = yield* Effect.flip(
          GhlOperations.call("delete-contact", { contactId: page.contacts?.[0]?.id ?? "x" }),
        )
        return { client, page, refused }
      }).pipe(Effect.provide(configLayer(values))),
    )
    expect(result.client.locationId).toBe(sandbox().credentials.ghl.locationId)
    expect(result.client.baseUrl).toBe(sandbox().ghl.baseUrl)
    expect(result.page.contacts).toHaveLength(2)
    expect(result.refused.reason._tag === "Forbidden" && result.refused.reason.missingScope).toBe("contacts.write")
    expect(sandbox().stats.route("DELETE /ghl/contacts/:contactId")).toBe(0)
  })

  it("layerConfig refuses a legacy v1 key in GHL_ACCESS_TOKEN", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        return yield* GhlClient.GhlClient
      }).pipe(Effect.provide(configLayer({ GHL_ACCESS_TOKEN: legacyKey(), GHL_BASE_URL: sandbox().ghl.baseUrl }))),
    )
    expect(exit._tag).toBe("Failure")
    expect(String(exit._tag === "Failure" ? exit.cause : "")).toContain("Private Integration Token")
  })

  it("knows an OAuth token's scopes from the stored token response", async () => {
    const app = sandbox().credentials.ghl.oauthApp
    const oauthApp = {
      clientId: app.clientId,
      clientSecret: Redacted.make(app.clientSecret),
      baseUrl: sandbox().ghl.baseUrl,
    }
    const locationId = sandbox().credentials.ghl.locationId
    const tokens = await Effect.runPromise(
      GhlAuth.exchangeCode(
        oauthApp,
        sandbox().ghl.issueAuthorizationCode({ scopes: ["contacts.readonly"] }),
        app.redirectUri,
      ).pipe(Effect.provide(NodeHttpClient.layerUndici)),
    )
    sandbox().stats.reset()
    const layer = GhlClient.layerWithMemoryRateLimits({ baseUrl: sandbox().ghl.baseUrl }).pipe(
      Layer.provide(GhlAuth.layerOAuth(oauthApp, { userType: "Location", id: locationId })),
      Layer.provide(TokenStore.layerMemory({ [GhlAuth.storeKey("Location", locationId)]: tokens })),
      Layer.provide(NodeHttpClient.layerUndici),
    )
    const error = await failure(GhlOperations.call("create-contact", { body: { locationId } }), layer)
    expect(error.reason._tag === "Forbidden" && error.reason.missingScope).toBe("contacts.write")
    expect(sandbox().stats.requests).toBe(0)
  })
})

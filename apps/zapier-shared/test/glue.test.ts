import { Credentials } from "@crmkit/core"
import { GhlAuth, GhlClient, Contacts as GhlContacts } from "@crmkit/ghl"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { Contacts, KeapAuth, KeapClient, Tags } from "@crmkit/keap"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { Layer, Redacted } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import zapier, { type Bundle, createAppTester, type ZObject } from "zapier-platform-core"
import { Invocation } from "../src/index.ts"

// A bare app: the tests run ad-hoc functions through Zapier's real z object and middleware.
const appTester = createAppTester({ version: "0.0.0", platformVersion: zapier.version })

let sandbox: SandboxServer
beforeAll(async () => {
  // A short GHL burst window, so that a 429 asks for a wait that fits in one step.
  sandbox = await startSandbox({
    seed: 7,
    simulators: {
      keap: keapSimulator({ contacts: 30 }),
      ghl: ghlSimulator({ contacts: 30, rateLimits: { burst: { limit: 100, windowMs: 2_000 } } }),
    },
  })
})
afterAll(() => sandbox.close())
beforeEach(() => sandbox.faults.clear())

const keapWithKey = (key: string) =>
  KeapClient.layer({ baseUrl: sandbox.keap.baseUrl }).pipe(Layer.provide(KeapAuth.layerApiKey(Redacted.make(key))))

const keapWithToken = (token: string) =>
  KeapClient.layer({ baseUrl: sandbox.keap.baseUrl }).pipe(
    Layer.provide(KeapAuth.layerAccessToken(Redacted.make(token))),
  )

const ghlWithPit = () =>
  GhlClient.layer({ baseUrl: sandbox.ghl.baseUrl, locationId: sandbox.credentials.ghl.locationId }).pipe(
    Layer.provide(GhlAuth.layerPrivateIntegrationToken(Redacted.make(sandbox.credentials.ghl.privateIntegrationToken))),
  )

const run = <A>(fn: (z: ZObject, bundle: Bundle) => Promise<A>): Promise<A> =>
  appTester(fn as never, { inputData: {}, authData: {} }) as Promise<A>

describe("z.request transport", () => {
  it("sends GET with a query and reads JSON through z.request", async () => {
    const contact = await run((z) =>
      Invocation.run(z, Contacts.get(3), keapWithKey(sandbox.credentials.keap.personalAccessToken), "key"),
    )
    expect(String(contact.id)).toBe("3")
    expect(sandbox.stats.route("GET /keap/crm/rest/v2/contacts/:id")).toBeGreaterThan(0)
  })

  it("sends JSON bodies and 204 answers", async () => {
    const key = sandbox.credentials.keap.personalAccessToken
    const created = await run((z) =>
      Invocation.run(
        z,
        Contacts.create({ given_name: "Zed", email_addresses: [{ email: "zed@example.com", field: "EMAIL1" }] }),
        keapWithKey(key),
        "key",
      ),
    )
    expect(created.given_name).toBe("Zed")
    await run((z) => Invocation.run(z, Tags.removeFromContacts(100, [created.id!]), keapWithKey(key), "key"))
  })

  it("sends form bodies (the OAuth code exchange) through z.request", async () => {
    const app = sandbox.credentials.keap.oauthApp
    const code = sandbox.keap.issueAuthorizationCode({ redirectUri: app.redirectUri })
    const tokens = await run((z) =>
      Invocation.run(
        z,
        KeapAuth.exchangeCode(
          { clientId: app.clientId, clientSecret: Redacted.make(app.clientSecret), tokenUrl: sandbox.keap.tokenUrl },
          code,
          app.redirectUri,
        ),
        Layer.empty,
        "oauth2",
      ),
    )
    expect(Redacted.value(tokens.accessToken).length).toBeGreaterThan(10)
    expect(tokens.refreshToken).toBeDefined()
  })
})

describe("errors in Zapier's terms", () => {
  it("a 401 on an OAuth connection becomes RefreshAuthError", async () => {
    await expect(
      run((z) => Invocation.run(z, Contacts.get(1), keapWithToken("not-a-valid-token"), "oauth2")),
    ).rejects.toMatchObject({ name: "RefreshAuthError" })
  })

  it("a 401 on a key connection becomes ExpiredAuthError", async () => {
    await expect(
      run((z) => Invocation.run(z, Contacts.get(1), keapWithKey("KeapAK-not-a-key"), "key")),
    ).rejects.toMatchObject({ name: "ExpiredAuthError" })
  })

  it("a 429 whose wait does not fit the step becomes ThrottledError with the wait in seconds", async () => {
    sandbox.faults.inject({ kind: "429", count: 10, path: "/keap/crm/rest/v2/contacts" })
    const error = await run((z) =>
      Invocation.run(z, Contacts.get(1), keapWithKey(sandbox.credentials.keap.personalAccessToken), "key"),
    ).catch((e: unknown) => e as Error)
    expect(error).toMatchObject({ name: "ThrottledError" })
    const { delay, message } = JSON.parse((error as Error).message) as { delay: number; message: string }
    expect(delay).toBeGreaterThanOrEqual(1)
    expect(message).toContain("rate limit")
  })

  it("a short 429 is waited out by the core inside the step", async () => {
    sandbox.faults.inject({ kind: "429", count: 1, path: "/ghl/contacts/" })
    const layer = ghlWithPit()
    const before = sandbox.stats.rateLimited
    const page = await run((z) => Invocation.run(z, GhlContacts.search({ pageLimit: 2 }), layer, "key"))
    expect(page.contacts).toHaveLength(2)
    expect(sandbox.stats.rateLimited).toBe(before + 1)
  })

  it("a provider error becomes z.errors.Error with the provider's message and trace id", async () => {
    const layer = ghlWithPit()
    const error = await run((z) => Invocation.run(z, GhlContacts.get("no-such-contact"), layer, "key")).catch(
      (e: unknown) => e as Error,
    )
    expect(error).toMatchObject({ name: "AppError" })
    const body = JSON.parse((error as Error).message) as { message: string; code: string; status: number }
    expect(body.code).toBe("NotFound")
    expect(body.status).toBe(404)
    expect(body.message).toContain("Contact not found")
    expect(body.message).toMatch(/\[trace [\w-]+\]/)
  })

  it("bad input is refused before sending, naming the field", async () => {
    const before = sandbox.stats.requests
    const error = await run((z) =>
      Invocation.run(
        z,
        Contacts.create({ email_addresses: [{ email: "not-an-email", field: "EMAIL1" }] }),
        keapWithKey(sandbox.credentials.keap.personalAccessToken),
        "key",
      ),
    ).catch((e: unknown) => e as Error)
    expect(JSON.parse((error as Error).message)).toMatchObject({ code: "Validation" })
    expect((error as Error).message).toContain("email")
    expect(sandbox.stats.requests).toBe(before)
  })

  it("an unreachable host is a Transport error, never a secret", async () => {
    const key = "KeapAK-secret-value-123456"
    const layer = KeapClient.layer({ baseUrl: "http://127.0.0.1:1/crm/rest" }).pipe(
      Layer.provide(Credentials.layerApiKeyHeader({ header: "X-Keap-API-Key", key: Redacted.make(key) })),
    )
    const error = await run((z) => Invocation.run(z, Contacts.get(1), layer, "key")).catch((e: unknown) => e as Error)
    expect(JSON.parse((error as Error).message)).toMatchObject({ code: "Transport" })
    expect((error as Error).message).not.toContain(key)
  }, 120_000)
})

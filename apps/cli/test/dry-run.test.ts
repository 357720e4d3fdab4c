/**
 * `--dry-run` stops at the request a command would send, after every check: it prints
 * it with the secrets redacted, exits 0, and the sandbox sees no request at all.
 */
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { crmkitAsync } from "./support.ts"

let sandbox: SandboxServer
let env: Record<string, string>
beforeAll(async () => {
  sandbox = await startSandbox({
    simulators: { keap: keapSimulator({ contacts: 5 }), ghl: ghlSimulator({ contacts: 5 }) },
  })
  env = {
    KEAP_API_KEY: sandbox.credentials.keap.personalAccessToken,
    KEAP_BASE_URL: sandbox.keap.baseUrl,
    GHL_ACCESS_TOKEN: sandbox.credentials.ghl.privateIntegrationToken,
    GHL_BASE_URL: sandbox.ghl.baseUrl,
    GHL_LOCATION_ID: sandbox.credentials.ghl.locationId,
  }
})
afterAll(() => sandbox?.close())

describe("--dry-run", () => {
  it("Keap: prints the create with the key redacted and sends nothing", async () => {
    const before = sandbox.stats.snapshot().requests
    const run = await crmkitAsync(["--dry-run", "keap", "contacts", "create", "--email", "ann@example.org"], env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/keap\/crm\/rest\/v2\/contacts\n/)
    expect(run.stdout).toContain("x-keap-api-key: <redacted>")
    expect(run.stdout).toContain('"email": "ann@example.org"')
    expect(run.stdout).not.toContain(sandbox.credentials.keap.personalAccessToken)
    expect(run.stderr).toContain("nothing was sent")
    expect(sandbox.stats.snapshot().requests).toBe(before)
  })

  it("HighLevel: prints the create, the location filled in, the token redacted, and sends nothing", async () => {
    const before = sandbox.stats.snapshot().requests
    const run = await crmkitAsync(["--dry-run", "ghl", "contacts", "create", "--first-name", "Ann"], env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/ghl\/contacts\/\n/)
    expect(run.stdout).toContain("authorization: <redacted>")
    expect(run.stdout).toContain(`"locationId": "${sandbox.credentials.ghl.locationId}"`)
    expect(run.stdout).not.toContain(sandbox.credentials.ghl.privateIntegrationToken)
    expect(sandbox.stats.snapshot().requests).toBe(before)
  })

  it("call: the same for an operation by id; bad input is still refused first (exit 2)", async () => {
    const before = sandbox.stats.snapshot().requests
    const call = await crmkitAsync(["--dry-run", "keap", "call", "createTag", "--body", '{"name":"VIP"}'], env)
    expect(call.code, call.stderr).toBe(0)
    expect(call.stdout).toMatch(/^POST .*\/v2\/tags\n/)
    const bad = await crmkitAsync(["--dry-run", "keap", "contacts", "create", "--email", "not-an-email"], env)
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe("")
    expect(sandbox.stats.snapshot().requests).toBe(before)
  })
})

/**
 * Zapier's own CLI on this app: offline validation of both variants, and build.zip, unpacked and
 * loaded through its zapierwrapper.js, running a real poll against the sandbox.
 */
import { fileURLToPath } from "node:url"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { buildZip, loadBuild, unpack, validate } from "@crmkit/zapier-shared/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const appDir = fileURLToPath(new URL("..", import.meta.url))

describe("zapier-platform CLI", () => {
  let sandbox: SandboxServer
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 13, simulators: { ghl: ghlSimulator({ contacts: 20 }) } })
    process.env.GHL_BASE_URL = sandbox.ghl.baseUrl
  })
  afterAll(() => sandbox.close())

  it("validate --without-style passes for the OAuth and the Private Integration Token app", () => {
    expect(validate(appDir, "oauth")).toContain("structurally sound")
    expect(validate(appDir, "key")).toContain("structurally sound")
  }, 300_000)

  it("build.zip holds everything the app needs: loaded from the zip, it polls", async () => {
    const build = await loadBuild(unpack(buildZip(appDir, "key")))
    expect(build.definition.authentication.type).toBe("custom")
    const tester = build.createAppTester(build.app)
    const authData = {
      private_integration_token: sandbox.credentials.ghl.privateIntegrationToken,
      location_id: sandbox.credentials.ghl.locationId,
    }
    const contacts = await tester(build.app.triggers.new_contact.operation.perform, { authData, inputData: {} })
    expect(contacts.length).toBeGreaterThan(0)
    expect(new Set(contacts.map((c: { id: string }) => c.id)).size).toBe(contacts.length)
  }, 300_000)
})

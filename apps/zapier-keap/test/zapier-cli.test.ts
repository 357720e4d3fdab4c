/**
 * Zapier's own CLI on this app: offline validation of both variants, and build.zip, unpacked and
 * loaded through its zapierwrapper.js, running a real search against the sandbox.
 */
import { fileURLToPath } from "node:url"
import type { SandboxServer } from "@crmkit/sandbox"
import { buildZip, loadBuild, unpack, validate } from "@crmkit/zapier-shared/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startKeapSandbox } from "./support.ts"

const appDir = fileURLToPath(new URL("..", import.meta.url))

describe("zapier-platform CLI", () => {
  let sandbox: SandboxServer
  beforeAll(async () => {
    sandbox = await startKeapSandbox()
  })
  afterAll(() => sandbox.close())

  it("validate --without-style passes for the OAuth and the API-key app", () => {
    expect(validate(appDir, "oauth")).toContain("structurally sound")
    expect(validate(appDir, "key")).toContain("structurally sound")
  }, 300_000)

  it("build.zip holds everything the app needs: loaded from the zip, it connects and searches", async () => {
    const build = await loadBuild(unpack(buildZip(appDir, "oauth")))
    expect(Object.keys(build.definition.triggers)).toContain("new_contact")
    expect(build.definition.authentication.type).toBe("oauth2")

    const tester = build.createAppTester(build.app)
    const redirectUri = sandbox.credentials.keap.oauthApp.redirectUri
    const code = sandbox.keap.issueAuthorizationCode({ redirectUri })
    const authData = await tester(build.app.authentication.oauth2Config.getAccessToken, {
      inputData: { code, redirect_uri: redirectUri },
    })
    const found = await tester(build.app.searches.find_contact.operation.perform, {
      authData,
      inputData: { contact_id: "7" },
    })
    expect(found.map((c: { id: string }) => c.id)).toEqual(["7"])
  }, 300_000)
})

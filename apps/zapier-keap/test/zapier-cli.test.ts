/**
 * Zapier's own CLI on this app: offline validation of both variants, and build.zip, unpacked and
 * loaded through its zapierwrapper.js, running a real search against the sandbox.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
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

/*
 * The publishing steps: everything up to the upload runs for real (offline validation, the
 * bundle, build.zip staged); the steps that talk to Zapier are checked in --dry-run, the
 * exact zapier-platform commands printed and their secrets redacted. In this file: they
 * bundle and stage the app like the tests above, one after the other.
 */
const publish = (args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, ["../zapier-shared/publish.ts", ...args], {
    cwd: appDir,
    encoding: "utf8",
    timeout: 300_000,
  })

describe("publishing the Zapier app", () => {
  it("push: stages a validated build.zip for real, then would upload exactly that", () => {
    const run = publish(["push", "--dry-run"])
    expect(run.status, run.stderr).toBe(0)
    const staged = /staged oauth build: (\S+build\.zip)/.exec(run.stdout)?.[1]
    expect(staged).toBeDefined()
    expect(existsSync(staged!)).toBe(true)
    expect(run.stdout).toMatch(/would run: zapier-platform upload {3}\(in \S+crmkit-zapier-keap-oauth\)/)
  }, 300_000)

  it("env, invite, promote and migrate name the exact commands; a secret value is never printed", () => {
    const env = publish(["env", "1.0.0", "CLIENT_ID=app-123", "CLIENT_SECRET=very-secret-value", "--dry-run"])
    expect(env.status, env.stderr).toBe(0)
    expect(env.stdout).toContain(
      "would run: zapier-platform env:set 1.0.0 CLIENT_ID=<redacted> CLIENT_SECRET=<redacted>",
    )
    expect(env.stdout + env.stderr).not.toContain("very-secret-value")
    expect(publish(["invite", "ann@example.org", "1.0.0", "--dry-run"]).stdout).toContain(
      "would run: zapier-platform users:add ann@example.org 1.0.0",
    )
    expect(publish(["promote", "1.0.1", "--dry-run"]).stdout).toContain("would run: zapier-platform promote 1.0.1")
    expect(publish(["migrate", "1.0.0", "1.0.1", "50", "--dry-run"]).stdout).toContain(
      "would run: zapier-platform migrate 1.0.0 1.0.1 50",
    )
    expect(publish(["register", "Keap (crmkit)", "--dry-run"]).stdout).toContain(
      "would run: zapier-platform register Keap (crmkit)",
    )
  })

  it("refuses bad steps before running anything, with the usage", () => {
    const bad = publish(["env", "1.0.0", "client_secret", "--dry-run"])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain("env takes NAME=value")
    expect(bad.stderr).toContain("usage: pnpm zapier:publish")
    expect(publish(["promote", "--dry-run"]).status).toBe(2)
    expect(publish(["launch"]).stderr).toContain("unknown step launch")
  })
})

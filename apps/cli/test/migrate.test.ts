/**
 * `crmkit migrate` as users run it, against a sandbox this test serves (so that it outlives the
 * CLI processes): bad input exits 2 before any request; `plan` writes the mapping proposals and
 * no record; `run` killed with SIGKILL twice and run again ends with every record in GHL once.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RateLimit } from "@crmkit/core"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { Contacts, KeapAuth, KeapClient, Notes, Opportunities, Tasks } from "@crmkit/keap"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { crmkitAsync, crmkitProcess, sandboxEnv } from "./support.ts"

const CONTACTS = 100
const NOTES = 40
const TASKS = 20
const OPPORTUNITIES = 12

describe("crmkit migrate", () => {
  let sandbox: SandboxServer
  let env: Record<string, string>
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-migrate-cli-"))
  const state = path.join(dir, "state.db")
  const mapping = path.join(dir, "mapping.yaml")
  const writes = () =>
    Object.fromEntries(
      Object.entries(sandbox.stats.snapshot().byRoute).filter(
        ([route]) => !route.startsWith("GET ") && !route.endsWith("/contacts/search"),
      ),
    )

  beforeAll(async () => {
    sandbox = await startSandbox({
      simulators: {
        keap: keapSimulator({ rateLimits: false, contacts: CONTACTS }),
        ghl: ghlSimulator({ rateLimits: false, contacts: 0 }),
      },
    })
    const keap = KeapClient.layer({ baseUrl: sandbox.keap.baseUrl }).pipe(
      Layer.provide(KeapAuth.layerApiKey(Redacted.make(sandbox.credentials.keap.personalAccessToken))),
      Layer.provide(RateLimit.layerMemory),
      Layer.provide(NodeHttpClient.layerUndici),
    )
    await Effect.runPromise(
      Effect.gen(function* () {
        for (let i = 0; i < NOTES; i++)
          yield* Notes.create(1 + ((i * 7) % CONTACTS), {
            title: `Note ${i}`,
            text: `Text ${i}`,
            user_id: "1",
          } as never)
        for (let i = 0; i < TASKS; i++)
          yield* Tasks.create({
            title: `Task ${i}`,
            contact_id: String(1 + ((i * 3) % CONTACTS)),
            assigned_to_user_id: "1",
          } as never)
        for (let i = 0; i < OPPORTUNITIES; i++)
          yield* Opportunities.create({
            opportunity_title: `Deal ${i}`,
            contact_id: String(1 + i),
            stage_id: String(1 + (i % 3)),
          } as never)
        // One contact whose phone is no number: skipped and reported, never sent.
        yield* Contacts.create({
          given_name: "Bad",
          email_addresses: [{ email: "bad.phone@example.org", field: "EMAIL1" }],
          phone_numbers: [{ number: "555", field: "PHONE1" }],
        } as never)
      }).pipe(Effect.provide(keap)),
    )
    env = sandboxEnv(sandbox)
  })
  afterAll(() => sandbox?.close())

  const sides = ["--from", "keap", "--to", "ghl", "--state", state, "--mapping", mapping]

  it("exits 2 on bad input, naming it, before any request", async () => {
    const before = sandbox.stats.requests
    const same = await crmkitAsync(["migrate", "plan", "--from", "keap", "--to", "keap", "--state", state], env)
    expect(same.code).toBe(2)
    expect(same.stderr).toMatch(/--from and --to name the same CRM/)
    const unknown = await crmkitAsync(["migrate", "plan", "--from", "salesforce", "--to", "ghl", "--state", state], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/--from salesforce: unknown CRM/)
    const noMapping = await crmkitAsync(["migrate", "run", ...sides], env)
    expect(noMapping.code).toBe(2)
    expect(noMapping.stderr).toMatch(/no mapping file .*mapping\.yaml: run `crmkit migrate plan/)
    const broken = path.join(dir, "broken.yaml")
    fs.writeFileSync(broken, "version: 1\nconflicts:\n  contact: last-wins\n")
    const badPolicy = await crmkitAsync(["migrate", "run", ...sides.slice(0, -1), broken], env)
    expect(badPolicy.code).toBe(2)
    expect(badPolicy.stderr).toMatch(/conflicts\.contact: unknown policy "last-wins"/)
    const noDir = await crmkitAsync(
      ["migrate", "plan", "--from", "keap", "--to", "ghl", "--state", "/nonexistent/dir/s.db"],
      env,
    )
    expect(noDir.code).toBe(2)
    expect(noDir.stderr).toMatch(/directory \/nonexistent\/dir does not exist/)
    const writers = await crmkitAsync(["migrate", "run", ...sides, "--writers", "0"], env)
    expect(writers.code).toBe(2)
    expect(writers.stderr).toMatch(/--writers 0: between 1 and 64/)
    expect(sandbox.stats.requests).toBe(before)
    // No secret in what it prints.
    for (const out of [same, unknown, noMapping, badPolicy, noDir, writers])
      expect(out.stderr + out.stdout).not.toContain(env.GHL_ACCESS_TOKEN as string)
  })

  it("plan writes the mapping proposals and no record; the report goes to --report", async () => {
    const before = writes()
    const report = path.join(dir, "plan.json")
    const planned = await crmkitAsync(["migrate", "plan", ...sides, "--report", report], env)
    expect(planned.code, planned.stderr).toBe(0)
    expect(writes()).toEqual(before)
    expect(planned.stderr).toMatch(/mapping proposals written to/)
    const text = fs.readFileSync(mapping, "utf8")
    expect(text).toMatch(/Qualified: null/)
    const json = JSON.parse(fs.readFileSync(report, "utf8"))
    expect(json.entities.contact.create).toBe(CONTACTS)
    expect(json.entities.contact.skipped).toEqual([
      {
        id: String(CONTACTS + 1),
        reason: expect.stringMatching(/phone_numbers\.PHONE1: not a valid phone number.*"555"/),
      },
    ])
    // Opportunities in stages nobody mapped yet are reported, not sent.
    expect(json.entities.opportunity.skipped.length).toBeGreaterThan(0)
    expect(json.entities.opportunity.skipped[0].reason).toMatch(
      /stage "(Qualified|Won)" of pipeline "Default" is not mapped/,
    )
    // The person edits the proposals.
    fs.writeFileSync(
      mapping,
      text
        .replace("Qualified: null", "Qualified: Quote sent")
        .replace("Won: null", "Won: Closing")
        .replace("sales@sandbox.example.com: null", "sales@sandbox.example.com: owner@sandbox.example.com"),
    )
    const again = await crmkitAsync(["migrate", "plan", ...sides], env)
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout).entities.opportunity.create).toBe(OPPORTUNITIES)
  })

  it("run killed with SIGKILL twice, then run again: every record in GHL exactly once, verify agrees", async () => {
    const before = writes()
    for (let kill = 0; kill < 2; kill++) {
      const run = crmkitProcess(["migrate", "run", ...sides, "--progress"], env)
      let stderr = ""
      // Killed at a random point once it has started writing.
      await new Promise<void>((resolve) => {
        run.child.stderr?.on("data", (chunk: Buffer) => {
          stderr += chunk
          if (/[1-9]\d* writes/.test(stderr)) resolve()
        })
        run.done.then(() => resolve())
      })
      await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 1500)))
      run.child.kill("SIGKILL")
      const ended = await run.done
      expect(ended.code).toBeNull()
    }
    const links: Record<string, number> = (
      await crmkitAsync(["migrate", "status", "--state", state], env).then((r) => JSON.parse(r.stdout))
    ).links
    const moved = Object.values(links).reduce((a, b) => a + b, 0)
    // Both kills fell mid-run: some records had moved, not all.
    expect(moved).toBeGreaterThan(0)
    expect(moved).toBeLessThan(CONTACTS + NOTES + TASKS + OPPORTUNITIES)
    const last = await crmkitAsync(["migrate", "run", ...sides], env)
    expect(last.code, last.stderr).toBe(0)
    const after = writes()
    const delta = (route: string) => (after[route] ?? 0) - (before[route] ?? 0)
    expect(delta("POST /ghl/contacts/")).toBe(CONTACTS)
    expect(delta("POST /ghl/contacts/:contactId/notes")).toBe(NOTES)
    expect(delta("POST /ghl/contacts/:contactId/tasks")).toBe(TASKS)
    expect(delta("POST /ghl/opportunities/")).toBe(OPPORTUNITIES)
    const verify = await crmkitAsync(["migrate", "verify", "--from", "keap", "--to", "ghl", "--state", state], env)
    expect(verify.code, verify.stderr).toBe(0)
    const result = JSON.parse(verify.stdout)
    expect(result.ok).toBe(true)
    expect(result.entities.contact.linked).toBe(CONTACTS)
    expect(result.entities.note.linked).toBe(NOTES)
    expect(result.entities.task.linked).toBe(TASKS)
    expect(result.entities.opportunity.linked).toBe(OPPORTUNITIES)
    // A second run sends no write.
    const quiet = await crmkitAsync(["migrate", "run", ...sides], env)
    expect(quiet.code).toBe(0)
    expect(JSON.parse(quiet.stdout).writes).toBe(0)
    expect(writes()).toEqual(after)
  })
})

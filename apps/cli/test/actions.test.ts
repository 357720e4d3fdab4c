/**
 * `crmkit <provider> <resource> <action>` against a sandbox this test serves, so that a
 * change made by one command is seen by the next (the `--sandbox` flag would give each run
 * a fresh one).
 */

import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { crmkit, crmkitAsync } from "./support.ts"

let sandbox: SandboxServer
let keap: (args: ReadonlyArray<string>) => ReturnType<typeof crmkitAsync>
let ghl: (args: ReadonlyArray<string>) => ReturnType<typeof crmkitAsync>

beforeAll(async () => {
  sandbox = await startSandbox({
    simulators: { keap: keapSimulator({ contacts: 320 }), ghl: ghlSimulator({ contacts: 320 }) },
  })
  keap = (args) =>
    crmkitAsync(["--base-url", sandbox.keap.baseUrl, "keap", ...args], {
      KEAP_API_KEY: sandbox.credentials.keap.personalAccessToken,
    })
  ghl = (args) =>
    crmkitAsync(["--base-url", sandbox.ghl.baseUrl, "ghl", ...args], {
      GHL_ACCESS_TOKEN: sandbox.credentials.ghl.privateIntegrationToken,
      GHL_LOCATION_ID: sandbox.credentials.ghl.locationId,
    })
})
afterAll(() => sandbox.close())

const lines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe("resource commands", () => {
  it("derive their flags from the actions' Schemas and show them in --help", () => {
    const apply = crmkit(["keap", "tags", "apply", "--help"])
    expect(apply.code).toBe(0)
    expect(apply.stdout).toMatch(/--tag string\s+The tag id \(required\)/)
    expect(apply.stdout).toMatch(/--contact string\s+Contact ids \(comma-separated\)/)
    // The spec's request body fields, kebab-cased.
    const create = crmkit(["keap", "contacts", "create", "--help"])
    expect(create.stdout).toContain("--given-name")
    expect(create.stdout).toContain("--duplicate-option")
    const search = crmkit(["ghl", "contacts", "search", "--help"])
    expect(search.stdout).toContain("--query")
    expect(search.stdout).toContain("--all")
    expect(search.stdout).toContain("--limit")
  })

  it("apply a Keap tag to several contacts and remove it again", async () => {
    const [tag] = lines((await keap(["tags", "list", "--limit", "1", "--format", "ndjson"])).stdout)
    const contacts = lines((await keap(["contacts", "list", "--limit", "3", "--format", "ndjson"])).stdout)
    expect(contacts).toHaveLength(3)
    const ids = contacts.map((c) => String(c.id))
    const applied = await keap([
      "tags",
      "apply",
      "--tag",
      String(tag!.id),
      "--contact",
      ids.join(","),
      "--format",
      "json",
    ])
    expect(applied.stderr).toBe("")
    expect(applied.code).toBe(0)
    const tagged = lines(
      (await keap(["contacts", "get", "--id", ids[1]!, "--fields", "id,tag_ids", "--format", "ndjson"])).stdout,
    )[0]!
    expect(tagged.tag_ids).toContain(String(tag!.id))
    const removed = await keap(["tags", "remove", "--tag", String(tag!.id), "--contact", ids.join(",")])
    expect(removed.code).toBe(0)
    const untagged = lines(
      (await keap(["contacts", "get", "--id", ids[1]!, "--fields", "id,tag_ids", "--format", "ndjson"])).stdout,
    )[0]!
    expect(untagged.tag_ids).not.toContain(String(tag!.id))
  })

  it("create a Keap contact from the spec's fields plus --email, and find it with a filter", async () => {
    const created = await keap([
      "contacts",
      "create",
      "--given-name",
      "Ada",
      "--family-name",
      "Lovelace",
      "--email",
      "ada@example.com",
      "--format",
      "json",
    ])
    expect(created.code).toBe(0)
    const contact = JSON.parse(created.stdout) as { id: string; given_name: string }
    expect(contact.given_name).toBe("Ada")
    const found = lines((await keap(["contacts", "list", "--filter", "given_name==Ada", "--all"])).stdout)
    expect(found.map((c) => String(c.id))).toContain(String(contact.id))
  })

  it("refuse bad input before sending: a bad id, a filter with injected syntax, a missing flag", async () => {
    const requests = sandbox.stats.requests
    const badId = await keap(["tags", "apply", "--tag", "12x", "--contact", "1"])
    expect(badId.code).toBe(2)
    expect(badId.stderr).toContain("tag_id")
    const injected = await keap(["contacts", "list", "--filter", "given_name==a;owner_id==1"])
    expect(injected.code).toBe(2)
    expect(injected.stderr).toMatch(/';' \(it separates conditions\)/)
    const missing = await keap(["tags", "apply", "--tag", "100"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("--contact")
    const badEnum = await ghl(["opportunities", "search", "--status", "maybe"])
    expect(badEnum.code).toBe(2)
    expect(sandbox.stats.requests).toBe(requests)
  })

  it("stream every page of a GHL contact search with --all, progress on stderr only", async () => {
    const run = await ghl(["contacts", "search", "--all", "--page-size", "50", "--progress"])
    expect(run.code).toBe(0)
    const records = lines(run.stdout)
    expect(records).toHaveLength(320)
    expect(new Set(records.map((r) => r.id)).size).toBe(320)
    // 320 records at 50 a page: 7 requests, counted and reported on stderr.
    expect(run.stderr).toMatch(/progress: 320 records · 7 requests · \d+\.\ds rate-limit waits/)
    const limited = await ghl(["contacts", "search", "--limit", "5"])
    expect(lines(limited.stdout)).toHaveLength(5)
  })

  it("run GHL actions that take the default location: add tags, notes, tasks", async () => {
    const [contact] = lines((await ghl(["contacts", "search", "--limit", "1"])).stdout)
    const id = String(contact!.id)
    expect((await ghl(["contacts", "add-tags", "--contact", id, "--tags", "vip,crmkit"])).code).toBe(0)
    const tagged = JSON.parse((await ghl(["contacts", "get", "--id", id, "--format", "json"])).stdout) as {
      contact: { tags: Array<string> }
    }
    expect(tagged.contact.tags).toEqual(expect.arrayContaining(["vip", "crmkit"]))
    const note = await ghl(["notes", "create", "--contact", id, "--body", "Called back", "--format", "json"])
    expect(note.code).toBe(0)
    const notes = JSON.parse((await ghl(["notes", "list", "--contact", id, "--format", "json"])).stdout) as {
      notes: Array<{ body: string }>
    }
    expect(notes.notes.map((n) => n.body)).toContain("Called back")
  })
})

/**
 * A third CRM, registered with the CLI by one line (test/support/crmkitWithTestCrm.ts):
 * the test-only TestCRM connector and its simulator run through the generic commands.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import type { SandboxServer } from "@crmkit/sandbox"
import { startSandbox } from "@crmkit/sandbox"
import { simulator } from "@crmkit/testcrm/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nodeProcess } from "./support.ts"

const entry = path.join(import.meta.dirname, "support", "crmkitWithTestCrm.ts")
const children: Array<ChildProcess> = []
let sandbox: SandboxServer

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, simulators: { testcrm: simulator({ contacts: 45 }) } })
})
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await sandbox.close()
})

// Asynchronous: the sandbox these commands talk to is served by this test process.
const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => nodeProcess([entry, ...args], env).done

const lines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>)

describe("a third connector in the CLI", () => {
  it("lists every page of its records, from the embedded sandbox and from a key in the environment", async () => {
    const embedded = await run(["--sandbox", "testcrm", "deals", "list", "--all", "--format", "ndjson"])
    expect(embedded.stderr).toBe("")
    expect(embedded.code).toBe(0)
    expect(lines(embedded.stdout)).toHaveLength(250)

    const env = { TESTCRM_API_KEY: sandbox.credentials.testcrm.apiKey }
    const byId = await run(
      ["--base-url", sandbox.testcrm.baseUrl, "testcrm", "call", "list-deals", "--all", "--page-size", "10"],
      env,
    )
    expect(byId.stderr).toBe("")
    const ids = lines(byId.stdout).map((deal) => deal.id)
    expect(ids).toHaveLength(45)
    expect(new Set(ids).size).toBe(45)
    // 45 records at 10 a page: five requests, each with the previous page's cursor.
    expect(sandbox.stats.route("GET /testcrm/v1/deals")).toBe(5)
  })

  it("creates a record, and refuses bad input before sending, naming the fields", async () => {
    const env = { TESTCRM_API_KEY: sandbox.credentials.testcrm.apiKey }
    const base = ["--base-url", sandbox.testcrm.baseUrl, "testcrm"]
    const created = await run(
      [...base, "deals", "create", "--title", "Annual plan", "--amount", "120000", "--format", "json"],
      env,
    )
    expect(created.stderr).toBe("")
    expect(JSON.parse(created.stdout)).toMatchObject({ id: "d46", title: "Annual plan", amount: 120000 })
    const before = sandbox.stats.requests
    const refused = await run([...base, "deals", "create", "--title", "", "--amount", "-5"], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("title")
    expect(refused.stderr).toContain("amount")
    const byId = await run([...base, "call", "create-deal", "--body", '{"title":7}'], env)
    expect(byId.code).toBe(2)
    expect(byId.stderr).toContain("body.title")
    expect(sandbox.stats.requests).toBe(before)
    expect(`${refused.stderr}${byId.stderr}`).not.toContain(sandbox.credentials.testcrm.apiKey)
  })

  it("receives its signed webhooks and refuses a tampered one", async () => {
    const child = spawn(
      process.execPath,
      [
        entry,
        "webhooks",
        "listen",
        "testcrm",
        "--port",
        "0",
        "--setting",
        `signingSecret=${sandbox.credentials.testcrm.signingSecret}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    )
    children.push(child)
    let out = ""
    let err = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk
    })
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        err += chunk
        const found = /listening for testcrm webhooks on (\S+)/.exec(err)?.[1]
        if (found) resolve(found)
      })
      child.on("exit", (code) => reject(new Error(`listener exited ${code}: ${err}`)))
    })
    const signed = sandbox.testcrm.sign({ type: "deal.created", id: "evt_1", data: { id: "d9", title: "Renewal" } })
    expect((await fetch(url, { method: "POST", headers: signed.headers, body: signed.body })).status).toBe(200)
    const tampered = signed.body.replace("Renewal", "Refund")
    expect((await fetch(url, { method: "POST", headers: signed.headers, body: tampered })).status).toBe(401)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(lines(out)).toEqual([
      { provider: "testcrm", type: "deal.created", id: "evt_1", data: { id: "d9", title: "Renewal" } },
    ])
    expect(err).toContain("refused (401): the signature does not match the body")
  })

  it("shows up in help and in the catalog like any other", async () => {
    const help = await run(["--help"])
    expect(help.stdout).toContain("testcrm")
    const catalog = await run(["testcrm", "operations", "--format", "json"])
    expect((JSON.parse(catalog.stdout) as Array<{ id: string }>).map((e) => e.id)).toEqual([
      "list-deals",
      "get-deal",
      "create-deal",
    ])
  })
})

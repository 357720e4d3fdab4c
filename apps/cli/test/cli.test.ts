/** Drives the built `crmkit` binary as a subprocess, as users and scripts do. */
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { bin, crmkit, loginKeap, sandboxProcess, sandboxServer as sandboxServerIn } from "./support.ts"

describe("crmkit", () => {
  it("shows help at every level", () => {
    const top = crmkit(["--help"])
    expect(top.code).toBe(0)
    expect(top.stdout).toContain("keap")
    expect(top.stdout).toContain("ghl")
    expect(top.stdout).toContain("--sandbox")
    const call = crmkit(["keap", "call", "--help"])
    expect(call.code).toBe(0)
    expect(call.stdout).toContain("--param")
    expect(call.stdout).toContain("--all")
  })

  it("lists the catalog as JSON with id, method and path", () => {
    const { code, stdout } = crmkit(["ghl", "operations", "--format", "json"])
    expect(code).toBe(0)
    const entries = JSON.parse(stdout) as Array<{ id: string; method: string; path: string }>
    expect(entries.length).toBe(576)
    expect(entries.find((e) => e.id === "get-contact")).toMatchObject({ method: "GET", path: "/contacts/{contactId}" })
  })

  it("serves every connector's simulator from `crmkit sandbox`, with the URLs and fake credentials", async () => {
    const summary = await sandboxProcess(children, ["--seed", "7", "--contacts", "12", "--rate-limits=false"])
    expect(Object.keys(summary.simulators).sort()).toEqual(["ghl", "keap"])
    const keap = summary.simulators.keap!
    expect(keap.endpoints.baseUrl).toBe(`${summary.url}/keap/crm/rest`)
    expect(keap.connection.credential.kind).toBe("pat")
    const page = (await (
      await fetch(`${keap.endpoints.baseUrl}/v1/contacts`, {
        headers: { "X-Keap-API-Key": keap.connection.credential.secret },
      })
    ).json()) as { count: number }
    expect(page.count).toBe(12)
    // The same seed gives the same credentials.
    const again = await sandboxProcess(children, ["--seed", "7"])
    expect(again.simulators.ghl!.credentials).toEqual(summary.simulators.ghl!.credentials)
    const bad = crmkit(["sandbox", "--port", "abc"])
    expect(bad.code).toBe(2)
  })

  it("streams every page of an operation against the embedded sandbox, keeping stdout clean", () => {
    const { code, stdout, stderr } = crmkit(["--sandbox", "ghl", "call", "get-contacts", "--all", "--page-size", "40"])
    expect(code).toBe(0)
    const lines = stdout.trim().split("\n")
    expect(lines.length).toBe(250)
    const ids = new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id))
    expect(ids.size).toBe(250)
    expect(stderr).toBe("")
  })

  it("fills the connection's location into every operation that takes one, on one call and on every page", () => {
    const one = crmkit(["--sandbox", "ghl", "call", "search-contacts-advanced", "--body", '{"pageLimit":5}'])
    expect(one.stderr).toBe("")
    expect(one.code).toBe(0)
    expect((JSON.parse(one.stdout) as { contacts: Array<unknown> }).contacts).toHaveLength(5)
    // No body at all: the search gets one made of the location and the page size.
    const every = crmkit(["--sandbox", "ghl", "call", "search-contacts-advanced", "--all", "--page-size", "100"])
    expect(every.stderr).toBe("")
    expect(every.code).toBe(0)
    expect(every.stdout.trim().split("\n")).toHaveLength(250)
  })

  it("the same resource has the same verbs on both providers, and a provider answers to its other name", () => {
    for (const provider of ["keap", "ghl", "highlevel"]) {
      const run = crmkit(["--sandbox", provider, "contacts", "list", "--limit", "3", "--format", "ndjson"])
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      expect(run.stdout.trim().split("\n")).toHaveLength(3)
    }
  })

  it("calls an operation by id and prints its result", () => {
    const { code, stdout } = crmkit([
      "--sandbox",
      "keap",
      "call",
      "getContact",
      "--param",
      "contact_id=7",
      "--format",
      "json",
    ])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ id: "7" })
  })

  it("refuses bad parameters before sending, with exit code 2 naming the field", () => {
    const { code, stderr } = crmkit(["--sandbox", "keap", "call", "listContacts", "--param", "page_size=lots"])
    expect(code).toBe(2)
    expect(stderr).toContain("page_size")
    const body = crmkit(["--sandbox", "keap", "call", "createContact", "--body", "{not json"])
    expect(body.code).toBe(2)
    expect(body.stderr).toContain("--body")
  })

  it("names a mistyped operation and suggests the right one", () => {
    const { code, stderr } = crmkit(["--sandbox", "keap", "call", "getContacts"])
    expect(code).toBe(2)
    expect(stderr).toContain("getContact")
  })

  it("an API error is one line with the status and exit code 1", () => {
    const { code, stderr } = crmkit(["--sandbox", "keap", "call", "getContact", "--param", "contact_id=987654321"])
    expect(code).toBe(1)
    expect(stderr.trim().split("\n")).toHaveLength(1)
    expect(stderr).toContain("NotFound (404)")
  })

  it("without credentials says which variables to set, exit code 2", () => {
    const { code, stderr } = crmkit(["keap", "call", "listContacts"])
    expect(code).toBe(2)
    expect(stderr).toContain("KEAP_API_KEY")
  })
})

const children: Array<ChildProcess> = []
afterAll(() => {
  for (const child of children) child.kill("SIGKILL")
})

describe("crmkit export", () => {
  /** A sandbox in its own process, so that an export can be killed and resumed against the same data. */
  const startServer = () => sandboxServerIn(children, ["--contacts", "1500"])

  it("resumes after being killed mid-way, with every record exactly once", async () => {
    const server = await startServer()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-export-"))
    const out = path.join(dir, "contacts.ndjson")
    const args = ["--base-url", server.baseUrl, "keap", "export", "contacts", "--out", out, "--page-size", "25"]
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", KEAP_API_KEY: server.apiKey }

    // Kill it once a few pages are checkpointed (PAT limits pace it at 10 pages a second).
    const first = spawn(process.execPath, [bin, ...args], { env, stdio: "ignore" })
    children.push(first)
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        try {
          const checkpoint = JSON.parse(fs.readFileSync(`${out}.checkpoint.json`, "utf8")) as { records: number }
          if (checkpoint.records >= 100) {
            clearInterval(timer)
            first.kill("SIGKILL")
            resolve()
          }
        } catch {
          // not written yet
        }
      }, 20)
      first.on("exit", (code) => {
        clearInterval(timer)
        if (code === 0) reject(new Error("the export finished before it could be interrupted"))
      })
    })
    if (first.exitCode === null && first.signalCode === null) await once(first, "exit")
    const partial = fs.readFileSync(out, "utf8").trim().split("\n").length
    expect(partial).toBeLessThan(1500)

    const again = crmkit(args, env)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("--resume")

    const resumed = crmkit([...args, "--resume"], env)
    expect(resumed.code).toBe(0)
    const records = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string })
    expect(records).toHaveLength(1500)
    expect(new Set(records.map((r) => r.id)).size).toBe(1500)
  })
})

describe("crmkit auth", () => {
  const sandboxServer = () => sandboxServerIn(children)

  it("refuses a key kind, a login option or a context the provider does not have, before anything", () => {
    const env = { CRMKIT_CONFIG_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-refused-")), CRMKIT_KEY: "k" }
    const kind = crmkit(["auth", "add", "keap", "--kind", "pit"], env)
    expect(kind.code).toBe(2)
    expect(kind.stderr).toContain("Keap keys are pat (Personal Access Token) or sak (Service Account Key), not pit")
    const context = crmkit(["auth", "add", "keap", "--kind", "pat", "--context", "locationId=x"], env)
    expect(context.code).toBe(2)
    expect(context.stderr).toContain("Keap has no context locationId")
    const option = crmkit(["auth", "login", "ghl", "--client-id", "c", "--option", "userType=Planet"], {
      ...env,
      CRMKIT_CLIENT_SECRET: "s",
    })
    expect(option.code).toBe(2)
    expect(option.stderr).toContain("--option userType must be Location or Company, not Planet")
    expect(fs.readdirSync(env.CRMKIT_CONFIG_DIR)).toEqual([])
  })

  it("saves a key from standard input, uses it, and never prints it", async () => {
    const server = await sandboxServer()
    const env = {
      PATH: process.env.PATH ?? "",
      CRMKIT_CONFIG_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-auth-")),
    }
    const added = crmkit(
      ["--base-url", server.baseUrl, "auth", "add", "keap", "--kind", "pat"],
      env,
      `${server.apiKey}\n`,
    )
    expect(added.code).toBe(0)
    const status = crmkit(["auth", "status"], env)
    expect(status.stdout).toContain("pat")
    expect(status.stdout).toContain(server.apiKey.slice(-4))
    expect(`${added.stdout}${added.stderr}${status.stdout}`).not.toContain(server.apiKey)
    const stored = fs.statSync(path.join(env.CRMKIT_CONFIG_DIR, "credentials.json"))
    expect(stored.mode & 0o777).toBe(0o600)
    const call = crmkit(["keap", "call", "getContact", "--param", "contact_id=2", "--format", "json"], env)
    expect(call.code).toBe(0)
    expect(JSON.parse(call.stdout)).toMatchObject({ id: "2" })
    expect(crmkit(["auth", "logout", "keap"], env).code).toBe(0)
    expect(crmkit(["keap", "call", "getContact", "--param", "contact_id=2"], env).code).toBe(2)
  })

  it("logs in with OAuth through a loopback redirect (state, PKCE) and keeps the refreshed pair", async () => {
    const server = await sandboxServer()
    const app = (await (await fetch(`${server.url}/__sandbox/credentials`)).json()) as {
      keap: { oauthApp: { clientId: string; clientSecret: string } }
    }
    const env = {
      PATH: process.env.PATH ?? "",
      CRMKIT_CONFIG_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-login-")),
      CRMKIT_CLIENT_SECRET: app.keap.oauthApp.clientSecret,
    }
    const { consentUrl, page, code, stderr } = await loginKeap(children, server, env, app.keap.oauthApp.clientId, [
      "--pkce",
    ])
    expect(new URL(consentUrl).searchParams.get("code_challenge_method")).toBe("S256")
    expect(page).toContain("signed in")
    expect(code).toBe(0)
    expect(stderr).not.toContain(app.keap.oauthApp.clientSecret)

    const before = crmkit(["auth", "status"], env).stdout
    await fetch(`${server.url}/__sandbox/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceMs: 25 * 3_600_000 }),
    })
    const call = crmkit(["keap", "call", "listContacts", "--param", "page_size=1", "--format", "json"], env)
    expect(call.code).toBe(0)
    const stats = (await (await fetch(`${server.url}/__sandbox/stats`)).json()) as { refreshes: number }
    expect(stats.refreshes).toBe(1)
    const after = crmkit(["auth", "status"], env).stdout
    expect(after).not.toBe(before)
    expect(fs.readFileSync(path.join(env.CRMKIT_CONFIG_DIR, "profiles.json"), "utf8")).not.toContain(
      app.keap.oauthApp.clientSecret,
    )
  })
})

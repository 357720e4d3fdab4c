/**
 * Several crmkit processes sharing one saved OAuth profile, as cron jobs and scripts do.
 * Both CRMs spend a refresh token on use: only one process may refresh, and the others
 * must use the pair it saved.
 */
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RedisServer, startRedis } from "../../../packages/core/test/support/redisServer.ts"
import { crmkit, crmkitAsync, crmkitProcess, loginKeap, loginWith, type Run, sandboxServer } from "./support.ts"

const children: Array<ChildProcess> = []
let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await redis?.stop()
})

interface Stats {
  readonly refreshes: number
  readonly rejectedRefreshes: number
  readonly abandoned: number
  readonly tokenGrants: number
  readonly byRoute: Record<string, number>
}

const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) => {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** The lock files of single credentials (not the whole file's `credentials.json.lock`). */
const credentialLocks = (dir: string) =>
  fs.readdirSync(dir).filter((name) => /^credentials\.json\.[0-9a-f]{16}\.lock$/.test(name))

const loggedInProfile = async (storeEnv: Record<string, string> = {}) => {
  const server = await sandboxServer(children)
  const app = (await (await fetch(`${server.url}/__sandbox/credentials`)).json()) as {
    keap: { oauthApp: { clientId: string; clientSecret: string } }
  }
  const env = {
    PATH: process.env.PATH ?? "",
    CRMKIT_CONFIG_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-shared-")),
    CRMKIT_CLIENT_SECRET: app.keap.oauthApp.clientSecret,
    ...storeEnv,
  }
  const login = await loginKeap(children, server, env, app.keap.oauthApp.clientId)
  expect(login.code).toBe(0)
  // A night passes: the sandbox refuses the saved access token from now on.
  await advanceClock(server.url, 25 * 3_600_000)
  const stats = async () => (await (await fetch(`${server.url}/__sandbox/stats`)).json()) as Stats
  return { server, env, stats, clientId: app.keap.oauthApp.clientId }
}

const advanceClock = (url: string, advanceMs: number) =>
  fetch(`${url}/__sandbox/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ advanceMs }),
  })

/** Every value under crmkit's token prefix, as anyone who can read that Redis sees it. */
const redisValues = async (url: string): Promise<Array<string>> => {
  const { createClient } = await import("redis")
  const client = createClient({ url })
  await client.connect()
  try {
    const keys = await client.keys("crmkit:tokens:token:*")
    return Promise.all(keys.map(async (key) => String(await client.get(key))))
  } finally {
    await client.close()
  }
}

/** Every run succeeded, quietly, with the two records it asked for. */
const expectEachListedTwo = (runs: ReadonlyArray<Run>) => {
  for (const run of runs) {
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toHaveLength(2)
  }
}

const listContacts = (env: Record<string, string>) =>
  crmkitAsync(["keap", "contacts", "list", "--limit", "2", "--format", "json"], env)

/** A GHL agency (Company) login that works in the sandbox's location, saved in its own config folder. */
const agencyProfile = async () => {
  const server = await sandboxServer(children)
  const sandbox = (await (await fetch(`${server.url}/__sandbox/credentials`)).json()) as {
    ghl: { oauthApp: { clientId: string; clientSecret: string }; locationId: string; companyId: string }
  }
  const env = {
    PATH: process.env.PATH ?? "",
    CRMKIT_CONFIG_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-agency-")),
    CRMKIT_CLIENT_SECRET: sandbox.ghl.oauthApp.clientSecret,
  }
  const login = await loginWith(
    children,
    {
      provider: "ghl",
      baseUrl: `${server.url}/ghl`,
      authorizeUrl: `${server.url}/ghl/oauth/chooselocation`,
      tokenUrl: `${server.url}/ghl/oauth/token`,
      clientId: sandbox.ghl.oauthApp.clientId,
      consent: { user_type: "Company" },
    },
    env,
    [
      "--option",
      "userType=Company",
      "--context",
      `locationId=${sandbox.ghl.locationId}`,
      "--scope",
      "contacts.readonly contacts.write locations.readonly oauth.readonly oauth.write",
    ],
  )
  expect(login.stderr).toContain("Signed in")
  expect(login.code).toBe(0)
  const search = () => crmkitAsync(["ghl", "contacts", "search", "--limit", "2", "--format", "json"], env)
  const stats = async () => (await (await fetch(`${server.url}/__sandbox/stats`)).json()) as Stats
  const mints = (s: Stats) => s.byRoute["POST /ghl/oauth/locationToken"] ?? 0
  return { server, sandbox, env, search, stats, mints }
}

describe("one saved OAuth profile shared by several processes", () => {
  it("four processes on an expired token: one refresh, none refused, all succeed", async () => {
    const { env, stats } = await loggedInProfile()
    const runs = await Promise.all([1, 2, 3, 4].map(() => listContacts(env)))
    expectEachListedTwo(runs)
    const after = await stats()
    expect(after.refreshes).toBe(1)
    expect(after.rejectedRefreshes).toBe(0)
    // The lock files are gone once every holder let go.
    const left = fs.readdirSync(env.CRMKIT_CONFIG_DIR).filter((name) => name.endsWith(".lock"))
    expect(left).toEqual([])
  }, 60_000)

  it("the lock holder killed mid-refresh (SIGKILL): the others take over and none fails", async () => {
    const { server, env, stats } = await loggedInProfile()
    // The first refresh is held back long enough to kill its sender while it waits.
    await fetch(`${server.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "latency", latencyMs: 4_000, path: "/keap/token", method: "POST" }),
    })
    const tokenRequests = async () => (await stats()).byRoute["POST /keap/token"] ?? 0
    const before = await tokenRequests()
    const holder = crmkitProcess(["keap", "contacts", "list", "--limit", "2", "--format", "json"], env)
    children.push(holder.child)
    await until("the refresh to be in flight", async () => (await tokenRequests()) > before)
    const [lock] = credentialLocks(env.CRMKIT_CONFIG_DIR)
    expect(lock).toBeDefined()
    expect(JSON.parse(fs.readFileSync(path.join(env.CRMKIT_CONFIG_DIR, lock!), "utf8")).pid).toBe(holder.child.pid)

    const others = [1, 2, 3].map(() => listContacts(env))
    await new Promise((resolve) => setTimeout(resolve, 500))
    holder.child.kill("SIGKILL")
    const killed = await holder.done
    expect(killed.code).toBeNull()

    expectEachListedTwo(await Promise.all(others))
    // The killed process's refresh was dropped unserved once its hold ran out.
    await until("the killed refresh to be dropped", async () => (await stats()).abandoned > 0)
    const after = await stats()
    expect(after.abandoned).toBe(1)
    expect(after.refreshes).toBe(1)
    expect(after.rejectedRefreshes).toBe(0)
    expect(credentialLocks(env.CRMKIT_CONFIG_DIR)).toEqual([])
  }, 60_000)

  it("GHL agency profile: four processes on expired agency and location tokens, one refresh and one mint", async () => {
    const { server, sandbox, env, search, stats, mints } = await agencyProfile()

    // The first run mints the location's token with the agency's and saves it beside it.
    const first = await search()
    expect(first.stderr).toBe("")
    expect(first.code).toBe(0)
    const before = await stats()
    expect(mints(before)).toBe(1)
    const saved = JSON.parse(fs.readFileSync(path.join(env.CRMKIT_CONFIG_DIR, "credentials.json"), "utf8")) as {
      tokens: Record<string, unknown>
    }
    expect(Object.keys(saved.tokens)).toEqual(
      expect.arrayContaining([`ghl:company:${sandbox.ghl.companyId}`, `ghl:location:${sandbox.ghl.locationId}`]),
    )

    // A night passes: both the agency's and the location's access tokens are stale.
    await advanceClock(server.url, 25 * 3_600_000)
    const runs = await Promise.all([1, 2, 3, 4].map(() => search()))
    expectEachListedTwo(runs)
    const after = await stats()
    expect(after.refreshes - before.refreshes).toBe(1)
    expect(after.rejectedRefreshes).toBe(0)
    // One agency refresh and one location token issued (the first mint, sent with the agency
    // token our clock still trusted, was refused with a 401 and sent again after the refresh).
    expect(after.tokenGrants - before.tokenGrants).toBe(2)
    expect(mints(after) - mints(before)).toBeLessThanOrEqual(2)
    expect(credentialLocks(env.CRMKIT_CONFIG_DIR)).toEqual([])
  }, 60_000)

  it("GHL agency profile: the holder killed mid-refresh of the agency pair, the others take over", async () => {
    const { server, env, stats } = await agencyProfile()
    await advanceClock(server.url, 25 * 3_600_000)
    await fetch(`${server.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "latency", latencyMs: 4_000, path: "/ghl/oauth/token", method: "POST" }),
    })
    const tokenRequests = async () => (await stats()).byRoute["POST /ghl/oauth/token"] ?? 0
    const before = await tokenRequests()
    const holder = crmkitProcess(["ghl", "contacts", "search", "--limit", "2", "--format", "json"], env)
    children.push(holder.child)
    await until("the agency refresh to be in flight", async () => (await tokenRequests()) > before)
    const others = [1, 2, 3].map(() =>
      crmkitAsync(["ghl", "contacts", "search", "--limit", "2", "--format", "json"], env),
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    holder.child.kill("SIGKILL")
    expect((await holder.done).code).toBeNull()
    expectEachListedTwo(await Promise.all(others))
    await until("the killed refresh to be dropped", async () => (await stats()).abandoned > 0)
    const after = await stats()
    expect(after.refreshes).toBe(1)
    expect(after.rejectedRefreshes).toBe(0)
    expect(credentialLocks(env.CRMKIT_CONFIG_DIR)).toEqual([])
  }, 60_000)

  it("a revoked login fails with the profile's name and the command that signs it in again", async () => {
    const { env, stats, clientId } = await loggedInProfile()
    // Another machine with a copy of the credentials file refreshes: this copy's pair is spent.
    const elsewhere = { ...env, CRMKIT_CONFIG_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-elsewhere-")) }
    for (const name of fs.readdirSync(env.CRMKIT_CONFIG_DIR)) {
      fs.copyFileSync(path.join(env.CRMKIT_CONFIG_DIR, name), path.join(elsewhere.CRMKIT_CONFIG_DIR, name))
    }
    expect((await listContacts(elsewhere)).code).toBe(0)
    const run = await listContacts(env)
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain("invalid_grant")
    expect(run.stderr).toContain(
      `Profile "default" must be signed in again: crmkit auth login keap --profile default --client-id ${clientId}`,
    )
    const credentials = fs.readFileSync(path.join(env.CRMKIT_CONFIG_DIR, "credentials.json"), "utf8")
    const saved = JSON.parse(credentials) as { tokens: Record<string, { refreshToken?: string }> }
    for (const token of Object.values(saved.tokens)) {
      if (token.refreshToken) expect(run.stderr).not.toContain(token.refreshToken)
    }
    expect((await stats()).rejectedRefreshes).toBe(1)
    expect(crmkit(["auth", "status"], env).code).toBe(0)
  }, 60_000)

  it("profiles on a shared Redis: processes on two machines, one refresh, and Redis holds no token in the clear", async () => {
    const storeEnv = { CRMKIT_REDIS_URL: redis.url, CRMKIT_TOKEN_KEY: "the key every machine of this team shares" }
    const { env, stats } = await loggedInProfile(storeEnv)
    expect(fs.existsSync(path.join(env.CRMKIT_CONFIG_DIR, "credentials.json"))).toBe(false)
    // The second machine has the profile list (no secret in it) and the same Redis.
    const other = { ...env, CRMKIT_CONFIG_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-machine-b-")) }
    fs.copyFileSync(
      path.join(env.CRMKIT_CONFIG_DIR, "profiles.json"),
      path.join(other.CRMKIT_CONFIG_DIR, "profiles.json"),
    )

    const runs = await Promise.all([env, env, other, other].map((e) => listContacts(e)))
    expectEachListedTwo(runs)
    const after = await stats()
    expect(after.refreshes).toBe(1)
    expect(after.rejectedRefreshes).toBe(0)

    expect(crmkit(["auth", "status"], env).code).toBe(0)
    // What Redis holds is ciphertext: no access token, refresh token or client secret.
    const values = await redisValues(redis.url)
    expect(values.length).toBeGreaterThanOrEqual(2)
    for (const value of values) {
      expect(value.startsWith("v1:")).toBe(true)
      expect(value).not.toContain(env.CRMKIT_CLIENT_SECRET)
    }

    const withoutKey = await listContacts({ ...env, CRMKIT_TOKEN_KEY: "" })
    expect(withoutKey.code).toBe(2)
    expect(withoutKey.stderr).toContain("CRMKIT_REDIS_URL is set but CRMKIT_TOKEN_KEY is not")
    const wrongKey = await listContacts({ ...env, CRMKIT_TOKEN_KEY: "not the key this team shares" })
    expect(wrongKey.code).not.toBe(0)
    expect(wrongKey.stderr).toContain("saved with a different encryption key")
  }, 60_000)
})

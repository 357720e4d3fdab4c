/**
 * An agency's batch, as it runs it: two account pairs queued with `crmkit migrate enqueue`,
 * two `crmkit migrate worker` processes sharing a real PostgreSQL (the state) and a real Redis
 * (the queue, the saved credentials and the rate-limit budgets). Both pairs land in one
 * HighLevel location (a client consolidating two Keap apps), so the workers share that
 * location's budget: the published 100 requests per 10 seconds, enforced by the sandbox. One
 * worker is SIGKILLed mid-job; the other takes its job over and resumes it from the state.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RateLimit, type Records } from "@crmkit/core"
import { GhlAuth, GhlClient } from "@crmkit/ghl"
import { connector as ghlConnector } from "@crmkit/ghl/connector"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { KeapAuth, KeapClient, Notes } from "@crmkit/keap"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RedisServer, startRedis } from "../../../packages/core/test/support/redisServer.ts"
import { type PostgresServer, startPostgres } from "../../../packages/migrate/test/postgresServer.ts"
import { crmkit, crmkitAsync, crmkitProcess, type Run, waitFor } from "./support.ts"

const CONTACTS = 70
const NOTES = 15

const isWrite = (route: string) => !route.startsWith("GET ") && !route.endsWith("/contacts/search")
const writesOf = (sandbox: SandboxServer) =>
  Object.entries(sandbox.stats.snapshot().byRoute)
    .filter(([route]) => isWrite(route))
    .reduce((sum, [, n]) => sum + n, 0)

/** The location's contacts in the common model, every page. */
const ghlContacts = async (sandbox: SandboxServer) => {
  const runtime = await ghlConnector.load()
  const client = GhlClient.layer({
    baseUrl: sandbox.ghl.baseUrl,
    locationId: sandbox.credentials.ghl.locationId,
  }).pipe(
    Layer.provide(GhlAuth.layerPrivateIntegrationToken(Redacted.make(sandbox.credentials.ghl.privateIntegrationToken))),
    Layer.provide(RateLimit.layerMemory),
    Layer.provide(NodeHttpClient.layerUndici),
  )
  const records = runtime.records!
  return Effect.runPromise(
    Effect.gen(function* () {
      const lookups = yield* records.lookups()
      const all = yield* Stream.runCollect(records.contacts(lookups))
      return Array.from(all).flatMap((c) => (c._tag === "Ok" ? [c.record] : []))
    }).pipe(Effect.provide(client)) as Effect.Effect<ReadonlyArray<Records.Contact>>,
  )
}

const addNotes = (sandbox: SandboxServer) =>
  Effect.runPromise(
    Effect.gen(function* () {
      for (let i = 0; i < NOTES; i++)
        yield* Notes.create(1 + ((i * 7) % CONTACTS), { title: `Note ${i}`, text: `Text ${i}`, user_id: "1" } as never)
    }).pipe(
      Effect.provide(
        KeapClient.layer({ baseUrl: sandbox.keap.baseUrl }).pipe(
          Layer.provide(KeapAuth.layerApiKey(Redacted.make(sandbox.credentials.keap.personalAccessToken))),
          Layer.provide(RateLimit.layerMemory),
          Layer.provide(NodeHttpClient.layerUndici),
        ),
      ),
    ),
  )

describe("crmkit migrate worker: two workers, two account pairs, one shared PostgreSQL and Redis", () => {
  let redis: RedisServer
  let postgres: PostgresServer
  let keapA: SandboxServer
  let keapB: SandboxServer
  let ghl: SandboxServer
  let env: Record<string, string>
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-migrate-workers-"))
  const pairsFile = path.join(dir, "pairs.yaml")

  beforeAll(async () => {
    ;[redis, postgres] = await Promise.all([startRedis(), startPostgres()])
    // Rate limits on, at the published values: Keap's per-key windows, GHL's 100 per 10 s per location.
    keapA = await startSandbox({ seed: 101, simulators: { keap: keapSimulator({ contacts: CONTACTS }) } })
    keapB = await startSandbox({ seed: 202, simulators: { keap: keapSimulator({ contacts: CONTACTS }) } })
    ghl = await startSandbox({ seed: 303, simulators: { ghl: ghlSimulator({ contacts: 0 }) } })
    await addNotes(keapA)
    await addNotes(keapB)
    env = {
      CRMKIT_CONFIG_DIR: path.join(dir, "config"),
      CRMKIT_REDIS_URL: redis.url,
      CRMKIT_TOKEN_KEY: "a test key of the shared token store",
    }
    // Each pair's profile: its Keap account and the one HighLevel location.
    for (const [profile, keap] of [
      ["client-a", keapA],
      ["client-b", keapB],
    ] as const) {
      const addKeap = crmkit(
        ["--base-url", keap.keap.baseUrl, "auth", "add", "keap", "--profile", profile, "--kind", "pat"],
        env,
        `${keap.credentials.keap.personalAccessToken}\n`,
      )
      expect(addKeap.code, addKeap.stderr).toBe(0)
      const addGhl = crmkit(
        [
          "--base-url",
          ghl.ghl.baseUrl,
          "auth",
          "add",
          "ghl",
          "--profile",
          profile,
          "--kind",
          "pit",
          "--context",
          `locationId=${ghl.credentials.ghl.locationId}`,
        ],
        env,
        `${ghl.credentials.ghl.privateIntegrationToken}\n`,
      )
      expect(addGhl.code, addGhl.stderr).toBe(0)
    }
  }, 120_000)

  afterAll(async () => {
    await Promise.all([keapA?.close(), keapB?.close(), ghl?.close()])
    await Promise.all([redis?.stop(), postgres?.stop()])
  })

  const state = () => postgres.url
  const migrationArgs = (name: string) => [
    "--profile",
    `client-${name}`,
    "migrate",
    "plan",
    "--from",
    "keap",
    "--to",
    "ghl",
    "--state",
    state(),
    "--migration",
    name,
    "--mapping",
    path.join(dir, `${name}.mapping.yaml`),
  ]

  it("bad input exits 2 naming it, before anything is queued or sent", async () => {
    const requestsBefore = ghl.stats.requests + keapA.stats.requests + keapB.stats.requests
    const noMigration = await crmkitAsync(
      ["migrate", "status", "--state", postgres.url.replace("crmkit@", "crmkit:hunter2@")],
      env,
    )
    expect(noMigration.code).toBe(2)
    expect(noMigration.stderr).toMatch(/shared by many migrations: name this one with --migration ID/)
    expect(noMigration.stderr).not.toContain("hunter2")
    const fileWorker = await crmkitAsync(["migrate", "worker", "--state", path.join(dir, "s.db")], env)
    expect(fileWorker.code).toBe(2)
    expect(fileWorker.stderr).toMatch(/workers share their state, so it is a postgres:\/\/ URL/)
    const { CRMKIT_REDIS_URL: _, ...noRedis } = env
    fs.writeFileSync(pairsFile, "pairs: []\n")
    const withoutRedis = await crmkitAsync(["migrate", "enqueue", "--pairs", pairsFile], noRedis)
    expect(withoutRedis.code).toBe(2)
    const badPairs = path.join(dir, "bad-pairs.yaml")
    fs.writeFileSync(
      badPairs,
      [
        "pairs:",
        "  - { migration: x, profile: client-a, from: keap, to: salesforce, mapping: x.yaml }",
        "  - { migration: x, profile: client-a, from: ghl, to: ghl, mapping: missing.yaml }",
      ].join("\n"),
    )
    const bad = await crmkitAsync(["migrate", "enqueue", "--pairs", badPairs], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/pairs\[0\] \(x\): to salesforce: unknown CRM/)
    expect(bad.stderr).toMatch(/pairs\[1\] \(x\): migration id used twice/)
    expect(bad.stderr).toMatch(/pairs\[1\] \(x\): from and to name the same CRM/)
    expect(bad.stderr).toMatch(/pairs\[1\] \(x\): mapping .*missing\.yaml does not exist/)
    const jobs = await crmkitAsync(["migrate", "jobs"], env)
    expect(jobs.code, jobs.stderr).toBe(0)
    expect(JSON.parse(jobs.stdout)).toEqual([])
    expect(ghl.stats.requests + keapA.stats.requests + keapB.stats.requests).toBe(requestsBefore)
  })

  it("two workers move both pairs exactly once within the shared budget; a killed worker's job is taken over", async () => {
    // A person plans each pair once: the mapping proposals to review.
    for (const name of ["a", "b"]) {
      const planned = await crmkitAsync(migrationArgs(name), env)
      expect(planned.code, planned.stderr).toBe(0)
    }
    expect(writesOf(ghl)).toBe(0)
    fs.writeFileSync(
      pairsFile,
      [
        "pairs:",
        "  - { migration: a, profile: client-a, from: keap, to: ghl, mapping: a.mapping.yaml }",
        "  - { migration: b, profile: client-b, from: keap, to: ghl, mapping: b.mapping.yaml }",
      ].join("\n"),
    )
    const queued = await crmkitAsync(["migrate", "enqueue", "--pairs", pairsFile], env)
    expect(queued.code, queued.stderr).toBe(0)
    expect(JSON.parse(queued.stdout).map((j: { migration: string }) => j.migration)).toEqual(["a", "b"])

    const workerArgs = ["migrate", "worker", "--state", state(), "--until-empty", "--lock-seconds", "2"]
    const first = crmkitProcess(workerArgs, env)
    const second = crmkitProcess(workerArgs, env)
    let firstErr = ""
    first.child.stderr.on("data", (chunk: Buffer) => {
      firstErr += chunk
    })
    const ghlWritesBefore = writesOf(ghl)
    await waitFor("the first worker to start a job and write", () => /started/.test(firstErr) && writesOf(ghl) > 20)
    first.child.kill("SIGKILL")
    const killed = await first.done
    expect(killed.code).toBe(null)
    const taken = firstErr.match(/worker: (\w+) started/)?.[1]
    expect(taken === "a" || taken === "b").toBe(true)
    const done: Run = await second.done
    expect(done.code, done.stderr).toBe(0)
    // The survivor ran the dead worker's job too, resuming it from the shared state.
    expect(done.stderr).toMatch(new RegExp(`worker: ${taken} completed`))
    expect(done.stderr).toMatch(/worker: no job left/)

    const jobs = JSON.parse((await crmkitAsync(["migrate", "jobs"], env)).stdout) as Array<{
      migration: string
      state: string
    }>
    expect(jobs.map((j) => [j.migration, j.state]).sort()).toEqual([
      ["a", "completed"],
      ["b", "completed"],
    ])
    // Every contact and note once: 2 × CONTACTS contacts (the two apps' data share no email).
    for (const name of ["a", "b"]) {
      const verified = await crmkitAsync(
        [
          "--profile",
          `client-${name}`,
          "migrate",
          "verify",
          "--from",
          "keap",
          "--to",
          "ghl",
          "--state",
          state(),
          "--migration",
          name,
        ],
        env,
      )
      expect(verified.code, verified.stderr).toBe(0)
      const report = JSON.parse(verified.stdout)
      expect(report.entities.contact.linked).toBe(CONTACTS)
      expect(report.entities.contact.duplicates).toEqual([])
      expect(report.entities.note.linked).toBe(NOTES)
    }
    // Both workers wrote to one location at once, well past one window's 100 requests, and the
    // shared budget kept every side under its limits: no 429 anywhere.
    expect(writesOf(ghl) - ghlWritesBefore).toBeGreaterThan(100)
    expect(ghl.stats.rateLimited).toBe(0)
    expect(keapA.stats.rateLimited).toBe(0)
    expect(keapB.stats.rateLimited).toBe(0)
    // Every contact once in the location, the killed worker's included: as many as both accounts
    // hold, each with its own marker (read through HighLevel's record mapper, as `verify` reads them).
    const contacts = await ghlContacts(ghl)
    const markers = contacts.flatMap((c) => (c.sourceId === undefined ? [] : [c.sourceId]))
    expect(contacts.length).toBe(2 * CONTACTS)
    expect(new Set(markers).size).toBe(2 * CONTACTS)
    // Requests: one create per contact, plus at most the one cut off mid-send when the worker was killed (it
    // reached the sandbox unfinished and created nothing, so the resumed run sent it again).
    const creates = Object.entries(ghl.stats.snapshot().byRoute).filter(([route]) =>
      /^POST \/\S*\/contacts\/?$/.test(route),
    )
    const sent = creates.reduce((sum, [, n]) => sum + n, 0)
    expect(sent, JSON.stringify(creates)).toBeGreaterThanOrEqual(2 * CONTACTS)
    expect(sent, JSON.stringify(creates)).toBeLessThanOrEqual(2 * CONTACTS + 1)

    // The same batch again moves only what changed: nothing.
    const writesBefore = writesOf(ghl)
    const again = await crmkitAsync(["migrate", "enqueue", "--pairs", pairsFile], env)
    expect(again.code, again.stderr).toBe(0)
    const rerun = await crmkitAsync(workerArgs, env)
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(rerun.stderr).toMatch(/a: run: 0 writes/)
    expect(rerun.stderr).toMatch(/b: run: 0 writes/)
    expect(writesOf(ghl)).toBe(writesBefore)
  }, 300_000)
})

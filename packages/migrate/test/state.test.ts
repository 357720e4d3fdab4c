/**
 * The `State` contract, run against both stores (SQLite in memory, PostgreSQL on a throwaway real
 * server), then what only the PostgreSQL store does: many migrations in one database, the
 * migration lock (refused, waited for, released by close, by a SIGKILLed worker's lost
 * connection), concurrent first opens, a pool of the caller's.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Effect, Exit } from "effect"
import pg from "pg"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { State, StatePostgres } from "../src/index.ts"
import { type PostgresServer, startPostgres } from "./postgresServer.ts"

let server: PostgresServer
beforeAll(async () => {
  server = await startPostgres()
})
afterAll(async () => {
  await server?.stop()
})

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const failure = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(Effect.flip(effect))
const newMigration = () => `keap:${randomUUID()} -> ghl:loc`
const openPostgres = (migration = newMigration(), extra: Partial<StatePostgres.Options> = {}) =>
  run(StatePostgres.openPostgres({ url: server.url, migration, ...extra } as StatePostgres.Options))

/** A state opened for one test and closed after it. */
const opened: Array<State.State> = []
afterEach(async () => {
  for (const state of opened.splice(0)) await run(state.close())
})
const track = (state: State.State) => {
  opened.push(state)
  return state
}

const stores: Array<[string, () => Promise<State.State>]> = [
  ["sqlite", () => run(State.openSqlite(":memory:"))],
  ["postgres", () => openPostgres()],
]

const link = (sourceId: string, overrides: Partial<State.Link> = {}): State.Link => ({
  entity: "contact",
  sourceId,
  targetId: `t-${sourceId}`,
  sourceHash: `s-${sourceId}`,
  targetHash: `h-${sourceId}`,
  merged: false,
  ...overrides,
})

const intent = (sourceId: string, overrides: Partial<Omit<State.Intent, "id">> = {}): Omit<State.Intent, "id"> => ({
  entity: "contact",
  sourceId,
  op: "create",
  targetId: undefined,
  parentId: undefined,
  sourceHash: `s-${sourceId}`,
  targetHash: `h-${sourceId}`,
  identity: { email: `${sourceId}@example.org` },
  ...overrides,
})

describe.each(stores)("State contract: %s", (_name, open) => {
  it("stores links, overwrites them by (entity, source id) and lists one entity's", async () => {
    const state = track(await open())
    expect(await run(state.getLink("contact", "1"))).toBeUndefined()
    await run(state.putLink(link("b")))
    await run(state.putLink(link("a", { merged: true })))
    await run(state.putLink(link("B")))
    await run(state.putLink(link("a", { entity: "note", targetId: "n-a" })))
    expect(await run(state.getLink("contact", "a"))).toEqual(link("a", { merged: true }))
    await run(state.putLink(link("a", { targetId: "t-other", sourceHash: "s2", targetHash: "h2", merged: false })))
    expect(await run(state.getLink("contact", "a"))).toEqual(
      link("a", { targetId: "t-other", sourceHash: "s2", targetHash: "h2" }),
    )
    // In no promised order (SQLite's comes by insertion).
    expect((await run(state.links("contact"))).map((l) => l.sourceId).sort()).toEqual(["B", "a", "b"])
    expect(await run(state.links("note"))).toEqual([link("a", { entity: "note", targetId: "n-a" })])
    expect(await run(state.links("task"))).toEqual([])
  })

  it("pages one entity's links in source-id order by code point, after a given source id", async () => {
    const state = track(await open())
    for (const id of ["b", "a", "B", "é", "c", "10", "9"]) await run(state.putLink(link(id)))
    await run(state.putLink(link("a", { entity: "note", targetId: "n-a" })))
    const pages: Array<Array<string>> = []
    let after: string | undefined
    for (;;) {
      const page = await run(state.linksPage("contact", after, 3))
      if (page.length === 0) break
      pages.push(page.map((l) => l.sourceId))
      after = page[page.length - 1]!.sourceId
    }
    expect(pages).toEqual([["10", "9", "B"], ["a", "b", "c"], ["é"]])
    expect(await run(state.linksPage("contact", "a", 1))).toEqual([link("b")])
    expect(await run(state.linksPage("note", undefined, 10))).toEqual([link("a", { entity: "note", targetId: "n-a" })])
    expect(await run(state.linksPage("task", undefined, 10))).toEqual([])
  })

  it("records intents: pending in order until completed (with their link) or abandoned", async () => {
    const state = track(await open())
    const first = await run(state.begin(intent("1")))
    const second = await run(
      state.begin(
        intent("2", { entity: "note", op: "update", targetId: "t-2", parentId: "p-1", identity: { content: "x" } }),
      ),
    )
    const third = await run(state.begin(intent("3")))
    expect(second).toBeGreaterThan(first)
    expect(third).toBeGreaterThan(second)
    expect(await run(state.pending())).toEqual([
      { id: first, ...intent("1") },
      {
        id: second,
        ...intent("2", { entity: "note", op: "update", targetId: "t-2", parentId: "p-1", identity: { content: "x" } }),
      },
      { id: third, ...intent("3") },
    ])
    await run(state.complete(first, link("1", { targetId: "made-1" })))
    await run(state.abandon(third))
    expect((await run(state.pending())).map((i) => i.id)).toEqual([second])
    expect(await run(state.getLink("contact", "1"))).toEqual(link("1", { targetId: "made-1" }))
    expect(await run(state.getLink("contact", "3"))).toBeUndefined()
    await run(state.complete(second, link("2", { entity: "note", targetId: "t-2" })))
    expect(await run(state.pending())).toEqual([])
    expect(await run(state.counts())).toEqual({ links: { contact: 1, note: 1 }, intents: { done: 2, abandoned: 1 } })
  })

  it("holds records for review, replaces a hold, releases them, lists them by entity and source id", async () => {
    const state = track(await open())
    expect(await run(state.held())).toEqual([])
    await run(state.hold({ entity: "note", sourceId: "5", targetId: "n5", detail: {} }))
    await run(state.hold({ entity: "contact", sourceId: "9", targetId: "t9", detail: { fields: ["email"] } }))
    await run(state.hold({ entity: "contact", sourceId: "10", targetId: "t10", detail: null }))
    await run(state.hold({ entity: "contact", sourceId: "9", targetId: "t9b", detail: { fields: ["phone"] } }))
    expect(await run(state.held())).toEqual([
      { entity: "contact", sourceId: "10", targetId: "t10", detail: null },
      { entity: "contact", sourceId: "9", targetId: "t9b", detail: { fields: ["phone"] } },
      { entity: "note", sourceId: "5", targetId: "n5", detail: {} },
    ])
    await run(state.release("contact", "9"))
    await run(state.release("contact", "not held"))
    expect((await run(state.held())).map((h) => h.sourceId)).toEqual(["10", "5"])
  })

  it("keeps values by key", async () => {
    const state = track(await open())
    expect(await run(state.get("lastReport"))).toBeUndefined()
    await run(state.set("lastReport", "{}"))
    await run(state.set("lastRunStartedAt", "2027-01-01T00:00:00.000Z"))
    await run(state.set("lastReport", '{"writes":3}'))
    expect(await run(state.get("lastReport"))).toBe('{"writes":3}')
    expect(await run(state.get("lastRunStartedAt"))).toBe("2027-01-01T00:00:00.000Z")
  })

  it("counts links by entity and intents by status; nothing when empty", async () => {
    const state = track(await open())
    expect(await run(state.counts())).toEqual({ links: {}, intents: {} })
    await run(state.putLink(link("1")))
    await run(state.putLink(link("2")))
    await run(state.putLink(link("1", { entity: "task" })))
    await run(state.begin(intent("4")))
    const done = await run(state.begin(intent("5")))
    await run(state.complete(done, link("5")))
    expect(await run(state.counts())).toEqual({ links: { contact: 3, task: 1 }, intents: { pending: 1, done: 1 } })
  })
})

describe("PostgreSQL state", () => {
  const admin = () => new pg.Client({ connectionString: server.url })
  const lockedMigrations = async () => {
    const client = admin()
    await client.connect()
    try {
      const result = await client.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted")
      return Number(result.rows[0].n)
    } finally {
      await client.end()
    }
  }

  it("keeps two migrations in one database apart", async () => {
    const a = track(await openPostgres("keap:1 -> ghl:A"))
    const b = track(await openPostgres("keap:2 -> ghl:B"))
    await run(a.putLink(link("1", { targetId: "in-A" })))
    await run(b.putLink(link("1", { targetId: "in-B" })))
    await run(b.putLink(link("2")))
    await run(a.hold({ entity: "contact", sourceId: "1", targetId: "in-A", detail: {} }))
    await run(a.set("lastReport", "A"))
    const intentOfA = await run(a.begin(intent("7")))
    const intentOfB = await run(b.begin(intent("8")))
    expect((await run(a.getLink("contact", "1")))?.targetId).toBe("in-A")
    expect((await run(b.getLink("contact", "1")))?.targetId).toBe("in-B")
    expect((await run(a.links("contact"))).map((l) => l.targetId)).toEqual(["in-A"])
    expect(await run(b.held())).toEqual([])
    expect(await run(b.get("lastReport"))).toBeUndefined()
    expect((await run(a.pending())).map((i) => i.id)).toEqual([intentOfA])
    expect((await run(b.pending())).map((i) => i.id)).toEqual([intentOfB])
    // An intent id of another migration changes nothing there.
    await run(b.abandon(intentOfA))
    expect((await run(a.pending())).map((i) => i.id)).toEqual([intentOfA])
    expect(await run(a.counts())).toEqual({ links: { contact: 1 }, intents: { pending: 1 } })
    expect(await run(b.counts())).toEqual({ links: { contact: 2 }, intents: { pending: 1 } })
  })

  it("complete is atomic: a link that cannot be stored leaves the intent pending", async () => {
    const state = track(await openPostgres())
    const id = await run(state.begin(intent("1")))
    // PostgreSQL text cannot hold NUL: the link insert fails after the intent was marked done.
    const exit = await Effect.runPromiseExit(state.complete(id, link("1", { sourceHash: "bad\u0000hash" })))
    expect(Exit.isFailure(exit)).toBe(true)
    expect((await run(state.pending())).map((i) => i.id)).toEqual([id])
    expect(await run(state.getLink("contact", "1"))).toBeUndefined()
    // The connection is out of the failed transaction: the next complete goes through.
    await run(state.complete(id, link("1")))
    expect(await run(state.counts())).toEqual({ links: { contact: 1 }, intents: { done: 1 } })
  })

  it("refuses a second opener of a running migration with MigrationLocked, then lets it in after close", async () => {
    const migration = newMigration()
    const first = await openPostgres(migration)
    const refused = await failure(StatePostgres.openPostgres({ url: server.url, migration }))
    expect(refused._tag).toBe("MigrationLocked")
    if (refused._tag !== "MigrationLocked") throw refused
    expect(refused.migration).toBe(migration)
    expect(refused.message).toContain(`Migration "${migration}" is being run by another worker`)
    expect(refused.holderPid).toEqual(expect.any(Number))
    // Other migrations are not blocked by it.
    track(await openPostgres())
    await run(first.close())
    await run(first.close())
    const second = track(await openPostgres(migration))
    expect(await run(second.counts())).toEqual({ links: {}, intents: {} })
    // A closed store writes nothing more.
    const closedExit = await Effect.runPromiseExit(first.putLink(link("1")))
    expect(Exit.isFailure(closedExit)).toBe(true)
    expect(String(Exit.isFailure(closedExit) ? closedExit.cause : "")).toContain("is closed")
  })

  it("waits for the lock when asked: gets it once the holder closes, or fails after the wait", async () => {
    const migration = newMigration()
    const holder = await openPostgres(migration)
    const timedOut = await failure(
      StatePostgres.openPostgres({ url: server.url, migration, waitForLockMillis: 300, lockPollMillis: 50 }),
    )
    expect(timedOut._tag).toBe("MigrationLocked")
    if (timedOut._tag !== "MigrationLocked") throw timedOut
    expect(timedOut.waitedMillis).toBeGreaterThanOrEqual(300)
    const waiting = openPostgres(migration, { waitForLockMillis: 10_000, lockPollMillis: 50 })
    setTimeout(() => void run(holder.close()), 300)
    const got = track(await waiting)
    await run(got.set("k", "v"))
    expect(await run(got.get("k"))).toBe("v")
  })

  it("creates the tables once when several workers open a fresh database at once", async () => {
    const client = admin()
    await client.connect()
    const database = `fresh_${randomUUID().replaceAll("-", "")}`
    await client.query(`CREATE DATABASE ${database}`)
    await client.end()
    const url = server.url.replace(/\/postgres$/, `/${database}`)
    const states = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        run(StatePostgres.openPostgres({ url, migration: `keap:${i} -> ghl:${i}` })).then(track),
      ),
    )
    await Promise.all(states.map((state, i) => run(state.putLink(link(String(i))))))
    for (const [i, state] of states.entries())
      expect((await run(state.links("contact"))).map((l) => l.sourceId)).toEqual([String(i)])
  })

  it("works on a pool of the caller's and gives the connection back on close", async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 2 })
    try {
      const migration = newMigration()
      const state = await run(StatePostgres.openPostgres({ pool, migration }))
      await run(state.putLink(link("1")))
      expect(pool.totalCount - pool.idleCount).toBe(1)
      await run(state.close())
      expect(pool.idleCount).toBe(pool.totalCount)
      // The lock went with close, not with the (still open) pooled connection.
      const again = await run(StatePostgres.openPostgres({ pool, migration }))
      expect(await run(again.getLink("contact", "1"))).toEqual(link("1"))
      await run(again.close())
    } finally {
      await pool.end()
    }
  })

  it("a store whose connection was ended can write nothing more, and its migration is free again", async () => {
    const migration = newMigration()
    const state = await openPostgres(migration)
    const refused = await failure(StatePostgres.openPostgres({ url: server.url, migration }))
    if (refused._tag !== "MigrationLocked") throw refused
    const client = admin()
    await client.connect()
    await client.query("SELECT pg_terminate_backend($1)", [refused.holderPid])
    await client.end()
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        // The first statement may still find the socket open; the termination shows by the second.
        yield* Effect.sleep("100 millis")
        yield* state.putLink(link("1"))
        yield* state.putLink(link("2"))
      }),
    )
    expect(Exit.isFailure(exit)).toBe(true)
    await run(state.close())
    const next = track(await openPostgres(migration, { waitForLockMillis: 5_000, lockPollMillis: 50 }))
    expect(await run(next.links("contact"))).toEqual([])
  })

  it("a worker killed with SIGKILL does not keep its migration's lock", async () => {
    const migration = newMigration()
    const child = spawnWorker(migration)
    try {
      await child.locked
      const refused = await failure(StatePostgres.openPostgres({ url: server.url, migration }))
      expect(refused._tag).toBe("MigrationLocked")
      child.process.kill("SIGKILL")
      await child.exited
      const taken = track(await openPostgres(migration, { waitForLockMillis: 10_000, lockPollMillis: 50 }))
      // What the worker stored before it died is there.
      expect(await run(taken.get("worker"))).toBe("was here")
    } finally {
      child.process.kill("SIGKILL")
    }
  })

  it("refuses bad options before connecting, and names no password when the server is unreachable", async () => {
    const empty = await failure(StatePostgres.openPostgres({ url: server.url, migration: " " }))
    expect(empty._tag).toBe("InvalidStateOptions")
    expect(empty.message).toContain("migration: an id is required")
    const notPostgres = await failure(StatePostgres.openPostgres({ url: "mysql://db/x", migration: "m" }))
    expect(notPostgres.message).toContain("url: not a postgres:// or postgresql:// URL")
    const badWait = await failure(
      StatePostgres.openPostgres({ url: server.url, migration: "m", waitForLockMillis: -1 }),
    )
    expect(badWait.message).toContain("waitForLockMillis: -1")
    const unreachable = await failure(
      StatePostgres.openPostgres({ url: "postgresql://crmkit:s3cret-pw@127.0.0.1:1/postgres", migration: "m" }),
    )
    expect(unreachable._tag).toBe("StateUnavailable")
    expect(unreachable.message).toContain('migration "m" (127.0.0.1:1/postgres): cannot connect')
    expect(unreachable.message).not.toContain("s3cret-pw")
  })

  it("close releases the lock and the connection", async () => {
    const before = await lockedMigrations()
    const state = await openPostgres()
    expect(await lockedMigrations()).toBe(before + 1)
    await run(state.close())
    expect(await lockedMigrations()).toBe(before)
  })
})

const here = dirname(fileURLToPath(import.meta.url))
const storeModule = pathToFileURL(join(here, "..", "src", "StatePostgres.ts")).href

/** A separate node process that opens the store (taking the lock), writes a value, says so, and stays. */
const spawnWorker = (migration: string) => {
  const script = `
    import { Effect } from "effect"
    import { openPostgres } from ${JSON.stringify(storeModule)}
    const state = await Effect.runPromise(openPostgres({ url: process.env.PG_URL, migration: process.env.MIGRATION }))
    await Effect.runPromise(state.set("worker", "was here"))
    process.stdout.write("locked\\n")
    setInterval(() => {}, 60_000)
  `
  const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: join(here, ".."),
    env: { ...process.env, PG_URL: server.url, MIGRATION: migration },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("locked")) resolve()
    })
    child.once("exit", (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before locking: ${stderr}`)),
    )
  })
  return { process: child, locked, exited }
}

/**
 * The migration state in PostgreSQL, for runs shared by several workers: many migrations (one per
 * account pair) in one database, every row keyed by the migration id.
 *
 * An open store holds one connection for its whole life, and on it a session-level advisory lock
 * on its migration id: two workers can never run the same migration at once, and since every read
 * and write goes through that one connection, a store whose connection (and so lock) is gone can
 * write nothing more. PostgreSQL drops the lock with the connection, so a worker killed with
 * SIGKILL does not keep it.
 */
import { createHash } from "node:crypto"
import { Duration, Effect, Schema, Semaphore } from "effect"
import pg from "pg"
import type { Entity } from "./Model.ts"
import type { Held, Intent, IntentOp, Link, State } from "./State.ts"

/** Another session holds the migration's lock: a worker is running it. */
export class MigrationLocked extends Schema.TaggedError<MigrationLocked>()("MigrationLocked", {
  migration: Schema.String,
  /** The PostgreSQL backend pid of the session holding it, when it could be read. */
  holderPid: Schema.optional(Schema.Number),
  waitedMillis: Schema.Number,
  message: Schema.String,
}) {}

/** The options cannot work (refused before connecting). */
export class InvalidStateOptions extends Schema.TaggedError<InvalidStateOptions>()("InvalidStateOptions", {
  message: Schema.String,
}) {}

/** The database could not be reached or its tables not created. */
export class StateUnavailable extends Schema.TaggedError<StateUnavailable>()("StateUnavailable", {
  migration: Schema.String,
  message: Schema.String,
}) {}

export type OpenError = MigrationLocked | InvalidStateOptions | StateUnavailable

interface Common {
  /** The migration's id, e.g. `keap:<account> -> ghl:<location>`: keys every row and the lock. */
  readonly migration: string
  /** How long to keep trying when another worker holds the migration (default 0: fail at once). */
  readonly waitForLockMillis?: number | undefined
  /** How often to try while waiting (default 250 ms). */
  readonly lockPollMillis?: number | undefined
}

export type Options =
  | (Common & {
      /** `postgresql://user:password@host:port/database`: the store opens (and closes) its own connection. */
      readonly url: string
    })
  | (Common & {
      /** A pool of the caller's: the store holds one of its connections until `close`, then returns it. */
      readonly pool: pg.Pool
    })

/** The 64-bit advisory lock key of a migration (first 8 bytes of a SHA-256 of its id), as a decimal string. */
export const lockKey = (migration: string): string =>
  createHash("sha256").update(`crmkit/migrate:${migration}`).digest().readBigInt64BE(0).toString()

const SCHEMA_LOCK = lockKey("\u0000schema")

const TABLES = ["crmkit_migrate_meta", "crmkit_migrate_links", "crmkit_migrate_intents", "crmkit_migrate_held"]
const INDEXES = ["crmkit_migrate_links_target", "crmkit_migrate_intents_status"]

// Key columns collate as "C" so that ordering is by code point, as in the SQLite store.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS crmkit_migrate_meta (
  migration TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (migration, key));
CREATE TABLE IF NOT EXISTS crmkit_migrate_links (
  migration TEXT COLLATE "C" NOT NULL, entity TEXT COLLATE "C" NOT NULL, source_id TEXT COLLATE "C" NOT NULL,
  target_id TEXT COLLATE "C" NOT NULL, source_hash TEXT NOT NULL, target_hash TEXT NOT NULL,
  merged BOOLEAN NOT NULL DEFAULT false,
  PRIMARY KEY (migration, entity, source_id));
CREATE INDEX IF NOT EXISTS crmkit_migrate_links_target ON crmkit_migrate_links (migration, entity, target_id);
CREATE TABLE IF NOT EXISTS crmkit_migrate_intents (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, migration TEXT COLLATE "C" NOT NULL,
  entity TEXT NOT NULL, source_id TEXT NOT NULL, op TEXT NOT NULL CHECK (op IN ('create', 'update')),
  target_id TEXT, parent_id TEXT, source_hash TEXT NOT NULL, target_hash TEXT NOT NULL, identity TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'abandoned')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(), done_at TIMESTAMPTZ);
CREATE INDEX IF NOT EXISTS crmkit_migrate_intents_status ON crmkit_migrate_intents (migration, status, id);
CREATE TABLE IF NOT EXISTS crmkit_migrate_held (
  migration TEXT COLLATE "C" NOT NULL, entity TEXT COLLATE "C" NOT NULL, source_id TEXT COLLATE "C" NOT NULL,
  target_id TEXT NOT NULL, detail TEXT NOT NULL,
  PRIMARY KEY (migration, entity, source_id));
`

const LINK_COLUMNS = "entity, source_id, target_id, source_hash, target_hash, merged"

/** Named statements: prepared once per connection. */
const SQL = {
  getLink: `SELECT ${LINK_COLUMNS} FROM crmkit_migrate_links WHERE migration = $1 AND entity = $2 AND source_id = $3`,
  links: `SELECT ${LINK_COLUMNS} FROM crmkit_migrate_links WHERE migration = $1 AND entity = $2 ORDER BY source_id`,
  firstLinks: `SELECT ${LINK_COLUMNS} FROM crmkit_migrate_links WHERE migration = $1 AND entity = $2
    ORDER BY source_id LIMIT $3`,
  linksAfter: `SELECT ${LINK_COLUMNS} FROM crmkit_migrate_links WHERE migration = $1 AND entity = $2 AND source_id > $3
    ORDER BY source_id LIMIT $4`,
  upsertLink: `INSERT INTO crmkit_migrate_links (migration, ${LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (migration, entity, source_id) DO UPDATE SET target_id = excluded.target_id,
    source_hash = excluded.source_hash, target_hash = excluded.target_hash, merged = excluded.merged`,
  begin: `INSERT INTO crmkit_migrate_intents
    (migration, entity, source_id, op, target_id, parent_id, source_hash, target_hash, identity, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending') RETURNING id`,
  finish: `UPDATE crmkit_migrate_intents SET status = $3, done_at = now(), target_id = COALESCE($4, target_id)
    WHERE migration = $1 AND id = $2`,
  pending: `SELECT id, entity, source_id, op, target_id, parent_id, source_hash, target_hash, identity
    FROM crmkit_migrate_intents WHERE migration = $1 AND status = 'pending' ORDER BY id`,
  hold: `INSERT INTO crmkit_migrate_held (migration, entity, source_id, target_id, detail) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (migration, entity, source_id) DO UPDATE SET target_id = excluded.target_id, detail = excluded.detail`,
  release: "DELETE FROM crmkit_migrate_held WHERE migration = $1 AND entity = $2 AND source_id = $3",
  held: "SELECT entity, source_id, target_id, detail FROM crmkit_migrate_held WHERE migration = $1 ORDER BY entity, source_id",
  get: "SELECT value FROM crmkit_migrate_meta WHERE migration = $1 AND key = $2",
  set: `INSERT INTO crmkit_migrate_meta (migration, key, value) VALUES ($1, $2, $3)
    ON CONFLICT (migration, key) DO UPDATE SET value = excluded.value`,
  linkCounts:
    "SELECT entity, COUNT(*) AS n FROM crmkit_migrate_links WHERE migration = $1 GROUP BY entity ORDER BY entity",
  intentCounts:
    "SELECT status, COUNT(*) AS n FROM crmkit_migrate_intents WHERE migration = $1 GROUP BY status ORDER BY status",
} as const

type Row = Record<string, unknown>

const toLink = (row: Row): Link => ({
  entity: row.entity as Entity,
  sourceId: String(row.source_id),
  targetId: String(row.target_id),
  sourceHash: String(row.source_hash),
  targetHash: String(row.target_hash),
  merged: row.merged === true,
})

const toIntent = (row: Row): Intent => ({
  id: Number(row.id),
  entity: row.entity as Entity,
  sourceId: String(row.source_id),
  op: row.op as IntentOp,
  targetId: row.target_id === null ? undefined : String(row.target_id),
  parentId: row.parent_id === null ? undefined : String(row.parent_id),
  sourceHash: String(row.source_hash),
  targetHash: String(row.target_hash),
  identity: JSON.parse(String(row.identity)) as Record<string, string>,
})

const messageOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/** The one connection a store lives on: its own client, or one borrowed from the caller's pool. */
interface Session {
  readonly client: pg.ClientBase
  /** `broken`: the connection is not fit to be reused (its end is the lock's end). */
  readonly end: (broken: boolean) => Promise<void>
}

const connect = (options: Options): Promise<Session> => {
  // An idle connection that fails emits "error": unhandled, it would end the process.
  const ignoreIdleError = () => {}
  if ("pool" in options)
    return options.pool.connect().then((client) => {
      client.on("error", ignoreIdleError)
      return {
        client,
        end: async (broken) => {
          client.removeListener("error", ignoreIdleError)
          client.release(broken)
        },
      }
    })
  const client = new pg.Client({
    connectionString: options.url,
    application_name: "crmkit-migrate",
    keepAlive: true,
  })
  client.on("error", ignoreIdleError)
  return client.connect().then(
    () => ({ client, end: () => client.end().catch(() => undefined) }),
    (error: unknown) => {
      void client.end().catch(() => undefined)
      throw error
    },
  )
}

/** Where the url points, without user or password: errors name it. */
const describeTarget = (options: Options) => {
  if ("pool" in options) return "the given pool"
  try {
    const url = new URL(options.url)
    return `${url.hostname || "localhost"}${url.port ? `:${url.port}` : ""}${url.pathname}`
  } catch {
    return "the given url"
  }
}

const validate = (options: Options): Effect.Effect<void, InvalidStateOptions> => {
  const problems: Array<string> = []
  if (typeof options.migration !== "string" || options.migration.trim() === "")
    problems.push("migration: an id is required (e.g. `keap:<account> -> ghl:<location>`)")
  if ("url" in options) {
    let protocol: string | undefined
    try {
      protocol = new URL(options.url).protocol
    } catch {}
    if (protocol !== "postgres:" && protocol !== "postgresql:")
      problems.push("url: not a postgres:// or postgresql:// URL")
  } else if (!("pool" in options) || options.pool === undefined) problems.push("url or pool: one is required")
  for (const [name, value] of [
    ["waitForLockMillis", options.waitForLockMillis],
    ["lockPollMillis", options.lockPollMillis],
  ] as const)
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      problems.push(`${name}: ${String(value)} is not a number of milliseconds >= 0`)
  return problems.length === 0
    ? Effect.void
    : Effect.fail(new InvalidStateOptions({ message: `Cannot open the PostgreSQL state: ${problems.join("; ")}` }))
}

/**
 * Opens the state of one migration: connects, creates the tables if missing and takes the
 * migration's lock, waiting up to `waitForLockMillis` for another holder to let go. `close()`
 * releases the lock and the connection.
 */
export const openPostgres = (options: Options): Effect.Effect<State, OpenError> =>
  Effect.gen(function* () {
    yield* validate(options)
    const migration = options.migration
    const unavailable = (what: string) => (cause: unknown) =>
      new StateUnavailable({
        migration,
        message: `PostgreSQL state of migration "${migration}" (${describeTarget(options)}): ${what}: ${messageOf(cause)}`,
      })
    const session = yield* Effect.tryPromise({ try: () => connect(options), catch: unavailable("cannot connect") })
    const client = session.client
    const key = lockKey(migration)
    const opened = Effect.gen(function* () {
      yield* acquireLock(client, migration, key, options)
      yield* Effect.tryPromise({ try: () => ensureSchema(client), catch: unavailable("cannot create the tables") })
    })
    // A failed open leaves nothing behind: dropping the connection drops any lock taken.
    yield* opened.pipe(Effect.onError(() => Effect.promise(() => session.end(true))))
    return postgresState(session, migration, key)
  })

const acquireLock = (client: pg.ClientBase, migration: string, key: string, options: Options) =>
  Effect.gen(function* () {
    const waitFor = options.waitForLockMillis ?? 0
    const poll = Math.max(1, options.lockPollMillis ?? 250)
    const started = Date.now()
    const failure = (what: string) => (cause: unknown) =>
      new StateUnavailable({
        migration,
        message: `PostgreSQL state of migration "${migration}" (${describeTarget(options)}): ${what}: ${messageOf(cause)}`,
      })
    const tryLock = Effect.tryPromise({
      try: () => client.query("SELECT pg_try_advisory_lock($1::bigint) AS locked", [key]),
      catch: failure("cannot take the migration's lock"),
    }).pipe(Effect.map((result) => (result.rows[0] as Row).locked === true))
    while (!(yield* tryLock)) {
      const waited = Date.now() - started
      if (waited >= waitFor) {
        const holderPid = yield* lockHolder(client, key)
        return yield* Effect.fail(
          new MigrationLocked({
            migration,
            ...(holderPid === undefined ? {} : { holderPid }),
            waitedMillis: waited,
            message:
              `Migration "${migration}" is being run by another worker` +
              (holderPid === undefined ? "" : ` (PostgreSQL backend pid ${holderPid})`) +
              (waitFor > 0 ? `; waited ${waited} ms` : "") +
              ": its state is locked until that worker closes it or its connection ends.",
          }),
        )
      }
      yield* Effect.sleep(Duration.millis(Math.min(poll, waitFor - waited)))
    }
  })

/** The backend holding a lock key, for the error message; undefined when it cannot be read. */
const lockHolder = (client: pg.ClientBase, key: string) => {
  const big = BigInt(key)
  // A bigint advisory key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
  const high = ((big >> 32n) & 0xffffffffn).toString()
  const low = (big & 0xffffffffn).toString()
  return Effect.tryPromise(() =>
    client.query(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
       AND classid = $1::oid AND objid = $2::oid
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`,
      [high, low],
    ),
  ).pipe(
    Effect.map((result) => {
      const pid = (result.rows[0] as Row | undefined)?.pid
      return typeof pid === "number" ? pid : undefined
    }),
    Effect.orElseSucceed(() => undefined),
  )
}

/** Creates what is missing; the transaction lock keeps workers starting at once from racing on the DDL. */
const ensureSchema = async (client: pg.ClientBase) => {
  const names = [...TABLES, ...INDEXES]
  const present = await client.query("SELECT count(to_regclass(name)) AS n FROM unnest($1::text[]) AS name", [names])
  if (Number((present.rows[0] as Row).n) === names.length) return
  await client.query("BEGIN")
  try {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [SCHEMA_LOCK])
    await client.query(SCHEMA)
    await client.query("COMMIT")
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined)
    throw error
  }
}

const postgresState = (session: Session, migration: string, key: string): State => {
  const client = session.client
  // One statement or transaction at a time on the connection: `complete`'s transaction must not
  // take in another fiber's statement.
  const exclusive = Semaphore.makeUnsafe(1)
  let closed = false
  const run = <A>(operation: string, body: () => Promise<A>): Effect.Effect<A> =>
    exclusive.withPermit(
      Effect.suspend(() =>
        closed
          ? Effect.die(new Error(`The PostgreSQL state of migration "${migration}" is closed (${operation})`))
          : Effect.tryPromise({
              try: body,
              catch: (cause) =>
                new Error(`PostgreSQL state of migration "${migration}": ${operation} failed: ${messageOf(cause)}`),
            }).pipe(Effect.orDie),
      ),
    )
  const query = (name: keyof typeof SQL, values: ReadonlyArray<unknown>) =>
    client.query({ name: `crmkit_migrate_${name}`, text: SQL[name], values: [migration, ...values] })
  const rows = async (name: keyof typeof SQL, values: ReadonlyArray<unknown>) =>
    (await query(name, values)).rows as Array<Row>
  const linkValues = (link: Link) => [
    link.entity,
    link.sourceId,
    link.targetId,
    link.sourceHash,
    link.targetHash,
    link.merged,
  ]

  return {
    getLink: (entity, sourceId) =>
      run("getLink", async () => {
        const row = (await rows("getLink", [entity, sourceId]))[0]
        return row === undefined ? undefined : toLink(row)
      }),
    links: (entity) => run("links", async () => (await rows("links", [entity])).map(toLink)),
    linksPage: (entity, after, limit) =>
      run("linksPage", async () =>
        (after === undefined
          ? await rows("firstLinks", [entity, limit])
          : await rows("linksAfter", [entity, after, limit])
        ).map(toLink),
      ),
    putLink: (link) => run("putLink", async () => void (await query("upsertLink", linkValues(link)))),
    begin: (intent) =>
      run("begin", async () => {
        const [row] = await rows("begin", [
          intent.entity,
          intent.sourceId,
          intent.op,
          intent.targetId ?? null,
          intent.parentId ?? null,
          intent.sourceHash,
          intent.targetHash,
          JSON.stringify(intent.identity),
        ])
        return Number((row as Row).id)
      }),
    // Uninterruptible: an interrupted fiber must not leave the connection inside the transaction.
    complete: (intentId, link) =>
      Effect.uninterruptible(
        run("complete", async () => {
          await client.query("BEGIN")
          try {
            await query("finish", [intentId, "done", link.targetId])
            await query("upsertLink", linkValues(link))
            await client.query("COMMIT")
          } catch (error) {
            await client.query("ROLLBACK").catch(() => undefined)
            throw error
          }
        }),
      ),
    abandon: (intentId) => run("abandon", async () => void (await query("finish", [intentId, "abandoned", null]))),
    pending: () => run("pending", async () => (await rows("pending", [])).map(toIntent)),
    hold: (held) =>
      run(
        "hold",
        async () =>
          void (await query("hold", [held.entity, held.sourceId, held.targetId, JSON.stringify(held.detail)])),
      ),
    release: (entity, sourceId) => run("release", async () => void (await query("release", [entity, sourceId]))),
    held: () =>
      run("held", async () =>
        (await rows("held", [])).map(
          (row): Held => ({
            entity: row.entity as Entity,
            sourceId: String(row.source_id),
            targetId: String(row.target_id),
            detail: JSON.parse(String(row.detail)) as unknown,
          }),
        ),
      ),
    get: (key) =>
      run("get", async () => {
        const row = (await rows("get", [key]))[0]
        return row === undefined ? undefined : String(row.value)
      }),
    set: (key, value) => run("set", async () => void (await query("set", [key, value]))),
    counts: () =>
      run("counts", async () => {
        const links: Record<string, number> = {}
        for (const row of await rows("linkCounts", [])) links[String(row.entity)] = Number(row.n)
        const intents: Record<string, number> = {}
        for (const row of await rows("intentCounts", [])) intents[String(row.status)] = Number(row.n)
        return { links, intents }
      }),
    close: () =>
      Effect.uninterruptible(
        exclusive.withPermit(
          Effect.promise(async () => {
            if (closed) return
            closed = true
            const unlocked = await client
              .query("SELECT pg_advisory_unlock($1::bigint) AS unlocked", [key])
              .then((result) => (result.rows[0] as Row).unlocked === true)
              .catch(() => false)
            // If the unlock did not go through, ending the connection is what frees the lock.
            await session.end(!unlocked)
          }),
        ),
      ),
  }
}

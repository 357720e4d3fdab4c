/**
 * What a migration remembers between runs: the id map (source record → target record,
 * with the hashes both sides had when they were last in step), the write intents that
 * make resume exactly-once, the records held for review, and a few values per migration.
 *
 * `State` is the contract; `openSqlite` is the embedded store (Node's built-in
 * `node:sqlite`, no native build). Every method is an Effect so that a store over a
 * network (PostgreSQL, for several workers) can implement the same interface.
 */
import { DatabaseSync } from "node:sqlite"
import { Effect } from "effect"
import type { Entity } from "./Model.ts"

export interface Link {
  readonly entity: Entity
  readonly sourceId: string
  readonly targetId: string
  /** Hash of the source record when the two sides were last in step. */
  readonly sourceHash: string
  /** Hash of the target record (its mapped fields) when the two sides were last in step. */
  readonly targetHash: string
  /** Another source record had already landed on this target record (a merge, reported). */
  readonly merged: boolean
}

export type IntentOp = "create" | "update"

export interface Intent {
  readonly id: number
  readonly entity: Entity
  readonly sourceId: string
  readonly op: IntentOp
  /** For updates: the record written to; for creates, filled in on completion. */
  readonly targetId: string | undefined
  /** The target id of the parent contact (notes, tasks, opportunities). */
  readonly parentId: string | undefined
  readonly sourceHash: string
  readonly targetHash: string
  /** What finds the record again in the target: email, phone, content hash. */
  readonly identity: Readonly<Record<string, string>>
}

export interface Held {
  readonly entity: Entity
  readonly sourceId: string
  readonly targetId: string
  readonly detail: unknown
}

export interface State {
  readonly getLink: (entity: Entity, sourceId: string) => Effect.Effect<Link | undefined>
  readonly links: (entity: Entity) => Effect.Effect<ReadonlyArray<Link>>
  /**
   * One page of an entity's links in source-id order (by code point): the first `limit` after
   * `after` (from the start when undefined). What a run of many records reads its links with,
   * so that it never holds them all at once.
   */
  readonly linksPage: (entity: Entity, after: string | undefined, limit: number) => Effect.Effect<ReadonlyArray<Link>>
  /** Links without an intent (reconciled records, target-wins acceptance). */
  readonly putLink: (link: Link) => Effect.Effect<void>
  /** Records the intent before the write is sent; returns its id. */
  readonly begin: (intent: Omit<Intent, "id">) => Effect.Effect<number>
  /** Marks the intent done and stores the link, atomically. */
  readonly complete: (intentId: number, link: Link) => Effect.Effect<void>
  /** Closes an intent that never reached the target (found missing on reconciliation). */
  readonly abandon: (intentId: number) => Effect.Effect<void>
  readonly pending: () => Effect.Effect<ReadonlyArray<Intent>>
  readonly hold: (held: Held) => Effect.Effect<void>
  readonly release: (entity: Entity, sourceId: string) => Effect.Effect<void>
  readonly held: () => Effect.Effect<ReadonlyArray<Held>>
  readonly get: (key: string) => Effect.Effect<string | undefined>
  readonly set: (key: string, value: string) => Effect.Effect<void>
  /** Intents written in total, by status: what `status` shows. */
  readonly counts: () => Effect.Effect<{
    readonly links: Readonly<Record<string, number>>
    readonly intents: Readonly<Record<string, number>>
  }>
  readonly close: () => Effect.Effect<void>
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS links (
  entity TEXT NOT NULL, source_id TEXT NOT NULL, target_id TEXT NOT NULL,
  source_hash TEXT NOT NULL, target_hash TEXT NOT NULL, merged INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (entity, source_id));
CREATE INDEX IF NOT EXISTS links_target ON links (entity, target_id);
CREATE TABLE IF NOT EXISTS intents (
  id INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, source_id TEXT NOT NULL, op TEXT NOT NULL,
  target_id TEXT, parent_id TEXT, source_hash TEXT NOT NULL, target_hash TEXT NOT NULL, identity TEXT NOT NULL,
  status TEXT NOT NULL, created_at TEXT NOT NULL, done_at TEXT);
CREATE INDEX IF NOT EXISTS intents_pending ON intents (status);
CREATE TABLE IF NOT EXISTS held (
  entity TEXT NOT NULL, source_id TEXT NOT NULL, target_id TEXT NOT NULL, detail TEXT NOT NULL,
  PRIMARY KEY (entity, source_id));
`

type Row = Record<string, unknown>

const toLink = (row: Row): Link => ({
  entity: row.entity as Entity,
  sourceId: String(row.source_id),
  targetId: String(row.target_id),
  sourceHash: String(row.source_hash),
  targetHash: String(row.target_hash),
  merged: Number(row.merged) === 1,
})

/** The embedded store: one SQLite file (created if missing), safe to kill at any point. */
export const openSqlite = (file: string): Effect.Effect<State, Error> =>
  Effect.try({
    try: () => {
      const db = new DatabaseSync(file)
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;")
      db.exec(SCHEMA)
      return db
    },
    catch: (cause) =>
      new Error(`Cannot open the state file ${file}: ${cause instanceof Error ? cause.message : String(cause)}`),
  }).pipe(Effect.map(sqliteState))

const sqliteState = (db: DatabaseSync): State => {
  const getLink = db.prepare("SELECT * FROM links WHERE entity = ? AND source_id = ?")
  const listLinks = db.prepare("SELECT * FROM links WHERE entity = ?")
  const firstLinks = db.prepare("SELECT * FROM links WHERE entity = ? ORDER BY source_id LIMIT ?")
  const linksAfter = db.prepare("SELECT * FROM links WHERE entity = ? AND source_id > ? ORDER BY source_id LIMIT ?")
  const upsertLink = db.prepare(
    `INSERT INTO links (entity, source_id, target_id, source_hash, target_hash, merged) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (entity, source_id) DO UPDATE SET target_id = excluded.target_id,
     source_hash = excluded.source_hash, target_hash = excluded.target_hash, merged = excluded.merged`,
  )
  const insertIntent = db.prepare(
    `INSERT INTO intents (entity, source_id, op, target_id, parent_id, source_hash, target_hash, identity, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
  )
  const finishIntent = db.prepare(
    "UPDATE intents SET status = ?, done_at = ?, target_id = COALESCE(?, target_id) WHERE id = ?",
  )
  const pendingIntents = db.prepare("SELECT * FROM intents WHERE status = 'pending' ORDER BY id")
  const upsertHeld = db.prepare(
    `INSERT INTO held (entity, source_id, target_id, detail) VALUES (?, ?, ?, ?)
     ON CONFLICT (entity, source_id) DO UPDATE SET target_id = excluded.target_id, detail = excluded.detail`,
  )
  const deleteHeld = db.prepare("DELETE FROM held WHERE entity = ? AND source_id = ?")
  const listHeld = db.prepare("SELECT * FROM held ORDER BY entity, source_id")
  const getMeta = db.prepare("SELECT value FROM meta WHERE key = ?")
  const setMeta = db.prepare(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  )
  const now = () => new Date().toISOString()
  const writeLink = (link: Link) =>
    upsertLink.run(link.entity, link.sourceId, link.targetId, link.sourceHash, link.targetHash, link.merged ? 1 : 0)

  return {
    getLink: (entity, sourceId) =>
      Effect.sync(() => {
        const row = getLink.get(entity, sourceId) as Row | undefined
        return row === undefined ? undefined : toLink(row)
      }),
    links: (entity) => Effect.sync(() => (listLinks.all(entity) as Array<Row>).map(toLink)),
    linksPage: (entity, after, limit) =>
      Effect.sync(() =>
        (
          (after === undefined ? firstLinks.all(entity, limit) : linksAfter.all(entity, after, limit)) as Array<Row>
        ).map(toLink),
      ),
    putLink: (link) => Effect.sync(() => void writeLink(link)),
    begin: (intent) =>
      Effect.sync(() =>
        Number(
          insertIntent.run(
            intent.entity,
            intent.sourceId,
            intent.op,
            intent.targetId ?? null,
            intent.parentId ?? null,
            intent.sourceHash,
            intent.targetHash,
            JSON.stringify(intent.identity),
            now(),
          ).lastInsertRowid,
        ),
      ),
    complete: (intentId, link) =>
      Effect.sync(() => {
        db.exec("BEGIN IMMEDIATE")
        try {
          writeLink(link)
          finishIntent.run("done", now(), link.targetId, intentId)
          db.exec("COMMIT")
        } catch (error) {
          db.exec("ROLLBACK")
          throw error
        }
      }),
    abandon: (intentId) => Effect.sync(() => void finishIntent.run("abandoned", now(), null, intentId)),
    pending: () =>
      Effect.sync(() =>
        (pendingIntents.all() as Array<Row>).map(
          (row): Intent => ({
            id: Number(row.id),
            entity: row.entity as Entity,
            sourceId: String(row.source_id),
            op: row.op as IntentOp,
            targetId: row.target_id === null ? undefined : String(row.target_id),
            parentId: row.parent_id === null ? undefined : String(row.parent_id),
            sourceHash: String(row.source_hash),
            targetHash: String(row.target_hash),
            identity: JSON.parse(String(row.identity)) as Record<string, string>,
          }),
        ),
      ),
    hold: (held) =>
      Effect.sync(() => void upsertHeld.run(held.entity, held.sourceId, held.targetId, JSON.stringify(held.detail))),
    release: (entity, sourceId) => Effect.sync(() => void deleteHeld.run(entity, sourceId)),
    held: () =>
      Effect.sync(() =>
        (listHeld.all() as Array<Row>).map((row) => ({
          entity: row.entity as Entity,
          sourceId: String(row.source_id),
          targetId: String(row.target_id),
          detail: JSON.parse(String(row.detail)) as unknown,
        })),
      ),
    get: (key) =>
      Effect.sync(() => {
        const row = getMeta.get(key) as Row | undefined
        return row === undefined ? undefined : String(row.value)
      }),
    set: (key, value) => Effect.sync(() => void setMeta.run(key, value)),
    counts: () =>
      Effect.sync(() => {
        const links: Record<string, number> = {}
        for (const row of db.prepare("SELECT entity, COUNT(*) AS n FROM links GROUP BY entity").all() as Array<Row>)
          links[String(row.entity)] = Number(row.n)
        const intents: Record<string, number> = {}
        for (const row of db.prepare("SELECT status, COUNT(*) AS n FROM intents GROUP BY status").all() as Array<Row>)
          intents[String(row.status)] = Number(row.n)
        return { links, intents }
      }),
    close: () => Effect.sync(() => db.close()),
  }
}

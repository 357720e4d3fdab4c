/**
 * A plan's, run's or verify's working index, on disk: what they look up record by record. The
 * target's contacts and companies (by id, and by email, phone, source marker or company name),
 * which source record holds which target record, the target each source record went to in this
 * pass, the creates of this pass, and the target's opportunities by contact.
 *
 * It lives in a SQLite file of its own (`node:sqlite`) in a temporary directory, made when the
 * work starts and removed when it ends (`use`), so that a migration's memory does not grow with
 * its records (kept in Maps, this grew by about 1.6 KB a contact; see bench section 6). Nothing in
 * it outlives the run: what must survive a crash is in the `State`.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite"
import type { Records } from "@crmkit/core"
import { Effect } from "effect"
import { companyHash, companyKey, type Entity } from "./Model.ts"
import type { Link } from "./State.ts"

/** What finds a target contact again: its email, its phone, or the source marker a migration wrote into it. */
export type ContactKey = "email" | "phone" | "source"

// Throwaway: no journal on disk, no sync; a few MB of page cache whatever the size.
const PRAGMAS = `
PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
PRAGMA temp_store = FILE; PRAGMA cache_size = -8192;
`

const SCHEMA = `
CREATE TABLE records (entity TEXT NOT NULL, id TEXT NOT NULL, hash TEXT, json TEXT NOT NULL, PRIMARY KEY (entity, id));
CREATE INDEX records_hash ON records (entity, hash);
CREATE TABLE keys (
  seq INTEGER PRIMARY KEY, entity TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL,
  UNIQUE (entity, kind, key, id));
CREATE INDEX keys_id ON keys (entity, id);
CREATE TABLE claims (entity TEXT NOT NULL, target_id TEXT NOT NULL, source_id TEXT NOT NULL, PRIMARY KEY (entity, target_id));
CREATE TABLE targets (entity TEXT NOT NULL, source_id TEXT NOT NULL, target_id TEXT NOT NULL, PRIMARY KEY (entity, source_id));
CREATE INDEX targets_target ON targets (entity, target_id);
CREATE TABLE created (id TEXT PRIMARY KEY);
CREATE TABLE planned (id TEXT PRIMARY KEY, real_id TEXT NOT NULL);
CREATE TABLE opportunities (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, contact_id TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX opportunities_id ON opportunities (id);
CREATE INDEX opportunities_contact ON opportunities (contact_id, seq);
CREATE TABLE grouped (
  seq INTEGER PRIMARY KEY, entity TEXT NOT NULL, parent TEXT NOT NULL,
  source_id TEXT NOT NULL, target_id TEXT NOT NULL, target_hash TEXT NOT NULL);
CREATE INDEX grouped_parent ON grouped (entity, parent, seq);
`

type Row = Record<string, unknown>

/**
 * An index's directory names its host and process: one left behind by a process killed with
 * SIGKILL (nothing could remove it) is removed by the next index made on that host.
 */
const DIRECTORY_PREFIX = "crmkit-migrate-index-"
const hostPrefix = () => `${DIRECTORY_PREFIX}${hostname().replace(/[^A-Za-z0-9.-]/g, "_")}-`

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Removes the indexes under `parent` of this host's processes that are gone. */
const removeOrphans = (parent: string) => {
  const host = hostPrefix()
  let names: Array<string>
  try {
    names = readdirSync(parent)
  } catch {
    return
  }
  for (const name of names) {
    if (!name.startsWith(host)) continue
    const pid = Number(name.slice(host.length).split("-")[0])
    if (Number.isInteger(pid) && pid > 0 && !isRunning(pid))
      rmSync(join(parent, name), { recursive: true, force: true })
  }
}

/** A link as verify groups it under its parent: what it needs of it. */
export type GroupedLink = Pick<Link, "sourceId" | "targetId" | "targetHash">

export class RunIndex {
  readonly #dir: string
  readonly #db: DatabaseSync
  readonly #statements = new Map<string, StatementSync>()
  #opportunitiesLoaded = false

  /**
   * Makes the index in a new temporary directory (under `TMPDIR`), first removing those of this
   * host's processes that are gone; `close` removes it.
   */
  constructor(parent: string = tmpdir()) {
    removeOrphans(parent)
    this.#dir = mkdtempSync(join(parent, `${hostPrefix()}${process.pid}-`))
    try {
      this.#db = new DatabaseSync(join(this.#dir, "index.db"))
      this.#db.exec(PRAGMAS)
      this.#db.exec(SCHEMA)
    } catch (error) {
      rmSync(this.#dir, { recursive: true, force: true })
      throw error
    }
  }

  /** Where the file is (tests check it is gone after `close`). */
  get directory(): string {
    return this.#dir
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close()
    rmSync(this.#dir, { recursive: true, force: true })
  }

  // --- Target contacts ---------------------------------------------------------------------

  /** Target contacts as listed, one transaction for the lot. */
  addContacts(contacts: ReadonlyArray<Records.Contact>): void {
    this.#transaction(() => {
      for (const contact of contacts) {
        this.#run("INSERT OR REPLACE INTO records (entity, id, json) VALUES ('contact', ?, ?)", [
          contact.id,
          JSON.stringify(contact),
        ])
        this.#addContactKeys(contact.id, contact)
      }
    })
  }

  /**
   * A create decided in this pass, under its planned id: found by its keys (a second source
   * contact with its email is then a merge) and created in this run. Its record is not kept:
   * nothing reads a planned contact back.
   */
  addPlannedContact(planned: string, contact: Records.Contact): void {
    this.#addContactKeys(planned, contact)
    this.markCreated(planned)
  }

  /** The target contact as listed at the start, read back when needed. */
  contact(id: string): Records.Contact | undefined {
    const row = this.#get("SELECT json FROM records WHERE entity = 'contact' AND id = ?", [id])
    return row === undefined ? undefined : (JSON.parse(String(row.json)) as Records.Contact)
  }

  /** Target contact ids with that email, phone or source marker, in the order they were added. */
  contactsBy(kind: ContactKey, key: string): ReadonlyArray<string> {
    return this.#ids("contact", kind, key)
  }

  #addContactKeys(id: string, contact: Records.Contact) {
    for (const email of contact.emails) this.#addKey("contact", "email", email, id)
    for (const phone of contact.phones) this.#addKey("contact", "phone", phone, id)
    if (contact.sourceId !== undefined) this.#addKey("contact", "source", contact.sourceId, id)
  }

  // --- Target companies --------------------------------------------------------------------

  /** Target companies as listed (or a planned create, under its planned id). */
  addCompanies(companies: ReadonlyArray<Records.Company>): void {
    this.#transaction(() => {
      for (const company of companies) {
        this.#run("INSERT OR REPLACE INTO records (entity, id, hash, json) VALUES ('company', ?, ?, ?)", [
          company.id,
          companyHash(company),
          JSON.stringify(company),
        ])
        this.#addKey("company", "name", companyKey(company.name), company.id)
      }
    })
  }

  company(id: string): Records.Company | undefined {
    const row = this.#get("SELECT json FROM records WHERE entity = 'company' AND id = ?", [id])
    return row === undefined ? undefined : (JSON.parse(String(row.json)) as Records.Company)
  }

  /** Target company ids of that name (case and spacing ignored), in the order they were added. */
  companiesNamed(name: string): ReadonlyArray<string> {
    return this.#ids("company", "name", companyKey(name))
  }

  /** A planned create, written: the real id takes the planned one's place everywhere, in the same position. */
  replaceCompany(planned: string, company: Records.Company): void {
    this.#transaction(() => {
      this.#run("DELETE FROM records WHERE entity = 'company' AND id = ?", [planned])
      this.#run("UPDATE OR REPLACE keys SET id = ? WHERE entity = 'company' AND id = ?", [company.id, planned])
      this.#run("UPDATE OR REPLACE claims SET target_id = ? WHERE entity = 'company' AND target_id = ?", [
        company.id,
        planned,
      ])
      this.#run("UPDATE targets SET target_id = ? WHERE entity = 'company' AND target_id = ?", [company.id, planned])
    })
    this.addCompanies([company])
  }

  /** Whether a target company with this hash is held by no source company. */
  hasUnclaimedCompany(hash: string): boolean {
    return (
      this.#get(
        `SELECT 1 AS found FROM records r WHERE r.entity = 'company' AND r.hash = ?
         AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.entity = 'company' AND c.target_id = r.id) LIMIT 1`,
        [hash],
      ) !== undefined
    )
  }

  /** Whether the target has this contact or company (as listed at the start; a company also as planned or created). */
  has(entity: "contact" | "company", id: string): boolean {
    return this.#get("SELECT 1 AS found FROM records WHERE entity = ? AND id = ?", [entity, id]) !== undefined
  }

  // --- Which source record holds which target record ---------------------------------------

  /** The entities whose links in the state have all been added (`addClaims`). */
  readonly loadedClaims = new Set<Entity>()

  /** Links of the state, a page at a time: each link's source record holds its target record. */
  addClaims(entity: Entity, links: ReadonlyArray<Link>): void {
    this.#transaction(() => {
      for (const link of links) this.claim(entity, link.targetId, link.sourceId)
    })
  }

  /** The source record that holds a target record, if any. */
  holder(entity: Entity, targetId: string): string | undefined {
    const row = this.#get("SELECT source_id FROM claims WHERE entity = ? AND target_id = ?", [entity, targetId])
    return row === undefined ? undefined : String(row.source_id)
  }

  claim(entity: Entity, targetId: string, sourceId: string): void {
    this.#run("INSERT OR REPLACE INTO claims (entity, target_id, source_id) VALUES (?, ?, ?)", [
      entity,
      targetId,
      sourceId,
    ])
  }

  // --- Where each source record went in this pass ------------------------------------------

  setTarget(entity: Entity, sourceId: string, targetId: string): void {
    this.#run("INSERT OR REPLACE INTO targets (entity, source_id, target_id) VALUES (?, ?, ?)", [
      entity,
      sourceId,
      targetId,
    ])
  }

  /** The target id (or planned id) decided in this pass for a source record. */
  targetOf(entity: Entity, sourceId: string): string | undefined {
    const row = this.#get("SELECT target_id FROM targets WHERE entity = ? AND source_id = ?", [entity, sourceId])
    return row === undefined ? undefined : String(row.target_id)
  }

  /** A target record created in this run (by its planned or its real id). */
  markCreated(id: string): void {
    this.#run("INSERT OR IGNORE INTO created (id) VALUES (?)", [id])
  }

  createdThisRun(id: string): boolean {
    return this.#get("SELECT 1 AS found FROM created WHERE id = ?", [id]) !== undefined
  }

  /** A planned create, written: its real id. */
  setRealId(planned: string, real: string): void {
    this.#run("INSERT OR REPLACE INTO planned (id, real_id) VALUES (?, ?)", [planned, real])
  }

  realIdOf(planned: string): string | undefined {
    const row = this.#get("SELECT real_id FROM planned WHERE id = ?", [planned])
    return row === undefined ? undefined : String(row.real_id)
  }

  // --- Target opportunities ----------------------------------------------------------------

  get opportunitiesLoaded(): boolean {
    return this.#opportunitiesLoaded
  }

  /** The target's opportunities as listed, a page at a time; `opportunitiesDone` once all are in. */
  addOpportunities(opportunities: ReadonlyArray<Records.Opportunity>): void {
    this.#transaction(() => {
      for (const o of opportunities)
        this.#run("INSERT INTO opportunities (id, contact_id, json) VALUES (?, ?, ?)", [
          o.id,
          o.contactId,
          JSON.stringify(o),
        ])
    })
  }

  opportunitiesDone(): void {
    this.#opportunitiesLoaded = true
  }

  opportunity(id: string): Records.Opportunity | undefined {
    const row = this.#get("SELECT json FROM opportunities WHERE id = ? ORDER BY seq LIMIT 1", [id])
    return row === undefined ? undefined : (JSON.parse(String(row.json)) as Records.Opportunity)
  }

  /** The target's opportunities of a contact, in the order they were listed. */
  opportunitiesOf(contactId: string): ReadonlyArray<Records.Opportunity> {
    return this.#all("SELECT json FROM opportunities WHERE contact_id = ? ORDER BY seq", [contactId]).map(
      (row) => JSON.parse(String(row.json)) as Records.Opportunity,
    )
  }

  // --- Links grouped by parent (verify) ----------------------------------------------------

  group(entity: Entity, parent: string, link: GroupedLink): void {
    this.#run("INSERT INTO grouped (entity, parent, source_id, target_id, target_hash) VALUES (?, ?, ?, ?, ?)", [
      entity,
      parent,
      link.sourceId,
      link.targetId,
      link.targetHash,
    ])
  }

  /** Parents with grouped links, in code-point order: the first `limit` after `after`. */
  groupParents(entity: Entity, after: string | undefined, limit: number): ReadonlyArray<string> {
    return this.#all(
      "SELECT DISTINCT parent FROM grouped WHERE entity = ? AND parent > ? ORDER BY parent LIMIT ?",
      // Every id sorts after the empty string but the empty string itself, which no parent is.
      [entity, after ?? "", limit],
    ).map((row) => String(row.parent))
  }

  grouped(entity: Entity, parent: string): ReadonlyArray<GroupedLink> {
    return this.#all(
      "SELECT source_id, target_id, target_hash FROM grouped WHERE entity = ? AND parent = ? ORDER BY seq",
      [entity, parent],
    ).map((row) => ({
      sourceId: String(row.source_id),
      targetId: String(row.target_id),
      targetHash: String(row.target_hash),
    }))
  }

  // --- SQLite ------------------------------------------------------------------------------

  #addKey(entity: "contact" | "company", kind: ContactKey | "name", key: string, id: string) {
    this.#run("INSERT OR IGNORE INTO keys (entity, kind, key, id) VALUES (?, ?, ?, ?)", [entity, kind, key, id])
  }

  #ids(entity: "contact" | "company", kind: ContactKey | "name", key: string): ReadonlyArray<string> {
    return this.#all("SELECT id FROM keys WHERE entity = ? AND kind = ? AND key = ? ORDER BY seq", [
      entity,
      kind,
      key,
    ]).map((row) => String(row.id))
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  #run(sql: string, values: ReadonlyArray<SQLInputValue>): void {
    this.#statement(sql).run(...values)
  }

  #get(sql: string, values: ReadonlyArray<SQLInputValue>): Row | undefined {
    return this.#statement(sql).get(...values) as Row | undefined
  }

  #all(sql: string, values: ReadonlyArray<SQLInputValue>): Array<Row> {
    return this.#statement(sql).all(...values) as Array<Row>
  }

  #transaction(body: () => void) {
    if (this.#db.isTransaction) return body()
    this.#db.exec("BEGIN")
    try {
      body()
      this.#db.exec("COMMIT")
    } catch (error) {
      this.#db.exec("ROLLBACK")
      throw error
    }
  }
}

/** Runs `use` with a fresh index, removed when it ends, however it ends (failure and interruption included). */
export const use = <A, E, R>(body: (index: RunIndex) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.try({
      try: () => new RunIndex(),
      catch: (cause) =>
        new Error(
          `Cannot make the migration's working index under ${tmpdir()}: ${cause instanceof Error ? cause.message : String(cause)}`,
        ),
    }).pipe(Effect.orDie),
    body,
    (index) => Effect.sync(() => index.close()),
  )

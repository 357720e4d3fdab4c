/**
 * The audit log: one JSON line per tool call, appended and synced before the call is
 * answered. Each line carries the SHA-256 of the line before it (`prev`), so an edited,
 * removed, inserted or reordered line breaks the chain and `verify` names it.
 *
 * Secrets and personal fields are redacted before a line is written: the log is for
 * finding out what an agent did, not a second copy of the CRM.
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { type FileHandle, open as openFile, stat } from "node:fs/promises"
import { Sensitive } from "@crmkit/core"
import { DateTime, Effect, Predicate, Schema, type Scope, Semaphore } from "effect"

export class AuditError extends Schema.TaggedError<AuditError>()("AuditError", {
  path: Schema.String,
  message: Schema.String,
}) {}

const failure = (path: string, what: string) => (error: unknown) =>
  new AuditError({ path, message: `${path}: ${what}: ${error instanceof Error ? error.message : String(error)}` })

// ---------------------------------------------------------------------------------------
// Entries

const OutcomeSchema = Schema.Struct({
  status: Schema.optionalKey(Schema.Number),
  requestId: Schema.optionalKey(Schema.String),
  records: Schema.optionalKey(Schema.Number),
  durationMs: Schema.Number,
  error: Schema.optionalKey(Schema.String),
})

/** The prev of the first line. */
export const genesis = "0".repeat(64)

/** One line of the log. */
export const Entry = Schema.Struct({
  time: Schema.String,
  agent: Schema.String,
  tool: Schema.String,
  provider: Schema.optionalKey(Schema.String),
  operation: Schema.optionalKey(Schema.String),
  /** `allow`, `deny`, `confirm-accepted`, `confirm-declined`, `invalid`... */
  decision: Schema.String,
  rule: Schema.optionalKey(Schema.String),
  arguments: Schema.Unknown,
  outcome: OutcomeSchema,
  prev: Schema.String.check(Schema.isPattern(/^[0-9a-f]{64}$/)),
})
export type Entry = typeof Entry.Type

export interface Outcome {
  readonly status?: number | undefined
  readonly requestId?: string | undefined
  readonly records?: number | undefined
  readonly durationMs: number
  readonly error?: string | undefined
}

/** What the server appends; the log adds `time` and `prev`. */
export interface NewEntry {
  readonly agent: string
  readonly tool: string
  readonly provider?: string | undefined
  readonly operation?: string | undefined
  readonly decision: "allow" | "deny" | "confirm-accepted" | "confirm-declined" | (string & {})
  readonly rule?: string | undefined
  readonly arguments: unknown
  readonly outcome: Outcome
}

export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")

// ---------------------------------------------------------------------------------------
// Redaction

const placeholder = "[redacted]"

/** Personal fields redacted whatever the policy says. */
export const defaultPersonalFields: ReadonlyArray<string> = ["email", "phone"]

/** Words that make a key secret: `apiKey`, `client_secret`, `refresh_token`, `Authorization`... */
const secretWords = new Set([
  "token",
  "tokens",
  "secret",
  "secrets",
  "password",
  "passwd",
  "passphrase",
  "key",
  "keys",
  "apikey",
  "auth",
  "authorization",
  "bearer",
  "cookie",
  "credential",
  "credentials",
  "refresh",
  "signature",
])

/** `email_addresses`, `primaryEmail`, `EMAIL1` → email, addresses / primary, email / email. */
const words = (key: string): ReadonlyArray<string> =>
  key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((word) => word.replace(/\d+$/, ""))
    .filter((word) => word !== "")

/** Whether `inner` appears, in order and side by side, in `outer`. */
const contains = (outer: ReadonlyArray<string>, inner: ReadonlyArray<string>) =>
  inner.length > 0 && outer.some((_, start) => inner.every((word, offset) => outer[start + offset] === word))

interface Redactor {
  readonly key: (key: string) => boolean
  readonly text: (text: string) => string
}

const makeRedactor = (fields: ReadonlyArray<string>, secrets: ReadonlyArray<string>): Redactor => {
  // A personal field matches any key that contains its words: `email` covers `email_addresses` and `EMAIL1`.
  const personal = [...defaultPersonalFields, ...fields].map(words)
  const values = secrets.filter((secret) => secret !== "")
  // Short values would also match ordinary words inside free text: those only match a whole value.
  const long = values.filter((secret) => secret.length >= 8)
  return {
    key: (key) => {
      const keyWords = words(key)
      return keyWords.some((word) => secretWords.has(word)) || personal.some((field) => contains(keyWords, field))
    },
    text: (text) => {
      if (values.includes(text)) return placeholder
      let out = text
      for (const secret of long) if (out.includes(secret)) out = out.split(secret).join(placeholder)
      // Secrets the connectors registered (tokens they hold) too.
      return Sensitive.scrubText(out)
    },
  }
}

const redactWith = (redactor: Redactor, value: unknown, depth: number): unknown => {
  if (typeof value === "string") return redactor.text(value)
  if (depth > 32) return placeholder
  if (Array.isArray(value)) return value.map((item) => redactWith(redactor, item, depth + 1))
  if (Predicate.isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        redactor.key(key) ? placeholder : redactWith(redactor, item, depth + 1),
      ]),
    )
  }
  return value
}

/**
 * A copy of the value with secret-looking fields, personal fields (these and
 * `defaultPersonalFields`, by key at any depth) and known secret values replaced.
 */
export const redact = (
  value: unknown,
  fields: ReadonlyArray<string> = [],
  secrets: ReadonlyArray<string> = [],
): unknown => redactWith(makeRedactor(fields, secrets), value, 0)

// ---------------------------------------------------------------------------------------
// Reading

interface Line {
  readonly text: string
  /** False for a last line without its newline: cut short. */
  readonly complete: boolean
}

/** The file's lines, streamed: an audit log can grow large. */
async function* readLines(path: string): AsyncGenerator<Line> {
  let rest = ""
  for await (const chunk of createReadStream(path, { encoding: "utf8" })) {
    rest += chunk
    let start = 0
    for (let end = rest.indexOf("\n"); end >= 0; end = rest.indexOf("\n", start)) {
      yield { text: rest.slice(start, end), complete: true }
      start = end + 1
    }
    rest = rest.slice(start)
  }
  if (rest !== "") yield { text: rest, complete: false }
}

const decodeEntry = Schema.decodeUnknownOption(Entry)

/** The entry on a line, or undefined for anything else. */
const entryOf = (text: string): Entry | undefined => {
  try {
    const entry = decodeEntry(JSON.parse(text))
    return entry._tag === "Some" ? entry.value : undefined
  } catch {
    return undefined
  }
}

export type Verification =
  | {
      readonly ok: true
      readonly lines: number /** SHA-256 of the last line: keep it elsewhere to detect a cut tail. */
      readonly head: string
    }
  | { readonly ok: false; readonly line: number; readonly reason: string }

/** Checks the chain; names the first bad line (1-based) and why. */
export const verify = (path: string): Effect.Effect<Verification, AuditError> =>
  Effect.tryPromise({
    try: async (): Promise<Verification> => {
      let number = 0
      let prev = genesis
      const bad = (reason: string): Verification => ({ ok: false, line: number, reason: `line ${number}: ${reason}` })
      for await (const line of readLines(path)) {
        number++
        if (!line.complete) return bad("cut short (no newline at the end)")
        let json: unknown
        try {
          json = JSON.parse(line.text)
        } catch {
          return bad(line.text === "" ? "empty" : "not JSON")
        }
        const entry = decodeEntry(json)
        if (entry._tag === "None") return bad("not an audit entry")
        if (entry.value.prev !== prev) {
          return bad(
            number === 1
              ? "edited or reordered (prev does not start the chain)"
              : `edited or reordered (prev does not match line ${number - 1})`,
          )
        }
        prev = sha256(line.text)
      }
      return { ok: true, lines: number, head: prev }
    },
    catch: failure(path, "cannot read the audit log"),
  })

export interface Filter {
  readonly agent?: string | undefined
  readonly decision?: string | undefined
  readonly since?: Date | undefined
}

/** The entries that pass the filter, oldest first; lines that are not entries are skipped (`verify` reports them). */
export const show = (path: string, filter: Filter = {}): Effect.Effect<ReadonlyArray<Entry>, AuditError> =>
  Effect.tryPromise({
    try: async () => {
      const since = filter.since?.getTime()
      const entries: Array<Entry> = []
      for await (const line of readLines(path)) {
        const entry = entryOf(line.text)
        if (entry === undefined) continue
        if (filter.agent !== undefined && entry.agent !== filter.agent) continue
        if (filter.decision !== undefined && entry.decision !== filter.decision) continue
        if (since !== undefined && !(Date.parse(entry.time) >= since)) continue
        entries.push(entry)
      }
      return entries
    },
    catch: failure(path, "cannot read the audit log"),
  })

// ---------------------------------------------------------------------------------------
// Writing

export interface AuditLog {
  readonly path: string
  /** Appends one line and syncs it to disk; fails when it cannot, and from then on (fail closed). */
  readonly append: (entry: NewEntry) => Effect.Effect<void, AuditError>
  /** Fails when a line could not be written, or the file was moved or removed: refuse calls then. */
  readonly ready: Effect.Effect<void, AuditError>
}

export interface Options {
  /** Personal fields to redact, on top of `defaultPersonalFields`. */
  readonly redact?: ReadonlyArray<string> | undefined
  /** Secret values (tokens, keys) that must never reach the file, even inside free text. */
  readonly secrets?: ReadonlyArray<string> | undefined
}

const tailChunk = 64 * 1024

/** The last line's text, or undefined for an empty file. */
const lastLine = async (path: string): Promise<string | undefined> => {
  const handle = await openFile(path, "r")
  try {
    const { size } = await handle.stat()
    if (size === 0) return undefined
    let chunks: Array<Buffer> = []
    let length = 0
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - tailChunk)
      const chunk = Buffer.alloc(end - start)
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, start)
      if (bytesRead !== chunk.length) throw new Error("the file changed while it was read")
      chunks = [chunk, ...chunks]
      length += chunk.length
      const tail = Buffer.concat(chunks, length)
      if (tail[tail.length - 1] !== 0x0a) throw new Error("the last line is cut short: run verify")
      const newline = tail.length < 2 ? -1 : tail.lastIndexOf(0x0a, tail.length - 2)
      if (newline >= 0 || start === 0) return tail.subarray(newline + 1, tail.length - 1).toString("utf8")
      end = start
    }
    return undefined
  } finally {
    await handle.close()
  }
}

/** Where the chain goes on: the hash of the file's last line. */
const chainHead = async (path: string): Promise<string> => {
  const last = await lastLine(path)
  if (last === undefined) return genesis
  // Appending to something that is not an audit log would only hide it.
  if (entryOf(last) === undefined) throw new Error("the last line is not an audit entry: run verify")
  return sha256(last)
}

/**
 * Opens (or creates) the log for appending, continuing the chain from its last line. One
 * writer at a time in this process; two processes must not share a file.
 */
export const open = (path: string, options: Options = {}): Effect.Effect<AuditLog, AuditError, Scope.Scope> =>
  Effect.gen(function* () {
    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({
        // O_APPEND: every write lands at the end, whatever else holds the file. Owner-only: it names people.
        try: () => openFile(path, "a", 0o600),
        catch: failure(path, "cannot open the audit log"),
      }),
      (handle: FileHandle) => Effect.promise(() => handle.close()),
    )
    let prev = yield* Effect.tryPromise({
      try: () => chainHead(path),
      catch: failure(path, "cannot continue the audit log"),
    })
    const redactor = makeRedactor(options.redact ?? [], options.secrets ?? [])
    const semaphore = yield* Semaphore.make(1)
    let broken: AuditError | undefined

    const write = (line: string) =>
      Effect.tryPromise({
        try: async () => {
          await handle.writeFile(`${line}\n`, "utf8")
          // Acknowledged means on disk.
          await handle.datasync()
        },
        catch: failure(path, "cannot write the audit log"),
      })

    const append = (entry: NewEntry): Effect.Effect<void, AuditError> =>
      Effect.gen(function* () {
        // After a failed write the file may end in half a line: nothing more can be chained to it.
        if (broken) return yield* broken
        const time = DateTime.formatIso(yield* DateTime.now)
        const line = JSON.stringify({
          time,
          agent: entry.agent,
          tool: entry.tool,
          provider: entry.provider,
          operation: entry.operation,
          decision: entry.decision,
          rule: entry.rule,
          arguments: redactWith(redactor, entry.arguments, 0),
          outcome: {
            ...entry.outcome,
            ...(entry.outcome.error === undefined ? {} : { error: redactor.text(entry.outcome.error) }),
          },
          prev,
        })
        yield* write(line).pipe(
          Effect.tapError((error) =>
            Effect.sync(() => {
              broken = error
            }),
          ),
        )
        prev = sha256(line)
      }).pipe(
        // A write cut off halfway would leave the chain broken for the next line.
        Effect.uninterruptible,
        semaphore.withPermits(1),
      )

    const ready: Effect.Effect<void, AuditError> = Effect.gen(function* () {
      if (broken) return yield* broken
      const [open, named] = yield* Effect.tryPromise({
        try: () => Promise.all([handle.stat(), stat(path)]),
        catch: failure(path, "the audit log is gone"),
      })
      if (open.ino !== named.ino || open.dev !== named.dev) {
        return yield* new AuditError({ path, message: `${path}: the audit log was moved or replaced` })
      }
    })

    return { path, append, ready }
  })

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Audit from "../src/Audit.ts"

const dir = await mkdtemp(join(tmpdir(), "crmkit-audit-"))
afterAll(() => rm(dir, { recursive: true, force: true }))

let files = 0
const freshPath = () => join(dir, `audit-${++files}.jsonl`)

const entry = (n: number, overrides: Partial<Audit.NewEntry> = {}): Audit.NewEntry => ({
  agent: "writer",
  tool: "ghl_create_contact",
  provider: "ghl",
  operation: "create-contact",
  decision: "allow",
  rule: "ghl:contacts:write",
  arguments: { locationId: "loc-1", n },
  outcome: { status: 201, durationMs: 12 },
  ...overrides,
})

/** Writes `count` entries to a new log and returns its path. */
const logWith = (count: number) =>
  Effect.gen(function* () {
    const path = freshPath()
    const log = yield* Audit.open(path)
    for (let n = 1; n <= count; n++) yield* log.append(entry(n))
    return path
  }).pipe(Effect.scoped)

const linesOf = async (path: string) => (await readFile(path, "utf8")).split("\n").slice(0, -1)
const rewrite = (path: string, lines: ReadonlyArray<string>) =>
  writeFile(path, lines.map((line) => `${line}\n`).join(""))

describe("Audit log chain", () => {
  it.effect("chains each line to the one before, across two opens", () =>
    Effect.gen(function* () {
      const path = yield* logWith(2)
      yield* Effect.scoped(Effect.flatMap(Audit.open(path), (log) => log.append(entry(3))))
      const lines = yield* Effect.promise(() => linesOf(path))
      assert.strictEqual(lines.length, 3)
      const parsed = lines.map((line) => JSON.parse(line) as Audit.Entry)
      assert.strictEqual(parsed[0]?.prev, Audit.genesis)
      assert.strictEqual(parsed[1]?.prev, Audit.sha256(lines[0] ?? ""))
      assert.strictEqual(parsed[2]?.prev, Audit.sha256(lines[1] ?? ""))
      assert.deepStrictEqual(yield* Audit.verify(path), { ok: true, lines: 3, head: Audit.sha256(lines[2] ?? "") })
      assert.match(parsed[0]?.time ?? "", /^\d{4}-\d\d-\d\dT/)
    }),
  )

  it.effect("continues after a last line longer than the tail it reads at a time", () =>
    Effect.gen(function* () {
      const path = freshPath()
      const long = entry(1, { arguments: { note: "x".repeat(200_000) } })
      yield* Effect.scoped(Effect.flatMap(Audit.open(path), (log) => log.append(long)))
      yield* Effect.scoped(Effect.flatMap(Audit.open(path), (log) => log.append(entry(2))))
      const result = yield* Audit.verify(path)
      assert.isTrue(result.ok && result.lines === 2)
    }),
  )

  it.effect("an empty or new file verifies", () =>
    Effect.gen(function* () {
      const path = freshPath()
      yield* Effect.scoped(Audit.open(path))
      assert.deepStrictEqual(yield* Audit.verify(path), { ok: true, lines: 0, head: Audit.genesis })
    }),
  )

  const tampered = (change: (lines: Array<string>) => Array<string>) =>
    Effect.gen(function* () {
      const path = yield* logWith(5)
      const lines = yield* Effect.promise(() => linesOf(path))
      yield* Effect.promise(() => rewrite(path, change(lines)))
      return yield* Audit.verify(path)
    })

  it.effect("finds an edited line: the next line's prev no longer matches", () =>
    Effect.gen(function* () {
      const result = yield* tampered((lines) =>
        lines.map((line, i) => (i === 1 ? line.replace("loc-1", "loc-2") : line)),
      )
      assert.deepStrictEqual(result, {
        ok: false,
        line: 3,
        reason: "line 3: edited or reordered (prev does not match line 2)",
      })
    }),
  )

  it.effect("finds a removed line", () =>
    Effect.gen(function* () {
      const result = yield* tampered((lines) => lines.filter((_, i) => i !== 2))
      assert.deepStrictEqual(result, {
        ok: false,
        line: 3,
        reason: "line 3: edited or reordered (prev does not match line 2)",
      })
      const first = yield* tampered((lines) => lines.slice(1))
      assert.deepStrictEqual(first, {
        ok: false,
        line: 1,
        reason: "line 1: edited or reordered (prev does not start the chain)",
      })
    }),
  )

  it.effect("finds swapped and inserted lines", () =>
    Effect.gen(function* () {
      const swapped = yield* tampered(([a, b, c, ...rest]) => [a ?? "", c ?? "", b ?? "", ...rest])
      assert.strictEqual(swapped.ok ? 0 : swapped.line, 2)
      const inserted = yield* tampered((lines) => [...lines.slice(0, 3), lines[1] ?? "", ...lines.slice(3)])
      assert.strictEqual(inserted.ok ? 0 : inserted.line, 4)
    }),
  )

  it.effect("finds a last line cut short, and a line that is not JSON", () =>
    Effect.gen(function* () {
      const path = yield* logWith(5)
      const text = yield* Effect.promise(() => readFile(path, "utf8"))
      yield* Effect.promise(() => writeFile(path, text.slice(0, text.length - 20)))
      assert.deepStrictEqual(yield* Audit.verify(path), {
        ok: false,
        line: 5,
        reason: "line 5: cut short (no newline at the end)",
      })
      // A log cut short is not continued: a person must look at it first.
      const reopened = yield* Effect.flip(Effect.scoped(Audit.open(path)))
      assert.match(reopened.message, /cut short/)

      const garbled = yield* tampered((lines) => lines.map((line, i) => (i === 4 ? line.slice(0, 30) : line)))
      assert.deepStrictEqual(garbled, { ok: false, line: 5, reason: "line 5: not JSON" })
    }),
  )

  it.effect("100 concurrent appends make one unbroken chain", () =>
    Effect.gen(function* () {
      const path = freshPath()
      yield* Effect.scoped(
        Effect.flatMap(Audit.open(path), (log) =>
          Effect.forEach(
            Array.from({ length: 100 }, (_, n) => n),
            (n) => log.append(entry(n)),
            { concurrency: "unbounded", discard: true },
          ),
        ),
      )
      const result = yield* Audit.verify(path)
      assert.strictEqual(result.ok && result.lines, 100)
      const numbers = (yield* Audit.show(path)).map((e) => (e.arguments as { n: number }).n)
      assert.deepStrictEqual(
        [...numbers].sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, n) => n),
      )
    }),
  )
})

describe("Audit redaction", () => {
  const token = "ya29.a0AfH6SMBx-secret-access-token"
  const password = "hunter2-correct-horse"

  it.effect("no secret or personal value reaches the file", () =>
    Effect.gen(function* () {
      const path = freshPath()
      yield* Effect.scoped(
        Effect.flatMap(Audit.open(path, { redact: ["birthday"], secrets: [token] }), (log) =>
          log.append(
            entry(1, {
              arguments: {
                locationId: "loc-1",
                apiKey: "k-123456789",
                headers: { Authorization: "Bearer abcdefghij" },
                client_secret: "cs-0987654321",
                refresh_token: "rt-1122334455",
                body: {
                  given_name: "Ann",
                  email_addresses: [{ email: "ann@example.com", field: "EMAIL1" }],
                  phone_numbers: [{ number: "+15550100", field: "PHONE1" }],
                  birthday: "1980-01-01",
                  notes: `pasted: ${token} by mistake`,
                  credentials: { user: "ann", password },
                },
                EMAIL1: "ann2@example.com",
              },
              outcome: { durationMs: 3, error: `provider said: invalid token ${token}` },
            }),
          ),
        ),
      )
      const text = yield* Effect.promise(() => readFile(path, "utf8"))
      for (const secret of [
        token,
        password,
        "k-123456789",
        "abcdefghij",
        "cs-0987654321",
        "rt-1122334455",
        "ann@example.com",
        "ann2@example.com",
        "+15550100",
        "1980-01-01",
      ]) {
        assert.notInclude(text, secret)
      }
      const [written] = yield* Audit.show(path)
      const args = written?.arguments as { body: { given_name: string; notes: string; email_addresses: unknown } }
      assert.strictEqual(args.body.given_name, "Ann")
      assert.strictEqual(args.body.notes, "pasted: [redacted] by mistake")
      assert.strictEqual(args.body.email_addresses, "[redacted]")
      assert.strictEqual(written?.outcome.error, "provider said: invalid token [redacted]")
    }),
  )

  it("redacts personal fields inside arrays by key name, and keeps other fields", () => {
    assert.deepStrictEqual(
      Audit.redact({ list: [{ email: "a@b.c", id: 1 }], tags: ["x"], keyword: "ok", count: 2, active: true }),
      { list: [{ email: "[redacted]", id: 1 }], tags: ["x"], keyword: "ok", count: 2, active: true },
    )
    assert.deepStrictEqual(Audit.redact({ name: "Ann", first_name: "Ann" }, ["first_name"]), {
      name: "Ann",
      first_name: "[redacted]",
    })
    // A short secret only matches a whole value.
    assert.deepStrictEqual(Audit.redact({ a: "1234", b: "x1234y" }, [], ["1234"]), { a: "[redacted]", b: "x1234y" })
  })
})

describe("Audit failures and show", () => {
  it.effect("cannot open a log in a missing directory", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.scoped(Audit.open(join(dir, "missing", "audit.jsonl"))))
      assert.strictEqual(error._tag, "AuditError")
    }),
  )

  // Linux has /dev/full on every machine this runs on; without it the test fails, it does not skip.
  it.effect("fails closed when a line cannot be written", () =>
    Effect.gen(function* () {
      yield* Effect.scoped(
        Effect.gen(function* () {
          // Writes to /dev/full fail with ENOSPC, like a full disk.
          const log = yield* Audit.open("/dev/full")
          const first = yield* Effect.flip(log.append(entry(1)))
          assert.strictEqual(first._tag, "AuditError")
          assert.match(first.message, /cannot write/)
          // And it stays refused: the next line would not chain.
          assert.strictEqual((yield* Effect.flip(log.append(entry(2))))._tag, "AuditError")
          assert.strictEqual((yield* Effect.flip(log.ready))._tag, "AuditError")
        }),
      )
    }),
  )

  it.effect("ready fails when the file is removed", () =>
    Effect.gen(function* () {
      const path = freshPath()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const log = yield* Audit.open(path)
          yield* log.ready
          yield* Effect.promise(() => rm(path))
          assert.strictEqual((yield* Effect.flip(log.ready))._tag, "AuditError")
        }),
      )
    }),
  )

  it.effect("refuses to continue a file that is not an audit log", () =>
    Effect.gen(function* () {
      const path = freshPath()
      yield* Effect.promise(() => writeFile(path, '{"hello":"world"}\n'))
      const error = yield* Effect.flip(Effect.scoped(Audit.open(path)))
      assert.match(error.message, /not an audit entry/)
    }),
  )

  // Live: entries take their time from the Clock, which it.effect fixes at 1970.
  it.live("show filters by agent, decision and time", () =>
    Effect.gen(function* () {
      const path = freshPath()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const log = yield* Audit.open(path)
          yield* log.append(entry(1, { agent: "reader", decision: "allow" }))
          yield* log.append(entry(2, { agent: "writer", decision: "deny" }))
          yield* log.append(entry(3, { agent: "writer", decision: "confirm-declined" }))
        }),
      )
      const agentsOf = (entries: ReadonlyArray<Audit.Entry>) => entries.map((e) => `${e.agent}:${e.decision}`)
      assert.deepStrictEqual(agentsOf(yield* Audit.show(path, {})), [
        "reader:allow",
        "writer:deny",
        "writer:confirm-declined",
      ])
      assert.deepStrictEqual(agentsOf(yield* Audit.show(path, { agent: "writer" })), [
        "writer:deny",
        "writer:confirm-declined",
      ])
      assert.deepStrictEqual(agentsOf(yield* Audit.show(path, { decision: "deny" })), ["writer:deny"])
      assert.deepStrictEqual(yield* Audit.show(path, { since: new Date(Date.now() + 60_000) }), [])
      assert.strictEqual((yield* Audit.show(path, { since: new Date(Date.now() - 60_000) })).length, 3)
    }),
  )
})

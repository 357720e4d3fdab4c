/**
 * Takes a file lock, says so on stdout, and holds it until killed or `holdMs` passes:
 * the other process of the cross-process lock tests.
 *
 *   node lockHolder.ts <lockPath> [holdMs] [staleMs]
 */
import { Effect } from "effect"
import * as FileLock from "../../src/internal/fileLock.ts"

const [lockPath = "", holdMs = "600000", staleMs = "10000"] = process.argv.slice(2)

const program = Effect.scoped(
  Effect.gen(function* () {
    yield* FileLock.acquire(lockPath, { staleMs: Number(staleMs) })
    process.stdout.write("locked\n")
    yield* Effect.sleep(Number(holdMs))
  }),
)

Effect.runPromise(program).then(
  () => process.stdout.write("released\n"),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`)
    process.exitCode = 1
  },
)

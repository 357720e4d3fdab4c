/**
 * Saves `count` token pairs named `<name>-<i>` into a file TokenStore, each its own
 * read-modify-write: several of these at once must lose no pair.
 *
 *   node storeWriter.ts <file> <name> <count>
 */
import { Effect, Redacted } from "effect"
import { TokenStore } from "../../src/index.ts"

const [file = "", name = "w", count = "10"] = process.argv.slice(2)

const program = Effect.gen(function* () {
  const store = yield* TokenStore.makeFile(file)
  for (let i = 0; i < Number(count); i++) {
    yield* store.set(`${name}-${i}`, { accessToken: Redacted.make(`access-${name}-${i}`) })
  }
})

Effect.runPromise(program).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`)
  process.exitCode = 1
})

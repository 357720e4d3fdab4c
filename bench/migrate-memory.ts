/**
 * Child process of the migration memory benchmark: runs one Keap -> HighLevel migration
 * against a sandbox served by the parent, with windows that never bind, and reports its
 * peak RSS, its peak heap, and the heap still live (after a full GC) when the contacts
 * are done and when the run is done.
 * Usage: node --expose-gc bench/migrate-memory.ts '<json: MigrationEndpoints & { stateFile, snapshotFile? }>'
 * With `snapshotFile`, a V8 heap snapshot is written when the contacts are done.
 */
import * as v8 from "node:v8"
import { Engine, State } from "@crmkit/migrate"
import { Effect, Exit, Scope } from "effect"
import {
  type MigrationEndpoints,
  memoryRateLimits,
  migrationMapping,
  migrationSides,
  rateLimitsNeverBinding,
} from "./migrate-support.ts"

const config = JSON.parse(process.argv[2]!) as MigrationEndpoints & {
  readonly stateFile: string
  readonly snapshotFile?: string
}
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc: the live heap is measured after a full collection")
const mb = (bytes: number) => bytes / 2 ** 20
const liveHeapMb = () => {
  gc()
  return mb(process.memoryUsage().heapUsed)
}

let peakHeapMb = 0
const sample = () => {
  const used = mb(v8.getHeapStatistics().used_heap_size)
  if (used > peakHeapMb) peakHeapMb = used
}
const sampler = setInterval(sample, 25)

const scope = Effect.runSync(Scope.make())
const rateLimits = await memoryRateLimits(scope, rateLimitsNeverBinding)
const sides = await migrationSides(config, rateLimits)
const state = await Effect.runPromise(State.openSqlite(config.stateFile))
const [source, target] = await Effect.runPromise(Engine.lookups(sides.keap, sides.ghl))
const mapping = migrationMapping(source, target)

const live: Record<string, number> = { beforeRun: liveHeapMb() }
let contactsDone = false
const started = performance.now()
const report = await Effect.runPromise(
  Engine.run({
    from: sides.keap,
    to: sides.ghl,
    state,
    mapping,
    onProgress: (progress) => {
      if (progress.seen % 500 === 0) sample()
      if (!contactsDone && progress.entity !== "contact") {
        // The first child record: every contact has been decided and written.
        contactsDone = true
        sample()
        live.contactsDone = liveHeapMb()
        if (config.snapshotFile !== undefined) v8.writeHeapSnapshot(config.snapshotFile)
      }
    },
  }),
)
const seconds = (performance.now() - started) / 1000
sample()
live.runDone = liveHeapMb()
clearInterval(sampler)
await Effect.runPromise(state.close())
await sides.close()
await Effect.runPromise(Scope.close(scope, Exit.void))

process.stdout.write(
  JSON.stringify({
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakHeapMb,
    liveHeapMb: live,
    summary: Engine.summary(report),
  }),
)

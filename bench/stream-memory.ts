/**
 * Child process of the memory benchmark: streams `records` Keap contacts through the
 * core's cursor pagination and reports its own peak RSS.
 * Usage: node bench/stream-memory.ts <baseUrl> <apiKey> <records> <pageSize>
 */
import { Pagination } from "@crmkit/core"
import { KeapClient } from "@crmkit/keap"
import { Effect, Stream } from "effect"
import { keapContactPages, unthrottledKeap } from "./support.ts"

const [baseUrl, apiKey, recordsArg, pageSizeArg] = process.argv.slice(2)
const records = Number(recordsArg)
const started = performance.now()
const count = await Effect.runPromise(
  KeapClient.KeapClient.use((keap) =>
    Pagination.items(keap, { method: "GET", path: "/v2/contacts" }, keapContactPages(Number(pageSizeArg))).pipe(
      Stream.take(records),
      Stream.runCount,
    ),
  ).pipe(Effect.provide(unthrottledKeap(baseUrl!, apiKey!))),
)
process.stdout.write(
  JSON.stringify({
    records: count,
    seconds: (performance.now() - started) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
)

import * as Console from "effect/Console"
import { Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { columnsOf, csvHeader, csvRow, type Format, render } from "../Output.ts"
import type { Progress } from "../Progress.ts"

export const formatFlag = Flag.Literals("format", ["table", "json", "ndjson", "csv"] as const).pipe(
  Flag.withDescription("Output format (default: table on a terminal, ndjson when piped)"),
  Flag.optional,
)

/** Once the reader is slower than the stream (a slow pipe), waits for stdout to drain rather than queue pages. */
const drained = Effect.callback<void>((resume) => {
  if (!process.stdout.writableNeedDrain) resume(Effect.void)
  else process.stdout.once("drain", () => resume(Effect.void))
})

/**
 * Streams records to stdout as they arrive (ndjson, csv), a line per record, pausing
 * between pages while stdout drains; json and table wait for the last one.
 */
export const writeRecords = <E, R>(records: Stream.Stream<unknown, E, R>, format: Format, progress: Progress) =>
  Effect.gen(function* () {
    let columns: ReadonlyArray<string> | undefined
    const buffered: Array<unknown> = []
    yield* records.pipe(
      Stream.runForEachArray((chunk) => {
        progress.add(chunk.length)
        switch (format) {
          case "ndjson":
            for (const record of chunk) process.stdout.write(`${JSON.stringify(record)}\n`)
            return drained
          case "csv":
            if (columns === undefined) {
              columns = columnsOf([chunk[0]])
              process.stdout.write(`${csvHeader(columns)}\n`)
            }
            for (const record of chunk) process.stdout.write(`${csvRow(record, columns)}\n`)
            return drained
          default:
            for (const record of chunk) buffered.push(record)
            return Effect.void
        }
      }),
      Effect.ensuring(Effect.sync(progress.finish)),
    )
    if (format === "json" || format === "table") yield* Console.log(render(buffered, format))
  })

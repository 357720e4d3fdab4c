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

/** Streams records to stdout as they arrive (ndjson, csv); json and table wait for the last one. */
export const writeRecords = <E, R>(records: Stream.Stream<unknown, E, R>, format: Format, progress: Progress) =>
  Effect.gen(function* () {
    let columns: ReadonlyArray<string> | undefined
    const buffered: Array<unknown> = []
    yield* records.pipe(
      Stream.runForEach((record) =>
        Effect.sync(() => {
          progress.add(1)
          switch (format) {
            case "ndjson":
              process.stdout.write(`${JSON.stringify(record)}\n`)
              break
            case "csv":
              if (columns === undefined) {
                columns = columnsOf([record])
                process.stdout.write(`${csvHeader(columns)}\n`)
              }
              process.stdout.write(`${csvRow(record, columns)}\n`)
              break
            default:
              buffered.push(record)
          }
        }),
      ),
      Effect.ensuring(Effect.sync(progress.finish)),
    )
    if (format === "json" || format === "table") yield* Console.log(render(buffered, format))
  })

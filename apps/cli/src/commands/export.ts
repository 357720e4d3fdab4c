/**
 * `crmkit <provider> export <resource|operationId> --out FILE`: every record to ndjson or
 * csv, with a checkpoint after each page. The checkpoint holds the byte length of the
 * file at that page and the request for the next page; `--resume` cuts the file back to
 * that length and continues, so an interrupted export (Ctrl-C, a crash, a lost network)
 * ends with every record exactly once.
 */
import * as fs from "node:fs"
import type { Connector, CrmClient } from "@crmkit/core"
import * as Console from "effect/Console"
import { Argument, Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Lazy from "../Lazy.ts"
import { columnsOf, csvHeader, csvRow } from "../Output.ts"
import { root } from "../Root.ts"
import { UsageError } from "../UsageError.ts"
import { buildInput, findOperation, placeholders, validated } from "./call.ts"

const Checkpoint = Schema.Struct({
  provider: Schema.String,
  operationId: Schema.String,
  format: Schema.Literals(["ndjson", "csv"]),
  columns: Schema.optional(Schema.Array(Schema.String)),
  records: Schema.Number,
  bytes: Schema.Number,
  next: Schema.NullOr(Schema.Unknown),
  done: Schema.Boolean,
})
type Checkpoint = typeof Checkpoint.Type
const decodeCheckpoint = Schema.decodeUnknownSync(Schema.fromJsonString(Checkpoint))

const checkpointPath = (out: string) => `${out}.checkpoint.json`

const saveCheckpoint = (out: string, checkpoint: Checkpoint) => {
  const temporary = `${checkpointPath(out)}.tmp`
  fs.writeFileSync(temporary, JSON.stringify(checkpoint))
  fs.renameSync(temporary, checkpointPath(out))
}

export const exportCommand = (info: Connector.Connector) =>
  Command.make(
    "export",
    {
      target: Argument.String("resource").pipe(
        Argument.withDescription("A resource (its list operation is used) or a paginated operation id"),
      ),
      out: Flag.String("out").pipe(Flag.withAlias("o"), Flag.withDescription("File to write")),
      format: Flag.Literals("format", ["ndjson", "csv"] as const).pipe(
        Flag.withDescription("File format"),
        Flag.withDefault("ndjson" as const),
      ),
      param: Flag.KeyValuePair("param").pipe(
        Flag.withAlias("p"),
        Flag.withDescription("Filters and other parameters, as name=value"),
        Flag.optional,
      ),
      body: Flag.String("body").pipe(Flag.withDescription("JSON request body (searches)"), Flag.optional),
      pageSize: Flag.Int("page-size").pipe(Flag.withDescription("Records per page"), Flag.optional),
      resume: Flag.Boolean("resume").pipe(
        Flag.withDescription("Continue an interrupted export from its checkpoint"),
        Flag.withDefault(false),
      ),
    },
    Effect.fn(function* ({ target, out, format, param, body, pageSize, resume }) {
      const globals = yield* root
      const runtime = yield* Lazy.runtime(info)
      const Session = yield* Lazy.Session
      const registry = yield* Effect.promise(() => runtime.operations())
      // A resource name means its list operation.
      const operation = yield* findOperation(runtime, registry.listOf(target)?.id ?? target)
      if (operation.pagination === undefined) {
        return yield* new UsageError({ message: `${operation.id} does not paginate; export needs a list operation` })
      }
      let checkpoint: Checkpoint | undefined
      if (fs.existsSync(checkpointPath(out))) {
        checkpoint = decodeCheckpoint(fs.readFileSync(checkpointPath(out), "utf8"))
        if (!resume) {
          return yield* new UsageError({
            message: `${out} has a checkpoint from an earlier export: add --resume to continue it, or delete ${checkpointPath(out)}`,
          })
        }
        if (checkpoint.operationId !== operation.id || checkpoint.provider !== info.name) {
          return yield* new UsageError({
            message: `The checkpoint of ${out} is for ${checkpoint.provider} ${checkpoint.operationId}`,
          })
        }
        if (checkpoint.done) {
          yield* Console.error(`${out} is already complete (${checkpoint.records} records)`)
          return
        }
      } else if (resume) {
        return yield* new UsageError({ message: `Nothing to resume: ${checkpointPath(out)} does not exist` })
      }

      const parsedBody = Option.isSome(body) ? JSON.parse(body.value) : undefined
      const size = Option.getOrElse(pageSize, () => info.pageSize.default)
      const input = yield* validated(
        info.name,
        operation,
        buildInput(
          Option.getOrElse(param, () => ({})),
          parsedBody,
        ),
        (candidate) => registry.prepare(operation, candidate, { context: placeholders(info), pageSize: size }),
      )
      const session = yield* Session.open(runtime, {
        sandbox: globals.sandbox,
        baseUrl: Option.getOrUndefined(globals.baseUrl),
        profile: globals.profile,
        dryRun: globals.dryRun,
      })

      // Cut back to the last checkpoint: anything after it may be a partly written page.
      const fd = fs.openSync(out, checkpoint === undefined ? "w" : "r+")
      let state: Checkpoint = checkpoint ?? {
        provider: info.name,
        operationId: operation.id,
        format,
        records: 0,
        bytes: 0,
        next: null,
        done: false,
      }
      fs.ftruncateSync(fd, state.bytes)
      const resumeAt =
        checkpoint?.next === null || checkpoint === undefined ? undefined : (checkpoint.next as CrmClient.CrmRequest)

      yield* registry.pages(operation, input, { pageSize: size, resumeAt }).pipe(
        Stream.provideContext(session.services),
        Stream.runForEach((page) =>
          Effect.sync(() => {
            let text = ""
            let columns = state.columns
            if (state.format === "csv") {
              if (columns === undefined) {
                columns = columnsOf(page.items)
                text += `${csvHeader(columns)}\n`
              }
              for (const record of page.items) text += `${csvRow(record, columns)}\n`
            } else {
              for (const record of page.items) text += `${JSON.stringify(record)}\n`
            }
            const written = fs.writeSync(fd, text, state.bytes)
            fs.fsyncSync(fd)
            state = {
              ...state,
              ...(columns === undefined ? {} : { columns }),
              records: state.records + page.items.length,
              bytes: state.bytes + written,
              next: page.next ?? null,
              done: page.next === undefined,
            }
            saveCheckpoint(out, state)
            if (process.stderr.isTTY) process.stderr.write(`\r${state.records} records, page ${page.number}`)
          }),
        ),
        Effect.ensuring(Effect.sync(() => fs.closeSync(fd))),
      )
      if (process.stderr.isTTY) process.stderr.write("\n")
      yield* Console.error(`exported ${state.records} records to ${out}`)
    }, Effect.scoped),
  ).pipe(
    Command.withDescription(`Export every record of a ${info.title} list to ndjson or csv, resumable`),
    Command.withExamples([
      { command: `crmkit ${info.name} export contacts --out contacts.ndjson`, description: "Export all contacts" },
      {
        command: `crmkit ${info.name} export contacts --out contacts.ndjson --resume`,
        description: "Continue after an interruption",
      },
    ]),
  )

import * as fs from "node:fs/promises"
import type { Connector, CrmError, Operation } from "@crmkit/core"
import * as Console from "effect/Console"
import { Argument, Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Lazy from "../Lazy.ts"
import { defaultFormat, type Format, renderResult } from "../Output.ts"
import * as Progress from "../Progress.ts"
import { root } from "../Root.ts"
import { UsageError } from "../UsageError.ts"
import { formatFlag, writeRecords } from "./shared.ts"

/** `--param name=value`: a value that reads as JSON (number, boolean, array, object) is taken as such when the string is refused. */
const coerce = (value: string): unknown => {
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

const readBody = (body: string) =>
  Effect.tryPromise({
    try: async () => JSON.parse(body.startsWith("@") ? await fs.readFile(body.slice(1), "utf8") : body) as unknown,
    catch: (cause) =>
      new UsageError({ message: `--body is not valid JSON: ${String((cause as Error).message ?? cause)}` }),
  })

/** The operation with this id; an unknown id names the nearest ones and where to list them. */
export const findOperation = (runtime: Connector.Runtime, id: string) =>
  Effect.flatMap(
    Effect.promise(() => runtime.operations()),
    (registry) =>
      Effect.mapError(
        registry.lookup(id),
        (error) =>
          new UsageError({
            message: `${error.reason.message}. List them with: crmkit ${runtime.connector.name} operations`,
          }),
      ),
  )

/** The input from the command line: --param values, then the body. */
export const buildInput = (params: Readonly<Record<string, string>>, body: unknown) => {
  const input: Record<string, unknown> = { ...params }
  if (body !== undefined) input.body = body
  return input
}

/**
 * Validates the input as it will be sent (`prepare` fills in what the connection knows);
 * where a field is refused as a string, retries it as JSON once. Returns the input as given.
 */
export const validated = (
  provider: string,
  operation: Operation.Operation,
  input: Record<string, unknown>,
  prepare: (input: Record<string, unknown>) => unknown,
) =>
  Effect.flatMap(Lazy.Operation, (Operation) =>
    Operation.validate(provider, operation, prepare(input)).pipe(
      Effect.as(input),
      Effect.catch((error: CrmError) => {
        const fields = error.reason._tag === "Validation" ? error.reason.fields.map((f) => f.field.split(".")[0]!) : []
        const retry = { ...input }
        let changed = false
        for (const f of fields) {
          if (typeof retry[f] === "string") {
            retry[f] = coerce(retry[f] as string)
            changed = true
          }
        }
        return changed
          ? Operation.validate(provider, operation, prepare(retry)).pipe(Effect.as(retry))
          : Effect.fail(error)
      }),
    ),
  )

/**
 * Bad input is refused before any connection is opened: the context the connection
 * will fill in stands in as placeholders.
 */
export const placeholders = (connector: Connector.Connector) =>
  Object.fromEntries(connector.context.map((parameter) => [parameter.name, "placeholder"]))

export const callCommand = (info: Connector.Connector) =>
  Command.make(
    "call",
    {
      operationId: Argument.String("operationId").pipe(Argument.withDescription("An id from `operations`")),
      param: Flag.KeyValuePair("param").pipe(
        Flag.withAlias("p"),
        Flag.withDescription("A path, query or header parameter, as name=value (repeatable)"),
        Flag.optional,
      ),
      body: Flag.String("body").pipe(Flag.withDescription("JSON request body, or @file.json"), Flag.optional),
      all: Flag.Boolean("all").pipe(
        Flag.withDescription("Stream every page (paginated operations)"),
        Flag.withDefault(false),
      ),
      pageSize: Flag.Int("page-size").pipe(Flag.withDescription("Records per page with --all"), Flag.optional),
      format: formatFlag,
    },
    Effect.fn(function* ({ operationId, param, body, all, pageSize, format }) {
      const globals = yield* root
      const runtime = yield* Lazy.runtime(info)
      const Session = yield* Lazy.Session
      const registry = yield* Effect.promise(() => runtime.operations())
      const operation = yield* findOperation(runtime, operationId)
      if (all && operation.pagination === undefined) {
        return yield* new UsageError({ message: `${operation.id} does not paginate: drop --all` })
      }
      const size = Option.getOrElse(pageSize, () => info.pageSize.default)
      const parsedBody = Option.isSome(body) ? yield* readBody(body.value) : undefined
      const input = yield* validated(
        info.name,
        operation,
        buildInput(
          Option.getOrElse(param, () => ({})),
          parsedBody,
        ),
        (candidate) =>
          registry.prepare(operation, candidate, {
            context: placeholders(info),
            pageSize: all ? size : undefined,
          }),
      )
      const session = yield* Session.open(runtime, {
        sandbox: globals.sandbox,
        baseUrl: Option.getOrUndefined(globals.baseUrl),
        profile: globals.profile,
        dryRun: globals.dryRun,
      })
      const chosen: Format = Option.getOrElse(format, defaultFormat)
      if (!all) {
        const result = yield* Effect.provideContext(registry.call(operation, input), session.services)
        yield* Console.log(renderResult(result, chosen))
        return
      }
      const progress = Progress.start(session.stats, Progress.enabledBy(Option.getOrUndefined(globals.progress)))
      yield* writeRecords(
        registry.stream(operation, input, { pageSize: size }).pipe(Stream.provideContext(session.services)),
        chosen,
        progress,
      )
    }, Effect.scoped),
  ).pipe(
    Command.withDescription(`Run any ${info.title} operation by its id, validating parameters and body first`),
    Command.withExamples([
      { command: `crmkit ${info.name} operations --search contact`, description: "Find an operation's id" },
      {
        command: `crmkit ${info.name} call <operationId> --param name=value --body @body.json`,
        description: "Call it",
      },
      {
        command: `crmkit --sandbox ${info.name} call <operationId> --all --format ndjson`,
        description: "Stream every page of a list or search",
      },
    ]),
  )

import * as fs from "node:fs/promises"
import type { CrmError, Operation } from "@crmkit/core"
import * as Console from "effect/Console"
import { Argument, Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Lazy from "../Lazy.ts"
import { defaultFormat, type Format, renderResult } from "../Output.ts"
import * as Progress from "../Progress.ts"
import type { CliProvider, CliProviderInfo } from "../providers.ts"
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

export const findOperation = (provider: CliProvider, id: string) =>
  Effect.flatMap(
    Effect.promise(() => Promise.all([provider.operations(), provider.catalog()])),
    ([operations, catalog]) => {
      const operation = operations[id]
      if (operation !== undefined) return Effect.succeed(operation)
      const near = catalog
        .filter((e) => e.id.toLowerCase().includes(id.toLowerCase()) || id.toLowerCase().includes(e.id.toLowerCase()))
        .slice(0, 5)
        .map((e) => e.id)
      return Effect.fail(
        new UsageError({
          message: `Unknown ${provider.title} operation "${id}".${near.length ? ` Did you mean: ${near.join(", ")}?` : ""} List them with: crmkit ${provider.name} operations`,
        }),
      )
    },
  )

/** Builds the input: context parameters the operation takes, then --param values, then the body. */
export const buildInput = (
  operation: Operation.Operation,
  context: Readonly<Record<string, string>>,
  params: Readonly<Record<string, string>>,
  body: unknown,
) => {
  const input: Record<string, unknown> = {}
  for (const p of operation.parameters) if (context[p.name] !== undefined) input[p.name] = context[p.name]
  Object.assign(input, params)
  if (body !== undefined) input.body = body
  // Searches that page in the body (GHL) need one even when nothing else goes in it.
  else if (operation.pagination?.params.placement === "body") input.body = {}
  if (
    operation.pagination?.params.placement === "body" &&
    context.locationId &&
    input.body &&
    typeof input.body === "object"
  ) {
    input.body = { locationId: context.locationId, ...(input.body as object) }
  }
  return input
}

/** Validates; where a field is refused as a string, retries it as JSON once. */
export const validated = (provider: string, operation: Operation.Operation, input: Record<string, unknown>) =>
  Effect.flatMap(Lazy.Operation, (Operation) =>
    Operation.validate(provider, operation, input).pipe(
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
        return changed ? Operation.validate(provider, operation, retry).pipe(Effect.as(retry)) : Effect.fail(error)
      }),
    ),
  )

export const callCommand = (info: CliProviderInfo) =>
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
      const provider = yield* Lazy.provider(info)
      const Operation = yield* Lazy.Operation
      const Session = yield* Lazy.Session
      const operation = yield* findOperation(provider, operationId)
      const parsedBody = Option.isSome(body) ? yield* readBody(body.value) : undefined
      // Bad input is refused before any connection is opened; context values are filled in later.
      const placeholders = Object.fromEntries(provider.contextKeys.map((key) => [key, "placeholder"]))
      yield* validated(
        provider.name,
        operation,
        buildInput(
          operation,
          placeholders,
          Option.getOrElse(param, () => ({})),
          parsedBody,
        ),
      )
      const session = yield* Session.open(provider, {
        sandbox: globals.sandbox,
        baseUrl: Option.getOrUndefined(globals.baseUrl),
        profile: globals.profile,
      })
      const raw = buildInput(
        operation,
        session.context,
        Option.getOrElse(param, () => ({})),
        parsedBody,
      )
      const input = yield* validated(provider.name, operation, raw)
      const chosen: Format = Option.getOrElse(format, defaultFormat)
      if (!all) {
        const result = yield* provider.call(session.services, operation, input)
        yield* Console.log(renderResult(result, chosen))
        return
      }
      if (operation.pagination === undefined) {
        return yield* new UsageError({ message: `${operation.id} does not paginate: drop --all` })
      }
      const progress = Progress.start(session.stats, Progress.enabledBy(Option.getOrUndefined(globals.progress)))
      yield* writeRecords(
        Operation.streamAll(
          session.client,
          operation,
          input,
          Option.getOrElse(pageSize, () => provider.pageSize),
        ),
        chosen,
        progress,
      )
    }, Effect.scoped),
  ).pipe(
    Command.withDescription(`Run any ${info.title} operation by its id, validating parameters and body first`),
    Command.withExamples([
      {
        command: `crmkit ${info.name} call ${info.name === "keap" ? "getContact --param contact_id=12" : "get-contact --param contactId=abc"}`,
        description: "Get one record",
      },
      {
        command: `crmkit --sandbox ${info.name} call ${info.name === "keap" ? "listContacts" : "get-contacts"} --all --format ndjson`,
        description: "Stream every page",
      },
    ]),
  )

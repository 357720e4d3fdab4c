/**
 * `crmkit <provider> <resource> <action>`: the providers' hand-written services, one command
 * each, with flags derived from each action's input Schema (described at build time in
 * generated/actions.json, so that `--help` does not load the providers). Field `given_name`
 * is flag `--given-name`; lists take comma-separated values; objects and lists of objects
 * take JSON (or @file.json). The input is checked by the action's Schema before sending.
 */
import * as fs from "node:fs"
import type { Action, Connector } from "@crmkit/core"
import * as Console from "effect/Console"
import { Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { addedActions } from "../connectors.ts"
import manifest from "../generated/actions.json" with { type: "json" }
import * as Lazy from "../Lazy.ts"
import { defaultFormat, type Format, renderResult } from "../Output.ts"
import * as Progress from "../Progress.ts"
import { root } from "../Root.ts"
import { UsageError } from "../UsageError.ts"
import { formatFlag, writeRecords } from "./shared.ts"

const descriptions = manifest as unknown as Readonly<Record<string, ReadonlyArray<Action.Description>>>

const kebab = (name: string) =>
  name
    .replace(/_/g, "-")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()

// Flags the action commands add themselves; a field of the same name is renamed.
const reserved = new Set(["all", "limit", "format", "help", "version", "sandbox", "profile", "verbose", "progress"])
const flagName = (field: Action.Field) =>
  reserved.has(kebab(field.name)) ? `${kebab(field.name)}-value` : kebab(field.name)

const readJson = (flag: string, text: string): unknown => {
  try {
    return JSON.parse(text.startsWith("@") ? fs.readFileSync(text.slice(1), "utf8") : text)
  } catch (cause) {
    throw new UsageError({ message: `--${flag} is not valid JSON: ${(cause as Error).message}` })
  }
}

const scalar = (type: Action.FieldType | undefined, text: string): unknown => {
  if (type === "integer" || type === "number") {
    const n = Number(text)
    return Number.isFinite(n) && text.trim() !== "" ? n : text
  }
  if (type === "boolean") return text === "true" ? true : text === "false" ? false : text
  return text
}

const flagOf = (field: Action.Field): Flag.Flag<Option.Option<unknown>> => {
  const name = flagName(field)
  const help = [
    field.description ?? "",
    field.type === "json" ? "(JSON or @file.json)" : "",
    field.type === "list" ? "(comma-separated)" : "",
    field.required ? "(required)" : "",
  ]
    .filter((part) => part.length > 0)
    .join(" ")
  const base: Flag.Flag<unknown> =
    field.type === "boolean"
      ? Flag.Boolean(name)
      : field.choices !== undefined && field.type !== "list"
        ? Flag.Literals(name, field.choices as readonly [string, ...Array<string>])
        : field.type === "integer"
          ? Flag.Int(name)
          : field.type === "number"
            ? Flag.Finite(name)
            : Flag.String(name)
  return base.pipe(Flag.withDescription(help || field.name), Flag.optional) as Flag.Flag<Option.Option<unknown>>
}

/** Raw flag values to the action's input: lists split, JSON parsed. The Schema judges the rest. */
const toInput = (fields: ReadonlyArray<Action.Field>, values: Readonly<Record<string, Option.Option<unknown>>>) => {
  const input: Record<string, unknown> = {}
  const missing: Array<string> = []
  for (const field of fields) {
    const value = values[field.name]
    if (value === undefined || Option.isNone(value)) {
      if (field.required) missing.push(`--${flagName(field)}`)
      continue
    }
    const raw = value.value
    if (field.type === "list") {
      input[field.name] = String(raw)
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part.length > 0)
        .map((part) => scalar(field.items, part))
    } else if (field.type === "json") {
      input[field.name] = readJson(flagName(field), String(raw))
    } else {
      input[field.name] = raw
    }
  }
  if (missing.length > 0) throw new UsageError({ message: `missing ${missing.join(", ")}` })
  return input
}

const actionCommand = (connector: Connector.Connector, action: Action.Description) => {
  const flags = Object.fromEntries(action.fields.map((field) => [field.name, flagOf(field)]))
  const listing = {
    all: Flag.Boolean("all").pipe(Flag.withDescription("Every record, all pages"), Flag.withDefault(false)),
    limit: Flag.Int("limit").pipe(Flag.withDescription("At most this many records (default 100)"), Flag.optional),
  }
  return Command.make(
    action.name,
    { fields: flags, format: formatFlag, ...(action.streams ? listing : {}) },
    Effect.fn(function* (parsed) {
      const values = parsed as unknown as {
        readonly fields: Readonly<Record<string, Option.Option<unknown>>>
        readonly format: Option.Option<Format>
        readonly all?: boolean
        readonly limit?: Option.Option<number>
      }
      const globals = yield* root
      const rawInput = yield* Effect.try({
        try: () => toInput(action.fields, values.fields),
        catch: (error) => (error instanceof UsageError ? error : new UsageError({ message: String(error) })),
      })
      const runtime = yield* Lazy.runtime(connector)
      const Action = yield* Lazy.Action
      const definition = runtime.actions.find((a) => a.resource === action.resource && a.name === action.name)
      if (definition === undefined) {
        return yield* new UsageError({ message: `${action.resource} ${action.name} is not available` })
      }
      // Bad input is refused here, before any connection is opened.
      const input = yield* Action.decodeInput(connector.name, definition, rawInput)
      const Session = yield* Lazy.Session
      const session = yield* Session.open(runtime, {
        sandbox: globals.sandbox,
        baseUrl: Option.getOrUndefined(globals.baseUrl),
        profile: globals.profile,
        dryRun: globals.dryRun,
      })
      const format: Format = Option.getOrElse(values.format, defaultFormat)
      if (definition._tag === "Single") {
        const result = yield* Effect.provideContext(definition.run(input), session.services)
        yield* Console.log(renderResult(result, format))
        return
      }
      const limit = values.all === true ? undefined : Option.getOrElse(values.limit ?? Option.none(), () => 100)
      const records = definition
        .run(input)
        .pipe(
          (stream) => (limit === undefined ? stream : Stream.take(stream, limit)),
          Stream.provideContext(session.services),
        )
      const progress = Progress.start(session.stats, Progress.enabledBy(Option.getOrUndefined(globals.progress)))
      yield* writeRecords(records, format, progress)
    }, Effect.scoped),
  ).pipe(Command.withDescription(action.description), (command) =>
    action.aliases?.[0] === undefined ? command : Command.withAlias(command, action.aliases[0]),
  )
}

/** One command per resource of the provider, with its actions as subcommands. */
export const resourceCommands = (connector: Connector.Connector) => {
  const byResource = new Map<string, Array<Action.Description>>()
  for (const action of descriptions[connector.name] ?? addedActions.get(connector.name) ?? []) {
    byResource.set(action.resource, [...(byResource.get(action.resource) ?? []), action])
  }
  return [...byResource].map(([resource, actions]) =>
    Command.make(resource).pipe(
      Command.withDescription(`${connector.title} ${resource}: ${actions.map((a) => a.name).join(", ")}`),
      Command.withSubcommands(actions.map((action) => actionCommand(connector, action))),
    ),
  )
}

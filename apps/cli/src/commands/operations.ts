import type { Connector } from "@crmkit/core"
import * as Console from "effect/Console"
import { Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Lazy from "../Lazy.ts"
import { type Format, render } from "../Output.ts"
import { formatFlag } from "./shared.ts"

/** `crmkit <provider> operations`: the catalog, filterable. */
export const operationsCommand = (info: Connector.Connector) =>
  Command.make(
    "operations",
    {
      search: Flag.String("search").pipe(
        Flag.withDescription("Only operations whose id, path, summary or resource contains this text"),
        Flag.optional,
      ),
      resource: Flag.String("resource").pipe(Flag.withDescription("Only operations of this resource"), Flag.optional),
      format: formatFlag,
    },
    Effect.fn(function* ({ search, resource, format }) {
      const needle = Option.getOrUndefined(search)?.toLowerCase()
      const only = Option.getOrUndefined(resource)
      const runtime = yield* Lazy.runtime(info)
      const catalog = yield* Effect.promise(() => runtime.catalog())
      const entries = catalog.filter(
        (e) =>
          (only === undefined || e.resource === only) &&
          (needle === undefined ||
            [e.id, e.path, e.summary, e.resource].some((field) => field.toLowerCase().includes(needle))),
      )
      const chosen: Format = Option.getOrElse(format, () => (process.stdout.isTTY ? "table" : "json") as Format)
      const rows =
        chosen === "table"
          ? entries.map((e) => ({ id: e.id, method: e.method, path: e.path, access: e.access, summary: e.summary }))
          : entries
      yield* Console.log(render(rows, chosen))
    }),
  ).pipe(
    Command.withDescription(`List every ${info.title} API operation (the machine-readable catalog)`),
    Command.withExamples([
      { command: `crmkit ${info.name} operations --search contact`, description: "Find contact operations" },
      { command: `crmkit ${info.name} operations --format json`, description: "The whole catalog as JSON" },
    ]),
  )

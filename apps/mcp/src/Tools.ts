/**
 * The tools an agent sees, derived from the connectors: one per action
 * (`keap_contacts_list`), and three meta-tools that reach every catalog operation
 * (`search_operations`, `describe_operation`, `call_operation`). Each tool knows the
 * subject a policy decides on (provider, resource, access, operation) before anything
 * is sent. Plain data and Effects: the MCP transport is `Server.ts`'s.
 */
import {
  Access,
  Action,
  type Connector,
  type CrmClient,
  type CrmError,
  type Operation,
  type OperationRegistry,
} from "@crmkit/core"
import { Effect, Option, Schema, Stream } from "effect"
import * as Cursor from "./Cursor.ts"
import type * as Policy from "./Policy.ts"
import { ToolInputError } from "./ToolInputError.ts"

export { ToolInputError }

/** One connected provider: its runtime and the client services its actions run on. */
export interface Provider {
  readonly runtime: Connector.Runtime
  readonly services: import("effect").Context.Context<any>
  readonly catalog: ReadonlyArray<Operation.CatalogEntry>
  readonly registry: OperationRegistry.Registry<any>
  /** Values the connection fills in (GHL's `locationId`): what policies check when a call leaves them out. */
  readonly context: Readonly<Record<string, string>>
}

/** What a policy decides on: the policy's own word for a call. */
export type Subject = Policy.Subject

export type JsonObject = { readonly [key: string]: unknown }

export interface ToolAnnotations {
  readonly title?: string | undefined
  readonly readOnlyHint?: boolean | undefined
  readonly destructiveHint?: boolean | undefined
  readonly idempotentHint?: boolean | undefined
  readonly openWorldHint?: boolean | undefined
}

export interface Target {
  readonly subject: Subject
  /** The arguments as the policy sees them: the call's, with what the connection fills in. */
  readonly args: JsonObject
  readonly run: Effect.Effect<ToolResult, CrmError | ToolInputError>
}

export interface ToolResult {
  readonly value: unknown
  /** Records returned, for lists. */
  readonly records?: number | undefined
}

export interface ToolDef {
  readonly name: string
  readonly description: string
  readonly inputSchema: JsonObject
  readonly annotations: ToolAnnotations
  /** Static subject, when the tool always runs one thing (action tools); meta-tools resolve theirs per call. */
  readonly subject?: Subject | undefined
  /** Resolves what the call would do; `undefined`: a catalog lookup no policy guards (search, describe). */
  readonly target: (args: JsonObject) => Effect.Effect<Target | undefined, ToolInputError>
  /** Runs a call that needs no policy (search, describe). */
  readonly answer?:
    | ((args: JsonObject, visible: (subject: Subject) => boolean) => Effect.Effect<unknown, ToolInputError>)
    | undefined
}

/** Records per reply at most, and when the agent does not say. */
export const pageLimit = { default: 25, max: 100 }

const toolName = (...parts: ReadonlyArray<string>) => parts.join("_").replace(/[^A-Za-z0-9_]/g, "_")

/** An input's JSON Schema with an object root (a named Schema's definition inlined), as MCP wants it. */
const jsonSchemaOf = (schema: Schema.Top): JsonObject => {
  const document = Schema.toJsonSchemaDocument(schema)
  const { [rootName(document.schema)]: root, ...definitions } = (document.definitions ?? {}) as Record<
    string,
    JsonObject
  >
  const inlined = (root ?? document.schema) as JsonObject
  const object = { ...inlined, type: "object" }
  return Object.keys(definitions).length === 0 ? object : { ...object, $defs: definitions }
}

type Node = { readonly [key: string]: unknown }

const sameWords = (a: string, b: string) =>
  a.toLowerCase().replace(/[^a-z0-9]/g, "") === b.toLowerCase().replace(/[^a-z0-9]/g, "")

/** Longer enumerations are left to `describe_operation`. */
const maxChoices = 12

/**
 * A tool's input as agents read it: each field's type, choices and help, nested
 * objects only as `object` (their shape is `describe_operation`'s). The whole catalog
 * stays reachable while the tool list stays small; the server still checks every field.
 */
const compact = (schema: JsonObject, edit: (properties: JsonObject) => JsonObject): JsonObject => {
  const definitions = (schema.$defs ?? {}) as Record<string, Node>
  const resolve = (node: Node): Node => {
    const ref = node.$ref
    const target = typeof ref === "string" ? definitions[ref.slice("#/$defs/".length)] : undefined
    const resolved =
      target === undefined ? node : { ...target, ...(node.description ? { description: node.description } : {}) }
    const branches = ((resolved.anyOf ?? resolved.oneOf) as ReadonlyArray<Node> | undefined)?.filter(
      (b) => b.type !== "null",
    )
    if (branches?.length !== 1) return resolved
    return resolve({ ...branches[0]!, ...(resolved.description ? { description: resolved.description } : {}) })
  }
  const field = (name: string, raw: Node): Node => {
    const node = resolve(raw)
    const out: Record<string, unknown> = {}
    if (typeof node.type === "string") out.type = node.type
    else if (node.properties !== undefined) out.type = "object"
    const choices = (n: Node) => (Array.isArray(n.enum) && n.enum.length <= maxChoices ? { enum: n.enum } : {})
    Object.assign(out, choices(node))
    // A description that only repeats the name says nothing.
    if (typeof node.description === "string" && !sameWords(node.description, name)) out.description = node.description
    if (node.type === "array" && typeof node.items === "object" && node.items !== null) {
      const items = resolve(node.items as Node)
      if (typeof items.type === "string" && items.type !== "object" && items.type !== "array") {
        out.items = { type: items.type, ...choices(items) }
      }
    }
    return out
  }
  const properties = edit(
    Object.fromEntries(
      Object.entries((schema.properties ?? {}) as Record<string, Node>).map(([name, node]) => [
        name,
        field(name, node),
      ]),
    ),
  )
  const required = Array.isArray(schema.required) ? schema.required.filter((name) => name in properties) : []
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}) }
}

const rootName = (schema: unknown): string => {
  const ref = (schema as { $ref?: unknown }).$ref
  return typeof ref === "string" && ref.startsWith("#/$defs/") ? ref.slice("#/$defs/".length) : "\u0000"
}

// Explained once, in the server's instructions.
const pagingProperties = { limit: { type: "integer" }, cursor: { type: "string" } }

/** The stream pages for the agent: its own page size is not the agent's to choose. */
const withPaging = ({ page_size: _pageSize, ...properties }: JsonObject): JsonObject => ({
  ...properties,
  ...pagingProperties,
})

/**
 * What the connection fills in (GHL's `locationId`) is not shown: the agent works where
 * its connection does, and may still name another place, which its policy then checks.
 */
const withoutContext = (provider: Provider, properties: JsonObject): JsonObject =>
  Object.fromEntries(Object.entries(properties).filter(([name]) => !(name in provider.context)))

const limitOf = (args: JsonObject): Effect.Effect<number, ToolInputError> => {
  const limit = args.limit ?? pageLimit.default
  return typeof limit === "number" && Number.isInteger(limit) && limit >= 1 && limit <= pageLimit.max
    ? Effect.succeed(limit)
    : Effect.fail(new ToolInputError({ message: `limit must be a whole number from 1 to ${pageLimit.max}` }))
}

const withoutPaging = ({ limit: _limit, cursor: _cursor, ...rest }: JsonObject): JsonObject => rest

/** A page of a stream: `limit` records after `offset`, and whether there are more. */
const pageOf = <R>(stream: Stream.Stream<unknown, CrmError, R>, offset: number, limit: number) =>
  Effect.map(Stream.runCollect(stream.pipe(Stream.drop(offset), Stream.take(limit + 1))), (chunk) => {
    const records = Array.from(chunk)
    return { records: records.slice(0, limit), more: records.length > limit }
  })

/** Every hint written out: Effect's MCP schema fills MCP's defaults (destructive, open world) anyway. */
const annotationsOf = (
  entries: ReadonlyArray<Operation.CatalogEntry>,
  access: Access.Access,
  title?: string,
): ToolAnnotations => ({
  ...(title === undefined ? {} : { title }),
  readOnlyHint: access === "read",
  // Creating adds; updating, deleting, sending and charging change what was there.
  destructiveHint:
    access !== "read" && !(access === "write" && entries.length > 0 && entries.every((e) => e.method === "POST")),
  idempotentHint: access === "read" || (entries.length > 0 && entries.every((e) => e.idempotent)),
  openWorldHint: true,
})

const contextArgs = (provider: Provider, args: JsonObject): JsonObject => ({ ...provider.context, ...args })

/** One tool per action of the provider. */
export const actionTools = (provider: Provider): ReadonlyArray<ToolDef> => {
  const name = provider.runtime.connector.name
  const risks = provider.runtime.risks ?? Access.none
  return provider.runtime.actions.map((action): ToolDef => {
    const description = Action.describe(action)
    const operations = description.operations ?? []
    const entries = provider.catalog.filter((e) => operations.includes(e.id))
    // A read action stays a read even when its API call is a POST (GHL's searches).
    const access =
      action.access === "read" ? "read" : Access.ofOperations(operations, provider.catalog, risks, action.access)
    const tool = toolName(name, action.resource, action.name)
    const subject: Subject = {
      provider: name,
      resource: action.resource,
      access,
      operationId: operations[0] ?? `${action.resource}.${action.name}`,
      tool,
    }
    const decode = (args: JsonObject) =>
      Effect.mapError(
        Action.decodeInput(name, action, args),
        (error) => new ToolInputError({ message: error.reason.message }),
      )
    const provide = <A, E>(effect: Effect.Effect<A, E, any>) => Effect.provide(effect, provider.services)
    return {
      name: tool,
      // A list here answers a page at a time, whatever the action does elsewhere.
      description: description.description.replace(/, all pages\b.*$/, ""),
      inputSchema: compact(jsonSchemaOf(action.input), (properties) =>
        withoutContext(provider, action._tag === "Stream" ? withPaging(properties) : properties),
      ),
      annotations: annotationsOf(entries, access, description.hints?.label),
      subject,
      target: (args) =>
        Effect.gen(function* () {
          if (action._tag === "Single") {
            const input = yield* decode(args)
            return {
              subject,
              args: contextArgs(provider, args),
              run: Effect.map(provide(action.run(input)), (value) => ({ value })),
            }
          }
          const limit = yield* limitOf(args)
          const rest = withoutPaging(args)
          const offset = yield* Cursor.offsetOf(args.cursor, tool, rest)
          const input = yield* decode(rest)
          return {
            subject,
            args: contextArgs(provider, rest),
            run: Effect.map(provide(pageOf(action.run(input), offset, limit)), ({ records, more }) => ({
              value: {
                records,
                ...(more ? { nextCursor: Cursor.forOffset(tool, rest, offset + records.length) } : {}),
              },
              records: records.length,
            })),
          }
        }),
    }
  })
}

const providerOf = (providers: ReadonlyArray<Provider>, name: unknown) => {
  const found = providers.find(
    (p) => p.runtime.connector.name === name || p.runtime.connector.aliases.includes(String(name).toLowerCase()),
  )
  return found === undefined
    ? Effect.fail(
        new ToolInputError({
          message: `provider must be one of ${providers.map((p) => p.runtime.connector.name).join(", ")}`,
        }),
      )
    : Effect.succeed(found)
}

export const subjectOfOperation = (provider: Provider, entry: Operation.CatalogEntry): Subject => ({
  provider: provider.runtime.connector.name,
  resource: entry.resource,
  access: Access.ofOperation(entry, provider.runtime.risks ?? Access.none),
  operationId: entry.id,
  tool: "call_operation",
})

const entryOf = (provider: Provider, id: unknown) => {
  const entry = typeof id === "string" ? provider.catalog.find((e) => e.id === id) : undefined
  if (entry !== undefined) return Effect.succeed(entry)
  const near = typeof id === "string" ? provider.registry.nearMatches(id, 3) : []
  return Effect.fail(
    new ToolInputError({
      message: `unknown ${provider.runtime.connector.title} operation ${JSON.stringify(id)}${near.length > 0 ? `; did you mean ${near.join(", ")}?` : ""}`,
    }),
  )
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0)

/** `search_operations`, `describe_operation` and `call_operation`: every catalog operation, one policy. */
export const metaTools = (providers: ReadonlyArray<Provider>): ReadonlyArray<ToolDef> => {
  const names = providers.map((p) => p.runtime.connector.name)
  const providerProperty = { type: "string", enum: names, description: "The CRM" }
  return [
    {
      name: "search_operations",
      description: `Find API operations of ${names.join(" and ")} by words (e.g. "invoice create"); call them with call_operation.`,
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "Words to look for in the id, resource and summary" },
          provider: providerProperty,
          limit: { type: "integer", minimum: 1, maximum: 50, description: "At most (default 20)" },
        },
        required: ["query"],
      },
      annotations: annotationsOf([], "read", "Search operations"),
      target: () => Effect.succeed(undefined),
      answer: (args, visible) =>
        Effect.gen(function* () {
          const query = words(String(args.query ?? ""))
          if (query.length === 0) return yield* new ToolInputError({ message: "query must have a word" })
          const limit = typeof args.limit === "number" ? Math.min(Math.max(1, Math.floor(args.limit)), 50) : 20
          const scope = args.provider === undefined ? providers : [yield* providerOf(providers, args.provider)]
          const found = scope.flatMap((provider) =>
            provider.catalog.flatMap((entry) => {
              if (entry.deprecated === true) return []
              const subject = subjectOfOperation(provider, entry)
              if (!visible(subject)) return []
              const text = words(`${entry.id} ${entry.resource} ${entry.summary}`)
              const score = query.filter((w) => text.some((t) => t.startsWith(w))).length
              return score === 0
                ? []
                : [
                    {
                      score,
                      provider: subject.provider,
                      operationId: entry.id,
                      resource: entry.resource,
                      access: subject.access,
                      summary: entry.summary,
                    },
                  ]
            }),
          )
          return found
            .sort((a, b) => b.score - a.score || a.operationId.localeCompare(b.operationId))
            .slice(0, limit)
            .map(({ score: _score, ...rest }) => rest)
        }),
    },
    {
      name: "describe_operation",
      description: "The parameters and body of one API operation, as JSON Schema, before calling it.",
      inputSchema: {
        type: "object",
        properties: { provider: providerProperty, operationId: { type: "string" } },
        required: ["provider", "operationId"],
      },
      annotations: annotationsOf([], "read", "Describe an operation"),
      target: () => Effect.succeed(undefined),
      answer: (args) =>
        Effect.gen(function* () {
          const provider = yield* providerOf(providers, args.provider)
          const entry = yield* entryOf(provider, args.operationId)
          const operation = yield* Effect.orDie(provider.registry.lookup(entry.id))
          return {
            provider: provider.runtime.connector.name,
            operationId: entry.id,
            method: entry.method,
            path: entry.path,
            summary: entry.summary,
            resource: entry.resource,
            access: subjectOfOperation(provider, entry).access,
            paginated: entry.pagination !== undefined,
            ...(entry.context === undefined
              ? {}
              : { filledByConnection: Object.keys(entry.context).filter((k) => k in provider.context) }),
            input: jsonSchemaOf(operation.input as Schema.Top),
          }
        }),
    },
    {
      name: "call_operation",
      description:
        "Call any API operation by id, with `input` holding its parameters by name and its body under `body` (see describe_operation). Paginated operations answer a page at a time.",
      inputSchema: {
        type: "object",
        properties: {
          provider: providerProperty,
          operationId: { type: "string" },
          input: { type: "object", description: "Parameters by name, and the request body under `body`" },
          ...pagingProperties,
        },
        required: ["provider", "operationId"],
      },
      // What it does depends on the operation: the policy decides per call.
      annotations: annotationsOf([], "write", "Call an operation"),
      target: (args) =>
        Effect.gen(function* () {
          const provider = yield* providerOf(providers, args.provider)
          const entry = yield* entryOf(provider, args.operationId)
          const input = (args.input ?? {}) as JsonObject
          if (typeof input !== "object" || input === null || Array.isArray(input)) {
            return yield* new ToolInputError({ message: "input must be an object" })
          }
          const subject = subjectOfOperation(provider, entry)
          const provide = <A, E>(effect: Effect.Effect<A, E, any>) => Effect.provide(effect, provider.services)
          if (entry.pagination === undefined) {
            return {
              subject,
              args: contextArgs(provider, input),
              run: Effect.map(provide(provider.registry.call(entry.id, input)), (value) => ({ value })),
            }
          }
          const limit = yield* limitOf(args)
          const resumeAt = yield* Cursor.requestOf(args.cursor, entry.id, input)
          return {
            subject,
            args: contextArgs(provider, input),
            run: provide(
              Effect.map(
                Stream.runHead(
                  provider.registry.pages(entry.id, input, {
                    pageSize: limit,
                    ...(resumeAt === undefined ? {} : { resumeAt: resumeAt as CrmClient.CrmRequest }),
                  }),
                ),
                (head) => {
                  const page = Option.getOrUndefined(head)
                  const records = page?.items ?? []
                  const next = page?.next
                  return {
                    value: {
                      records,
                      ...(next === undefined || next === null
                        ? {}
                        : { nextCursor: Cursor.forRequest(entry.id, input, next) }),
                    },
                    records: records.length,
                  }
                },
              ),
            ),
          }
        }),
    },
  ]
}

/** Every tool of these providers: their actions, then the meta-tools. */
export const all = (providers: ReadonlyArray<Provider>): ReadonlyArray<ToolDef> => [
  ...providers.flatMap(actionTools),
  ...metaTools(providers),
]

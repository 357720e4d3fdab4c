/**
 * An action: one thing users automate ("apply a tag to contacts", "search contacts"),
 * named by resource and verb, with its input described by a Schema. Providers publish
 * their hand-written services as actions so that every app (CLI flags, node fields,
 * agent tools) derives its inputs from one description instead of restating them.
 *
 * `fields` reads the input Schema through its JSON Schema, so an app can build flags or
 * form fields without loading the provider: the result is plain data.
 */
import { Effect, Schema, SchemaAST, type Stream } from "effect"
import { type CrmError, invalidInput } from "./CrmError.ts"
import { fieldIssues, type Operation } from "./Operation.ts"

/** How a host may show one input field. */
export interface FieldHint {
  readonly label?: string | undefined
  readonly placeholder?: string | undefined
  /** The list action whose records fill this field's dropdown (`{ resource: "pipelines", name: "list" }`). */
  readonly choicesFrom?:
    | {
        readonly resource: string
        readonly name: string
        /** Record properties of the value and of its label (several: joined by a space). */
        readonly value: string
        readonly label: string | ReadonlyArray<string>
        /** Where the records are in the action's result, when it is not a list itself. */
        readonly items?: string | undefined
        /** Inputs of the list action taken from this form's other fields (`{ pipeline: "pipelineId" }`). */
        readonly input?: Readonly<Record<string, string>> | undefined
      }
    | undefined
  /**
   * The field is a list of key/value objects (custom fields): hosts show repeatable pairs,
   * the key picked from `choicesFrom`, and send `[{ [key]: ..., [value]: ... }]`.
   */
  readonly pairs?: { readonly key: string; readonly value: string } | undefined
}

/** Optional words and shapes for hosts that show actions as forms (n8n, Zapier, agents). */
export interface Hints {
  /** The sentence a host lists it by, e.g. "Create or update a contact". */
  readonly label?: string | undefined
  /** Response path whose value is the result (e.g. GHL's `contact`); a list becomes one item each. */
  readonly unwrap?: string | undefined
  /** A typical result, for hosts that show one before the first run. */
  readonly sample?: unknown
  readonly fields?: Readonly<Record<string, FieldHint>> | undefined
}

interface ActionBase<I, R> {
  readonly resource: string
  readonly name: string
  /** Older or other names of the verb, still accepted. */
  readonly aliases?: ReadonlyArray<string> | undefined
  readonly hints?: Hints | undefined
  /** The catalog operations it calls: what tells the scopes an app must ask for. */
  readonly operations?: ReadonlyArray<string> | undefined
  readonly description: string
  /** A `Schema.Struct` of the action's inputs; field descriptions become help texts. */
  readonly input: Schema.Codec<I, unknown>
  readonly access: "read" | "write"
  /** The client service the action runs on (e.g. the provider's client tag). */
  readonly _R?: R
}

/** An action that answers once. */
export interface SingleAction<I = any, A = unknown, R = any> extends ActionBase<I, R> {
  readonly _tag: "Single"
  readonly run: (input: I) => Effect.Effect<A, CrmError, R>
}

/** An action that streams records (every page); apps take all of them or a limit. */
export interface StreamAction<I = any, A = unknown, R = any> extends ActionBase<I, R> {
  readonly _tag: "Stream"
  readonly run: (input: I) => Stream.Stream<A, CrmError, R>
}

export type Action<I = any, A = unknown, R = any> = SingleAction<I, A, R> | StreamAction<I, A, R>

export const single = <I, A, R>(action: Omit<SingleAction<I, A, R>, "_tag">): SingleAction<I, A, R> => ({
  ...action,
  _tag: "Single",
})

export const stream = <I, A, R>(action: Omit<StreamAction<I, A, R>, "_tag">): StreamAction<I, A, R> => ({
  ...action,
  _tag: "Stream",
})

/** The kinds of values an input field takes; lists are given as comma-separated text or repeated. */
export type FieldType = "string" | "integer" | "number" | "boolean" | "list" | "json"

export interface Field {
  readonly name: string
  readonly type: FieldType
  /** The type of a list's items. */
  readonly items?: Exclude<FieldType, "list"> | undefined
  readonly required: boolean
  readonly description?: string | undefined
  /** The allowed values, when the field is an enumeration. */
  readonly choices?: ReadonlyArray<string> | undefined
}

/** Plain-data description of an action, enough to build a command or a form. */
export interface Description {
  readonly resource: string
  readonly name: string
  readonly aliases?: ReadonlyArray<string> | undefined
  readonly hints?: Hints | undefined
  readonly operations?: ReadonlyArray<string> | undefined
  readonly description: string
  readonly access: "read" | "write"
  readonly streams: boolean
  readonly fields: ReadonlyArray<Field>
}

type JsonSchemaNode = {
  readonly type?: string | ReadonlyArray<string>
  readonly anyOf?: ReadonlyArray<JsonSchemaNode>
  readonly oneOf?: ReadonlyArray<JsonSchemaNode>
  readonly items?: JsonSchemaNode
  readonly enum?: ReadonlyArray<unknown>
  readonly description?: string
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>
  readonly required?: ReadonlyArray<string>
}

// An optional field reads as `anyOf: [T, null]`: the field's type is T.
// `Schema.Number` reads as `anyOf: [number, "NaN" | "Infinity" | "-Infinity"]`: a number all the same.
const nonFinite = (node: JsonSchemaNode) =>
  node.type === "string" && node.enum?.every((v) => v === "NaN" || v === "Infinity" || v === "-Infinity") === true

const withoutNull = (node: JsonSchemaNode): JsonSchemaNode => {
  const branches = (node.anyOf ?? node.oneOf)?.filter((b) => b.type !== "null" && !nonFinite(b))
  if (branches?.length !== 1) return node
  const description = node.description ?? branches[0]!.description
  return description === undefined ? branches[0]! : { ...branches[0]!, description }
}

const scalarType = (node: JsonSchemaNode): Exclude<FieldType, "list"> => {
  const type = Array.isArray(node.type) ? node.type[0] : node.type
  switch (type) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
      return type
    default:
      return "json"
  }
}

/** The fields of an input `Schema.Struct`, in declaration order. */
export const fields = (input: Schema.Top): ReadonlyArray<Field> => {
  const root = Schema.toJsonSchemaDocument(input).schema as JsonSchemaNode
  const required = new Set(root.required ?? [])
  return Object.entries(root.properties ?? {}).map(([name, raw]) => {
    const node = withoutNull(raw)
    const item = node.type === "array" && node.items !== undefined ? withoutNull(node.items) : node
    // A list of objects is given whole, as JSON.
    const isList = node.type === "array" && scalarType(item) !== "json"
    const choices = item.enum?.every((v) => typeof v === "string") ? (item.enum as ReadonlyArray<string>) : undefined
    return {
      name,
      type: isList ? "list" : node.type === "array" ? "json" : scalarType(node),
      ...(isList ? { items: scalarType(item) } : {}),
      required: required.has(name),
      ...(node.description === undefined ? {} : { description: node.description }),
      ...(choices === undefined ? {} : { choices }),
    }
  })
}

export const describe = (action: Action): Description => ({
  resource: action.resource,
  name: action.name,
  ...(action.aliases === undefined ? {} : { aliases: action.aliases }),
  ...(action.hints === undefined ? {} : { hints: action.hints }),
  ...(action.operations === undefined ? {} : { operations: action.operations }),
  description: action.description,
  access: action.access,
  streams: action._tag === "Stream",
  fields: fields(action.input),
})

/**
 * A check for an input Struct: at least one of these fields is given (a find by id, email
 * or phone). The failure names them, before any request.
 */
export const atLeastOne = <T extends object>(names: ReadonlyArray<keyof T & string>) =>
  Schema.makeFilter<T>((input) =>
    names.some((name) => input[name] !== undefined && input[name] !== null && input[name] !== "")
      ? undefined
      : `give at least one of: ${names.join(", ")}`,
  )

/** At most this many records answer a `find`: a find names one thing, a list is for more. */
export const findLimit = 25

/** A get as a find: the record in a list, or none when the provider says it is not there. */
export const foundOrNone = <A, R>(get: Effect.Effect<A, CrmError, R>): Effect.Effect<ReadonlyArray<A>, CrmError, R> =>
  get.pipe(
    Effect.map((record): ReadonlyArray<A> => [record]),
    Effect.catchIf(
      (error: CrmError) => error.reason._tag === "NotFound",
      () => Effect.succeed([]),
    ),
  )

/** A record's label for a `choicesFrom` list: the named properties that are set, joined by a space. */
export const choiceLabel = (
  record: Readonly<Record<string, unknown>>,
  label: string | ReadonlyArray<string>,
): string | undefined => {
  const parts = (typeof label === "string" ? [label] : label)
    .map((property) => record[property])
    .filter((value) => value !== undefined && value !== null && value !== "")
  return parts.length === 0 ? undefined : parts.map(String).join(" ")
}

/** Decodes raw input (from flags or a form); the failure names each bad field, before any request. */
export const decodeInput = <I>(provider: string, action: Action<I>, input: unknown): Effect.Effect<I, CrmError> =>
  Schema.decodeUnknownEffect(action.input)(input, { errors: "all", onExcessProperty: "error" }).pipe(
    Effect.mapError((error) => invalidInput(provider, fieldIssues(error.issue), `${action.resource}.${action.name}`)),
  )

/** The scopes an app needs for these actions: those of every catalog operation they call. */
export const scopesOf = (
  actions: ReadonlyArray<Pick<Description, "operations">>,
  catalog: ReadonlyArray<{ readonly id: string; readonly scopes?: ReadonlyArray<string> | undefined }>,
): ReadonlyArray<string> => {
  const byId = new Map(catalog.map((entry) => [entry.id, entry.scopes ?? []]))
  return [...new Set(actions.flatMap((action) => (action.operations ?? []).flatMap((id) => byId.get(id) ?? [])))].sort()
}

/** Verbs whose result is a record of their resource (so its sample fits them). */
const recordVerbs = new Set(["list", "get", "find", "search", "create", "update", "upsert", "complete", "move", "book"])

/**
 * The actions, each with a typical result (`hints.sample`) for hosts that show one before
 * the first run (Zapier requires one with an `id`): its own, the one named for it, or, for
 * verbs that answer a record of their resource, that resource's record.
 */
export const withSamples = <A extends Action<any, any, any>>(
  actions: ReadonlyArray<A>,
  samples: {
    /** A record of each resource, by resource (`contacts`). */
    readonly resources?: Readonly<Record<string, unknown>> | undefined
    /** Results of single actions, by `resource.name`. */
    readonly actions?: Readonly<Record<string, unknown>> | undefined
  },
): ReadonlyArray<A> =>
  actions.map((action) => {
    const sample =
      samples.actions?.[`${action.resource}.${action.name}`] ??
      (recordVerbs.has(action.name) ? samples.resources?.[action.resource] : undefined)
    return action.hints?.sample !== undefined || sample === undefined
      ? action
      : { ...action, hints: { ...action.hints, sample } }
  })

/** What runs a catalog operation: the provider's operation registry (`OperationRegistry.make`). */
export interface OperationRunner<R> {
  readonly call: (operation: Operation, input: unknown) => Effect.Effect<unknown, CrmError, R>
  readonly stream: (operation: Operation, input: unknown) => Stream.Stream<unknown, CrmError, R>
}

export interface FromOperation {
  readonly resource: string
  readonly name: string
  /** Default: the operation's summary. */
  readonly description?: string | undefined
  readonly aliases?: ReadonlyArray<string> | undefined
  readonly hints?: Hints | undefined
}

type Fields = Readonly<Record<string, Schema.Top>>

const fieldsOf = (schema: unknown): Fields | undefined => {
  const fields = (schema as { readonly fields?: unknown } | undefined)?.fields
  return typeof fields === "object" && fields !== null ? (fields as Fields) : undefined
}

const optional = (field: Schema.Top): Schema.Top =>
  SchemaAST.isOptional(field.ast) ? field : Schema.optional(field as Schema.Schema<unknown>)

/**
 * One catalog operation as an action: its parameters and its body's properties become
 * the action's fields (one flat form, as hosts show it); the paging parameters are the
 * stream's, and what the connection fills in (GHL's `locationId`) may be left out. A
 * paginated operation streams every record; any other answers once.
 */
export const fromOperation = <R>(
  runner: OperationRunner<R>,
  operation: Operation,
  spec: FromOperation,
): Action<Record<string, unknown>, unknown, R> => {
  const inputFields = fieldsOf(operation.input) ?? {}
  const bodyFields = fieldsOf(inputFields.body) ?? {}
  const paging = new Set(Object.values(operation.pagination?.params ?? {}))
  const filled = new Set(
    Object.values(operation.context ?? {})
      .flat()
      .map((place) => place.replace(/^body\./, "")),
  )
  const parameters = new Set(operation.parameters.map((p) => p.name))
  const fields: Record<string, Schema.Top> = {}
  for (const [name, field] of [...Object.entries(inputFields), ...Object.entries(bodyFields)]) {
    if (name === "body" && field === inputFields.body) continue
    if (paging.has(name) || name in fields) continue
    fields[name] = filled.has(name) ? optional(field) : field
  }
  // A body that is not an object (a list, a text) is given whole.
  const bodyIsWhole = inputFields.body !== undefined && fieldsOf(inputFields.body) === undefined
  if (bodyIsWhole) fields.body = inputFields.body as Schema.Top
  const toOperationInput = (input: Record<string, unknown>) => {
    const params: Record<string, unknown> = {}
    const body: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(input)) {
      if (value === undefined) continue
      if (parameters.has(name)) params[name] = value
      else if (!bodyIsWhole) body[name] = value
    }
    if (bodyIsWhole) return input.body === undefined ? params : { ...params, body: input.body }
    const sendBody = Object.keys(body).length > 0 || (operation.bodyRequired && inputFields.body !== undefined)
    return sendBody ? { ...params, body } : params
  }
  const base = {
    resource: spec.resource,
    name: spec.name,
    ...(spec.aliases === undefined ? {} : { aliases: spec.aliases }),
    ...(spec.hints === undefined ? {} : { hints: spec.hints }),
    operations: [operation.id],
    description: spec.description ?? operation.summary,
    access: operation.access,
    input: Schema.Struct(fields) as unknown as Schema.Codec<Record<string, unknown>, unknown>,
  }
  return operation.pagination === undefined
    ? single({ ...base, run: (input) => runner.call(operation, toOperationInput(input)) })
    : stream({ ...base, run: (input) => runner.stream(operation, toOperationInput(input)) })
}

/**
 * The generator: specs (+ patches) → operation descriptors, Effect Schemas and catalogs.
 * `generate` is pure with respect to the file system except for reading specs and
 * patches; writing (or checking) the result is the CLI's job.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import type { OperationPagination, PaginationContext, ProviderConfig, SpecOperation } from "./config.ts"
import { Converter, type Located, type Warning } from "./convert.ts"
import * as D from "./doc.ts"
import * as IR from "./ir.ts"
import { type Loaded, loadSpecs, readPatches, targetKey, targetOf } from "./load.ts"

type Json = any

export interface GeneratedFile {
  /** Path relative to the output directory, with `/` separators. */
  readonly path: string
  readonly content: string
}

export interface CatalogEntry {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly summary: string
  readonly resource: string
  readonly access: "read" | "write"
  readonly idempotent: boolean
  readonly parameters: ReadonlyArray<{
    readonly name: string
    readonly in: "path" | "query" | "header"
    readonly required: boolean
  }>
  readonly hasBody: boolean
  readonly bodyRequired: boolean
  readonly pagination?: OperationPagination
  readonly deprecated?: boolean
  readonly scopes?: ReadonlyArray<string>
  readonly tokenKinds?: ReadonlyArray<string>
  readonly context?: Readonly<Record<string, ReadonlyArray<string>>>
  readonly headers?: Readonly<Record<string, string>>
  /** Extension to the core contract: the request body's media type when it is not JSON. */
  readonly bodyContentType?: string
}

export interface Result {
  readonly outDir: string
  readonly files: ReadonlyArray<GeneratedFile>
  readonly catalog: ReadonlyArray<CatalogEntry>
  readonly warnings: ReadonlyArray<Warning>
  readonly stats: {
    readonly operations: number
    readonly schemas: number
    readonly recursiveSchemas: number
    readonly bytes: number
  }
}

export interface GenerateOptions {
  /** The provider package directory (where `codegen.config.ts` lives). */
  readonly packageDir: string
  /** The repository root (`specsDir` is relative to it). */
  readonly repoRoot: string
  /** How the CLI is run, for the header comment. */
  readonly command?: string
  /** Reads a spec file (injectable for tests). */
  readonly readFile?: (file: string) => string
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const
const READ_METHODS = new Set(["GET", "HEAD"])
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
const DEFAULT_MAX_FILE_BYTES = 1_000_000

const RESERVED = new Set([
  "Schema",
  "Operation",
  "Error",
  "Object",
  "Array",
  "String",
  "Number",
  "Boolean",
  "Date",
  "Function",
  "Symbol",
  "Promise",
  "Map",
  "Set",
  "JSON",
  "Math",
  "Record",
  "Partial",
  "Readonly",
  "ReadonlyArray",
  "Pick",
  "Omit",
  "S",
])

const JS_RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval operations"
  ).split(" "),
)

const isObject = (value: unknown): value is Record<string, Json> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const words = (value: string): Array<string> =>
  value
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)

/** `search-contacts-advanced` → `searchContactsAdvanced`; `invoices.list-invoices` → `invoicesListInvoices`. */
export const camelIdentifier = (value: string): string => {
  const parts = words(value)
  if (parts.length === 0) return "_"
  const joined = parts
    .map((word, index) =>
      index === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : word.charAt(0).toUpperCase() + word.slice(1),
    )
    .join("")
  const safe = /^[0-9]/.test(joined) ? `_${joined}` : joined
  return JS_RESERVED.has(safe) ? `${safe}_` : safe
}

/** A component name as an exported identifier (kept as written when it already is one). */
export const pascalIdentifier = (value: string): string => {
  const base = /^[A-Za-z_][A-Za-z0-9_]*$/.test(value)
    ? value
    : words(value)
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join("") || "_"
  const safe = /^[0-9]/.test(base) ? `_${base}` : base
  return RESERVED.has(safe) || JS_RESERVED.has(safe) ? `${safe}Model` : safe
}

const stable = (value: Json, ref: (ref: string) => string): string => {
  if (Array.isArray(value)) return `[${value.map((item) => stable(item, ref)).join(",")}]`
  if (!isObject(value)) return JSON.stringify(value) ?? "null"
  if (typeof value.$ref === "string") return `{"$ref":${JSON.stringify(ref(value.$ref))}}`
  const keys = Object.keys(value)
    .filter((key) => !["description", "example", "examples", "title", "x-examples"].includes(key))
    .sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${stable(value[key], ref)}`).join(",")}}`
}

const sha = (value: string): string => createHash("sha256").update(value).digest("hex")

/** One line (or a few) of documentation, safe inside a JSDoc comment. */
const jsdoc = (textValue: string | undefined, indent = ""): string => {
  if (textValue === undefined) return ""
  let clean = textValue.replace(/\r/g, "").replace(/\*\//g, "*\\/").trim()
  if (clean.length === 0) return ""
  if (clean.length > 500) {
    const cut = clean.lastIndexOf(". ", 500)
    clean = `${clean.slice(0, cut > 200 ? cut + 1 : 500).trimEnd()} …`
  }
  const lines = clean
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line, index, all) => !(line === "" && all[index - 1] === ""))
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`
  return `${indent}/**\n${lines.map((line) => `${indent} *${line === "" ? "" : ` ${line}`}`).join("\n")}\n${indent} */\n`
}

interface ComponentInfo {
  readonly key: string
  readonly file: string
  readonly relative: string
  readonly name: string
  readonly schema: Json
  readonly spec: string
}

/**
 * Every `#/components/schemas/*` of every loaded file. Same-named components whose
 * content (refs compared by what they designate) is identical are merged; different
 * ones are prefixed with their spec's name.
 */
const indexComponents = (loaded: Loaded, specsDir: string, specNames: ReadonlyMap<string, string>) => {
  const infos: Array<ComponentInfo> = []
  const files = [...loaded.files.keys()].sort((a, b) =>
    path.relative(specsDir, a) < path.relative(specsDir, b) ? -1 : 1,
  )
  for (const file of files) {
    const schemas = loaded.files.get(file)!.document?.components?.schemas
    if (!isObject(schemas)) continue
    for (const name of Object.keys(schemas)) {
      infos.push({
        key: `${file}#/components/schemas/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`,
        file,
        relative: path.relative(specsDir, file),
        name,
        schema: schemas[name],
        spec: specNames.get(file) ?? path.basename(file).replace(/\.(json|ya?ml)$/i, ""),
      })
    }
  }
  const byKey = new Map(infos.map((info) => [info.key, info]))
  // Partition refinement: a component's label depends on the labels of what it refers to.
  let labels = new Map(infos.map((info) => [info.key, info.name]))
  let distinct = new Set(labels.values()).size
  for (let round = 0; round < 16; round++) {
    const next = new Map<string, string>()
    for (const info of infos) {
      const content = stable(info.schema, (ref) => {
        const key = targetKey(targetOf(ref, info.file))
        return labels.get(key) ?? key
      })
      next.set(info.key, `${info.name}:${sha(content).slice(0, 16)}`)
    }
    const count = new Set(next.values()).size
    labels = next
    if (count === distinct) break
    distinct = count
  }
  const canonical = new Map<string, string>()
  const firstByLabel = new Map<string, string>()
  for (const info of infos) {
    const label = labels.get(info.key)!
    if (!firstByLabel.has(label)) firstByLabel.set(label, info.key)
    canonical.set(info.key, firstByLabel.get(label)!)
  }
  const taken = new Set<string>()
  const claim = (wanted: string): string => {
    let name = wanted
    for (let index = 2; taken.has(name); index++) name = `${wanted}${index}`
    taken.add(name)
    return name
  }
  const order = new Map(infos.map((info, index) => [info.key, index]))
  /**
   * Names for the components the operations use: the schema's own name, unless another used
   * component of another file has the same name and a different content; then both are
   * prefixed with their spec's name (`Invoices` + `ContactDto`).
   */
  const name = (used: Iterable<string>): Map<string, string> => {
    const keys = [...new Set(used)].sort((a, b) => order.get(a)! - order.get(b)!)
    const byName = new Map<string, Array<string>>()
    for (const key of keys) {
      const list = byName.get(byKey.get(key)!.name) ?? []
      list.push(key)
      byName.set(byKey.get(key)!.name, list)
    }
    const names = new Map<string, string>()
    // Unambiguous names first, so that a prefixed name never steals a plain one.
    for (const key of keys) {
      const info = byKey.get(key)!
      if (byName.get(info.name)!.length === 1) names.set(key, claim(pascalIdentifier(info.name)))
    }
    for (const key of keys) {
      const info = byKey.get(key)!
      if (!names.has(key)) names.set(key, claim(pascalIdentifier(`${info.spec}-${info.name}`)))
    }
    return names
  }
  return { byKey, canonical, name, claim }
}

interface Parameter {
  readonly name: string
  readonly in: "path" | "query" | "header"
  readonly required: boolean
  readonly schema: Located
  readonly description?: string | undefined
  /** `false`: an array goes as one comma-separated value. */
  readonly explode: boolean
}

interface BuiltOperation {
  readonly entry: CatalogEntry
  readonly identifier: string
  readonly description: string | undefined
  readonly input: IR.IR
  readonly output: IR.IR
}

const pickContent = (content: Json): [string, Json] | undefined => {
  if (!isObject(content)) return undefined
  const types = Object.keys(content)
  const json = types.find((type) => /^application\/(.+\+)?json\b/i.test(type))
  const chosen =
    json ??
    types.find((type) => type.startsWith("multipart/form-data")) ??
    types.find((type) => type.startsWith("application/x-www-form-urlencoded")) ??
    types[0]
  return chosen === undefined ? undefined : [chosen, content[chosen]]
}

export const generate = async (config: ProviderConfig, options: GenerateOptions): Promise<Result> => {
  const specsDir = path.resolve(options.repoRoot, config.specsDir ?? "../shared/specs")
  const outDir = path.resolve(options.packageDir, config.outDir ?? "src/generated")
  const patchesDir = path.resolve(options.packageDir, config.patchesDir ?? "patches")
  const roots = config.specs.map((spec) => path.resolve(specsDir, spec.file))
  const specNames = new Map(
    config.specs.map((spec, index) => [
      roots[index]!,
      spec.name ?? path.basename(spec.file).replace(/\.(json|ya?ml)$/i, ""),
    ]),
  )
  const loaded = await loadSpecs(roots, readPatches(patchesDir), options.readFile)
  if (loaded.unusedPatches.length > 0) {
    throw new Error(`patch files that match no spec file: ${loaded.unusedPatches.join(", ")}`)
  }
  const components = indexComponents(loaded, specsDir, specNames)
  const converter = new Converter(loaded, { canonical: (key) => components.canonical.get(key) })
  const warnings = converter.warnings
  const excluded = new Set((config.excludeHeaders ?? ["Authorization"]).map((name) => name.toLowerCase()))
  const fixed = new Set((config.fixedHeaders ?? []).map((name) => name.toLowerCase()))

  // 1. Operations as the specs list them, with their ids.
  interface Raw {
    readonly spec: SpecOperation
    readonly file: string
    readonly document: Json
    readonly pathItem: Json
    readonly specIndex: number
    id: string
  }
  const raws: Array<Raw> = []
  config.specs.forEach((spec, specIndex) => {
    const file = roots[specIndex]!
    const document = loaded.files.get(file)!.document
    const name = specNames.get(file)!
    for (const [specPath, pathItem] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
      for (const method of METHODS) {
        const operation = pathItem[method]
        if (!isObject(operation)) continue
        const specOperation: SpecOperation = {
          spec: name,
          method: method.toUpperCase(),
          path: specPath,
          operationId: typeof operation.operationId === "string" ? operation.operationId : undefined,
          tags: Array.isArray(operation.tags) ? operation.tags : [],
          summary: typeof operation.summary === "string" ? operation.summary : undefined,
          operation,
        }
        if (spec.include !== undefined && !spec.include(specOperation)) continue
        const id =
          spec.operationId?.(specOperation) ??
          specOperation.operationId ??
          camelIdentifier(`${method} ${specPath.replace(/[{}]/g, "")}`)
        raws.push({ spec: specOperation, file, document, pathItem, specIndex, id })
      }
    }
  })
  const counts = new Map<string, number>()
  for (const raw of raws) counts.set(raw.id, (counts.get(raw.id) ?? 0) + 1)
  const duplicates = [...counts].filter(([, count]) => count > 1).map(([id]) => id)
  if (duplicates.length > 0) {
    if ((config.duplicateIds ?? "prefix-spec") === "error") {
      throw new Error(`duplicate operation ids: ${duplicates.sort().join(", ")}`)
    }
    for (const raw of raws) if (duplicates.includes(raw.id)) raw.id = `${raw.spec.spec}.${raw.id}`
    const again = new Map<string, number>()
    for (const raw of raws) again.set(raw.id, (again.get(raw.id) ?? 0) + 1)
    const still = [...again].filter(([, count]) => count > 1).map(([id]) => id)
    if (still.length > 0) throw new Error(`duplicate operation ids even after prefixing: ${still.join(", ")}`)
  }
  raws.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

  // 2. Descriptors and schemas.
  const identifiers = new Set<string>()
  const claimIdentifier = (wanted: string): string => {
    const free = (name: string) => [name, `${name}Input`, `${name}Output`].every((used) => !identifiers.has(used))
    let name = wanted
    for (let index = 2; !free(name); index++) name = `${wanted}${index}`
    for (const used of [name, `${name}Input`, `${name}Output`]) identifiers.add(used)
    return name
  }
  const deref = (located: Located): Located => converter.deref(located)
  const built: Array<BuiltOperation> = []
  for (const raw of raws) {
    const { spec, file } = raw
    const where = `${raw.id} (${spec.method} ${spec.path})`
    const operation = spec.operation
    const specInput = config.specs[raw.specIndex]!
    const finalPath = specInput.path?.(spec.path) ?? spec.path

    // Parameters: path-level ones, overridden by operation-level ones with the same name and location.
    const rawParameters: Array<Located> = []
    for (const list of [raw.pathItem.parameters, operation.parameters]) {
      if (!Array.isArray(list)) continue
      for (const parameter of list) {
        const resolved = deref({ schema: parameter, file })
        const index = rawParameters.findIndex(
          (known) => known.schema.name === resolved.schema.name && known.schema.in === resolved.schema.in,
        )
        if (index === -1) rawParameters.push(resolved)
        else rawParameters[index] = resolved
      }
    }
    const parameters: Array<Parameter> = []
    const headers: Record<string, string> = {}
    for (const { schema: parameter, file: parameterFile } of rawParameters) {
      const location = parameter.in
      if (location !== "path" && location !== "query" && location !== "header") {
        warnings.push({ where, message: `parameter ${parameter.name} in ${location} is not supported: left out` })
        continue
      }
      const name: string = parameter.name
      if (location === "header" && excluded.has(name.toLowerCase())) continue
      let schema: Json = parameter.schema
      if (schema === undefined && isObject(parameter.content)) schema = pickContent(parameter.content)?.[1]?.schema
      if (schema === undefined) {
        // Some specs put the schema keywords on the parameter itself (e.g. `anyOf`).
        const { name: _n, in: _i, required: _r, description: _d, example: _e, ...rest } = parameter
        schema = rest
      }
      if (location === "header") {
        const resolved = deref({ schema, file: parameterFile }).schema
        const single = (Array.isArray(resolved?.enum) && resolved.enum.length === 1) || resolved?.const !== undefined
        if (single || fixed.has(name.toLowerCase())) {
          const value =
            resolved?.const ??
            (Array.isArray(resolved?.enum) ? resolved.enum[0] : undefined) ??
            resolved?.default ??
            parameter.example ??
            resolved?.example
          if (value !== undefined) {
            headers[name] = String(value)
            continue
          }
          warnings.push({ where, message: `fixed header ${name} has no value in the spec: left as an input` })
        }
      }
      if (location === "path") {
        // An empty path segment would address another resource (`/contacts/` lists instead of getting one).
        const resolved = deref({ schema, file: parameterFile }).schema
        if (resolved?.type === "string" && resolved.minLength === undefined) schema = { ...resolved, minLength: 1 }
      }
      if (parameters.some((known) => known.name === name)) {
        throw new Error(`${where}: parameter name ${name} is used in two locations`)
      }
      if (name === "body") throw new Error(`${where}: a parameter is named "body", which the input reserves`)
      const resolvedSchema = deref({ schema, file: parameterFile }).schema
      // A required list with no items cannot be put in a query string: refuse it before sending.
      if (location === "query" && parameter.required === true && resolvedSchema?.type === "array") {
        if (resolvedSchema.minItems === undefined) schema = { ...resolvedSchema, minItems: 1 }
      }
      // `explode: false`: the array goes as one comma-separated value. Prose such as
      // "Comma-delimited list" is not followed: the spec's own contract says otherwise.
      const commaSeparated = location === "query" && resolvedSchema?.type === "array" && parameter.explode === false
      parameters.push({
        name,
        in: location,
        required: location === "path" || parameter.required === true,
        schema: { schema, file: parameterFile },
        explode: !commaSeparated,
        description: parameter.description,
      })
    }

    // Request body.
    let body: { schema: Located; required: boolean; contentType: string } | undefined
    if (operation.requestBody !== undefined) {
      const requestBody = deref({ schema: operation.requestBody, file })
      const content = pickContent(requestBody.schema.content)
      body = {
        schema: { schema: content?.[1]?.schema, file: requestBody.file },
        required: requestBody.schema.required === true,
        contentType: content?.[0] ?? "application/json",
      }
    }

    // Response: the first 2xx with content.
    let response: Located | undefined
    let responseIsJson = false
    const codes = Object.keys(operation.responses ?? {})
      .filter((code) => /^2(\d\d|XX)$/i.test(code))
      .sort()
    for (const code of codes) {
      const resolved = deref({ schema: operation.responses[code], file })
      const content = pickContent(resolved.schema?.content)
      if (content === undefined) continue
      responseIsJson = /json/i.test(content[0])
      response = { schema: content[1]?.schema, file: resolved.file }
      break
    }

    const inputFields: Array<IR.Field> = parameters.map((parameter) => ({
      name: parameter.name,
      optional: !parameter.required,
      schema: converter.convert(parameter.schema.schema, parameter.schema.file, "input", `${where} ${parameter.name}`),
    }))
    if (body !== undefined) {
      inputFields.push({
        name: "body",
        optional: !body.required,
        schema:
          body.schema.schema === undefined
            ? IR.unknown
            : converter.convert(body.schema.schema, body.schema.file, "input", `${where} body`),
      })
    }
    const input: IR.IR = { _tag: "struct", fields: inputFields }
    const output: IR.IR =
      response === undefined || response.schema === undefined || !responseIsJson
        ? IR.unknown
        : converter.convert(response.schema, response.file, "output", `${where} response`)

    // Pagination.
    let pagination: OperationPagination | undefined
    const override = config.pagination?.overrides?.[raw.id]
    if (override !== undefined) {
      pagination = override ?? undefined
    } else if (config.pagination !== undefined) {
      const context = paginationContext(converter, raw.id, spec.method, finalPath, parameters, body, response)
      for (const rule of config.pagination.rules) {
        pagination = rule(context)
        if (pagination !== undefined) break
      }
    }

    // Context parameters: where this operation takes each value the connection knows.
    const context: Record<string, Array<string>> = {}
    if (config.context !== undefined) {
      const bodyProperties =
        body === undefined
          ? []
          : paginationContext(converter, raw.id, spec.method, finalPath, parameters, body, undefined).body
      for (const [name, carriers] of Object.entries(config.context)) {
        const places = [
          ...parameters.filter((parameter) => carriers.includes(parameter.name)).map((parameter) => parameter.name),
          ...bodyProperties.filter((property) => carriers.includes(property)).map((property) => `body.${property}`),
        ]
        if (places.length > 0) context[name] = places
      }
    }

    // Security: scopes and token kinds.
    const security: ReadonlyArray<Record<string, ReadonlyArray<string>>> = Array.isArray(operation.security)
      ? operation.security
      : Array.isArray(raw.document.security)
        ? raw.document.security
        : []
    const scopes = [...new Set(security.flatMap((requirement) => Object.values(requirement).flat()))]
    const schemes = [...new Set(security.flatMap((requirement) => Object.keys(requirement)))]
    const tokenKinds =
      config.tokenKinds === undefined
        ? []
        : [...new Set(schemes.flatMap((scheme) => config.tokenKinds?.[scheme] ?? []))].sort(tokenKindOrder)
    if (config.tokenKinds !== undefined) {
      for (const scheme of schemes) {
        if (config.tokenKinds[scheme] === undefined) {
          warnings.push({ where, message: `security scheme ${scheme} has no token kinds configured` })
        }
      }
    }

    const summary =
      (typeof operation.summary === "string" && operation.summary.trim()) ||
      (typeof operation.description === "string" && operation.description.trim().split("\n")[0]) ||
      raw.id
    const overrideIdempotent = config.idempotent?.({ id: raw.id, method: spec.method, path: finalPath })
    const entry: CatalogEntry = {
      id: raw.id,
      method: spec.method,
      path: finalPath,
      summary,
      resource: config.resource(spec),
      access: READ_METHODS.has(spec.method) ? "read" : "write",
      idempotent: overrideIdempotent ?? IDEMPOTENT_METHODS.has(spec.method),
      parameters: parameters.map((parameter) => ({
        name: parameter.name,
        in: parameter.in,
        required: parameter.required,
        ...(parameter.explode ? {} : { explode: false }),
      })),
      hasBody: body !== undefined,
      bodyRequired: body?.required === true,
      ...(pagination === undefined ? {} : { pagination }),
      ...(operation.deprecated === true ? { deprecated: true } : {}),
      ...(scopes.length === 0 ? {} : { scopes }),
      ...(tokenKinds.length === 0 ? {} : { tokenKinds }),
      ...(Object.keys(context).length === 0 ? {} : { context }),
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      ...(body !== undefined && !/json/i.test(body.contentType) ? { bodyContentType: body.contentType } : {}),
    }
    built.push({
      entry,
      identifier: claimIdentifier(camelIdentifier(raw.id)),
      description: typeof operation.description === "string" ? operation.description : undefined,
      input,
      output,
    })
  }

  // 3. Components, converted in every mode they are used in (until no new use appears).
  const variants = new Map<string, IR.IR>()
  const variantKey = (key: string, mode: IR.Mode) => `${mode}|${key}`
  for (let changed = true; changed; ) {
    changed = false
    const pending = [...converter.used].flatMap(([key, modes]) =>
      [...modes].filter((mode) => !variants.has(variantKey(key, mode))).map((mode) => [key, mode] as const),
    )
    pending.sort((a, b) => (variantKey(...a) < variantKey(...b) ? -1 : 1))
    for (const [key, mode] of pending) {
      const info = components.byKey.get(key)!
      variants.set(variantKey(key, mode), converter.convert(info.schema, info.file, mode, `schema ${info.name}`))
      changed = true
    }
  }
  const baseNames = components.name([...variants.keys()].map((variant) => variant.split("|")[1]!))
  const variantNames = new Map<string, string>()
  const sortedVariants = [...variants.keys()].sort((a, b) => {
    const [modeA, keyA] = a.split("|") as [string, string]
    const [modeB, keyB] = b.split("|") as [string, string]
    const nameA = baseNames.get(keyA)!
    const nameB = baseNames.get(keyB)!
    return nameA < nameB ? -1 : nameA > nameB ? 1 : modeA === "output" ? -1 : modeB === "output" ? 1 : 0
  })
  for (const variant of sortedVariants) {
    const [mode, key] = variant.split("|") as [IR.Mode, string]
    const base = baseNames.get(key)!
    const both = variants.has(variantKey(key, "input")) && variants.has(variantKey(key, "output"))
    variantNames.set(variant, mode === "input" && both ? components.claim(`${base}Input`) : base)
  }
  const nameOf = (key: string, mode: IR.Mode) => variantNames.get(variantKey(key, mode))!

  // Order: dependencies first; strongly connected components are recursive and use `Schema.suspend`.
  const graph = new Map<string, Array<string>>()
  for (const [variant, ir] of variants) {
    graph.set(variantNames.get(variant)!, [...new Set(IR.refsOf(ir).map((ref) => nameOf(ref.key, ref.mode)))].sort())
  }
  const sccs = tarjan([...graph.keys()].sort(), graph)
  const sccOf = new Map<string, number>()
  sccs.forEach((members, index) => {
    for (const member of members) sccOf.set(member, index)
  })
  const recursive = new Set<string>()
  for (const members of sccs) {
    if (members.length > 1 || graph.get(members[0]!)!.includes(members[0]!)) {
      for (const member of members) recursive.add(member)
    }
  }
  const irByName = new Map([...variants].map(([variant, ir]) => [variantNames.get(variant)!, ir]))
  const descriptionByName = new Map(
    [...variants.keys()].map((variant) => {
      const key = variant.split("|")[1]!
      const info = components.byKey.get(key)!
      return [variantNames.get(variant)!, info.schema?.description as string | undefined]
    }),
  )

  // 4. Emit.
  const header = headerComment(config, options, loaded, specsDir, roots)
  /**
   * A named schema. Objects become `Schema.Opaque` classes, so that their types have a name
   * (declaration files and editors refer to `Contact` instead of repeating its structure);
   * other schemas are a const plus a type alias.
   */
  const declare = (name: string, ir: IR.IR, context: IR.EmitContext, recursiveType: boolean): string => {
    const doc = IR.emit(ir, context)
    if (ir._tag === "struct" || ir._tag === "record") {
      const head = `export class ${name} extends Schema.Opaque<${name}>()(`
      const flat = D.flat(doc)
      if (head.length + flat.length + 4 <= 120) return `${head}${flat}) {}\n`
      // `Schema.Struct({` hugs the parentheses; anything else goes on its own lines.
      const hug = doc._tag === "Call" && doc.args.length === 1 && doc.args[0]!._tag === "Object"
      return hug
        ? `${head}${D.render(doc, 0, head.length, 120, 4)}) {}\n`
        : `${head}\n  ${D.render(doc, 2, 2, 120, 1)},\n) {}\n`
    }
    let out = `${D.statement(`export const ${name} = `, doc)}\n`
    out += recursiveType
      ? `${D.statement(`export type ${name} = `, D.text(IR.typeOf(ir, (key, mode) => nameOf(key, mode))))}\n`
      : `export type ${name} = typeof ${name}.Type\n`
    return out
  }
  const schemaChunks: Array<string> = []
  for (const members of sccs) {
    for (const name of members) {
      const ir = irByName.get(name)!
      const context: IR.EmitContext = {
        ref: (key, mode) => {
          const target = nameOf(key, mode)
          return sccOf.get(target) === sccOf.get(name) && recursive.has(target)
            ? D.call("Schema.suspend", [D.text(`(): Schema.Codec<${target}> => ${target}`)])
            : D.text(target)
        },
      }
      schemaChunks.push(jsdoc(descriptionByName.get(name)) + declare(name, ir, context, recursive.has(name)))
    }
  }
  const schemasFile = `${header}import { Schema } from "effect"\n\n${schemaChunks.join("\n")}`

  const operationContext: IR.EmitContext = { ref: (key, mode) => D.text(`S.${nameOf(key, mode)}`) }
  const operationChunk = (operation: BuiltOperation): string => {
    const { entry, identifier } = operation
    const typeBase = identifier.charAt(0).toUpperCase() + identifier.slice(1)
    const inputType = `${typeBase}Input`
    let chunk = declare(inputType, operation.input, operationContext, false)
    let outputDoc: D.Doc
    let outputType: string
    if (operation.output._tag === "ref") {
      outputDoc = IR.emit(operation.output, operationContext)
      outputType = `S.${nameOf(operation.output.key, operation.output.mode)}`
    } else if (operation.output._tag === "unknown") {
      outputDoc = D.text("Schema.Unknown")
      outputType = "unknown"
    } else {
      outputType = `${typeBase}Output`
      chunk += declare(outputType, operation.output, operationContext, false)
      outputDoc = D.text(outputType)
    }
    const { bodyContentType, ...core } = entry
    const fields: Array<[string, D.Doc]> = Object.entries(core).map(([key, value]) => [key, D.literal(value)])
    if (bodyContentType !== undefined) fields.push(["bodyContentType", D.literal(bodyContentType)])
    fields.push(["input", D.text(inputType)], ["output", outputDoc])
    const extension =
      bodyContentType === undefined ? "" : ` & { readonly bodyContentType: ${JSON.stringify(bodyContentType)} }`
    let head = `export const ${identifier}: Operation.Operation<${inputType}, ${outputType}>${extension} = `
    if (head.length > 120) {
      head = `export const ${identifier}: Operation.Operation<\n  ${inputType},\n  ${outputType}\n>${extension} = `
    }
    chunk += jsdoc(
      operation.description !== undefined && operation.description.trim() !== entry.summary
        ? `${entry.summary}\n\n${operation.description}`
        : entry.summary,
    )
    chunk += `${head}${D.render(D.object(fields), 0, head.length - head.lastIndexOf("\n") - 1)}\n`
    return chunk
  }
  const operationImports = (relativeSchemas: string) =>
    `import type { Operation } from "@crmkit/core"\nimport { Schema } from "effect"\nimport * as S from "${relativeSchemas}"\n\n`
  const mapEntries = built.map((operation) =>
    operation.entry.id === operation.identifier
      ? `  ${operation.identifier},`
      : `  ${JSON.stringify(operation.entry.id)}: ${operation.identifier},`,
  )
  const operationsMap = `/** Every operation, by id. */\nexport const operations = {\n${mapEntries.join("\n")}\n} as const\n`
  const chunks = built.map(operationChunk)
  const single = `${header}${operationImports("./schemas.ts")}${chunks.join("\n")}\n${operationsMap}`
  const maxBytes = config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES
  const files: Array<GeneratedFile> = [{ path: "schemas.ts", content: schemasFile }]
  if (Buffer.byteLength(single) <= maxBytes) {
    files.push({ path: "operations.ts", content: single })
  } else {
    // One module per resource, re-exported (and collected into `operations`) by operations.ts.
    const byResource = new Map<string, Array<BuiltOperation>>()
    for (const operation of built) {
      const list = byResource.get(operation.entry.resource) ?? []
      list.push(operation)
      byResource.set(operation.entry.resource, list)
    }
    const resources = [...byResource.keys()].sort()
    const fileNames = new Map<string, string>()
    const usedFileNames = new Set<string>()
    for (const resource of resources) {
      let name = resource.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "default"
      for (let index = 2; usedFileNames.has(name.toLowerCase()); index++) name = `${name}-${index}`
      usedFileNames.add(name.toLowerCase())
      fileNames.set(resource, name)
    }
    const index: Array<string> = []
    for (const resource of resources) {
      const operations = byResource.get(resource)!
      const file = fileNames.get(resource)!
      files.push({
        path: `operations/${file}.ts`,
        content: `${header}${operationImports("../schemas.ts")}${operations.map(operationChunk).join("\n")}`,
      })
      index.push(
        `import {\n${operations.map((operation) => `  ${operation.identifier},`).join("\n")}\n} from "./operations/${file}.ts"\n`,
      )
    }
    const reexports = resources.map((resource) => `export * from "./operations/${fileNames.get(resource)}.ts"\n`)
    files.push({
      path: "operations.ts",
      content: `${header}${index.join("")}\n${reexports.join("")}\n${operationsMap}`,
    })
  }
  const catalog = built.map((operation) => operation.entry)
  files.push({
    path: "catalog.ts",
    content:
      `${header}import type { Operation } from "@crmkit/core"\n\n` +
      "/** A catalog entry; `bodyContentType` (only on non-JSON bodies) extends the core contract. */\n" +
      `export type CatalogEntry = Operation.CatalogEntry & { readonly bodyContentType?: string | undefined }\n\n` +
      `/** Every operation, without Schemas: cheap to import. */\n` +
      `${D.statement("export const catalog: ReadonlyArray<CatalogEntry> = ", D.literal(catalog))}\n`,
  })
  files.push({ path: "catalog.json", content: `${JSON.stringify(catalog, null, 2)}\n` })
  for (const file of files) {
    if (Buffer.byteLength(file.content) > maxBytes && file.path !== "catalog.json") {
      warnings.push({
        where: file.path,
        message: `${Buffer.byteLength(file.content)} bytes, over the ${maxBytes}-byte split threshold`,
      })
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1))
  return {
    outDir,
    files,
    catalog,
    warnings,
    stats: {
      operations: built.length,
      schemas: variants.size,
      recursiveSchemas: recursive.size,
      bytes: files.reduce((sum, file) => sum + Buffer.byteLength(file.content), 0),
    },
  }
}

const TOKEN_KIND_ORDER = ["Location", "Location-PIT", "Agency", "Agency-PIT"]
const tokenKindOrder = (a: string, b: string): number => {
  const ia = TOKEN_KIND_ORDER.indexOf(a)
  const ib = TOKEN_KIND_ORDER.indexOf(b)
  if (ia !== -1 && ib !== -1) return ia - ib
  if (ia !== -1) return -1
  if (ib !== -1) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

const jsonType = (schema: Json): string => {
  if (!isObject(schema)) return "unknown"
  if (typeof schema.type === "string") return schema.type
  if (Array.isArray(schema.type)) return schema.type.find((type: string) => type !== "null") ?? "unknown"
  if (isObject(schema.properties)) return "object"
  if (schema.items !== undefined) return "array"
  return "unknown"
}

const paginationContext = (
  converter: Converter,
  id: string,
  method: string,
  finalPath: string,
  parameters: ReadonlyArray<Parameter>,
  body: { schema: Located } | undefined,
  response: Located | undefined,
): PaginationContext => {
  const propertiesOf = (located: Located | undefined): Array<[string, Located]> => {
    if (located === undefined || located.schema === undefined) return []
    return converter.collect(located).properties.map(([name, property]) => [name, converter.deref(property)])
  }
  /** The JSON type of a schema, looking through `$ref`s and single-member `allOf`/`anyOf`/`oneOf` wrappers. */
  const typeOf = (located: Located): [string, Located] => {
    let current = converter.deref(located)
    for (let depth = 0; depth < 8; depth++) {
      const schema = current.schema
      const wrapper = ["allOf", "anyOf", "oneOf"].find(
        (keyword) => isObject(schema) && Array.isArray(schema[keyword]) && schema[keyword].length === 1,
      )
      if (wrapper === undefined || jsonType(schema) !== "unknown") break
      current = converter.deref({ schema: schema[wrapper][0], file: current.file })
    }
    const type = jsonType(current.schema)
    if (type === "unknown" && isObject(current.schema) && Array.isArray(current.schema.allOf))
      return ["object", current]
    return [type, current]
  }
  const responseProperties = propertiesOf(response).map(([name, property]) => {
    const [type, resolved] = typeOf(property)
    return [name, resolved, type] as const
  })
  const responseTypes: Record<string, string> = {}
  const arrays: Array<string> = []
  const arrayItems = new Map<string, Located>()
  for (const [name, property, type] of responseProperties) {
    responseTypes[name] = type
    if (type === "array") {
      arrays.push(name)
      arrayItems.set(name, { schema: property.schema.items, file: property.file })
    }
  }
  for (const [name, property, type] of responseProperties) {
    if (type !== "object") continue
    for (const [inner, innerProperty] of propertiesOf(property)) {
      const [innerType, resolved] = typeOf(innerProperty)
      if (innerType === "array") {
        arrays.push(`${name}.${inner}`)
        arrayItems.set(`${name}.${inner}`, { schema: resolved.schema.items, file: resolved.file })
      }
    }
  }
  return {
    id,
    method,
    path: finalPath,
    query: parameters.filter((parameter) => parameter.in === "query").map((parameter) => parameter.name),
    body: propertiesOf(body?.schema).map(([name]) => name),
    response: responseTypes,
    responseArrays: arrays,
    itemProperties: (arrayPath) => propertiesOf(arrayItems.get(arrayPath)).map(([name]) => name),
  }
}

/** Tarjan's strongly connected components, dependencies first, deterministic for sorted input. */
const tarjan = (nodes: ReadonlyArray<string>, graph: ReadonlyMap<string, ReadonlyArray<string>>) => {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: Array<string> = []
  const result: Array<Array<string>> = []
  // Iterative, so that deep schema graphs cannot overflow the call stack.
  for (const start of nodes) {
    if (index.has(start)) continue
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }]
    index.set(start, counter)
    low.set(start, counter++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const edges = graph.get(frame.node) ?? []
      if (frame.next < edges.length) {
        const target = edges[frame.next++]!
        if (!index.has(target)) {
          index.set(target, counter)
          low.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          work.push({ node: target, next: 0 })
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!))
        }
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!))
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const members: Array<string> = []
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          members.push(member)
        } while (member !== frame.node)
        result.push(members.sort())
      }
    }
  }
  return result
}

const headerComment = (
  config: ProviderConfig,
  options: GenerateOptions,
  loaded: Loaded,
  specsDir: string,
  roots: ReadonlyArray<string>,
): string => {
  const lines = [
    `This file is generated by @crmkit/codegen for ${config.provider}. Do not edit it by hand:`,
    "fix the spec with a patch file (packages/<provider>/patches) or the generator instead.",
    "",
    "Specs (under shared/specs; sha256 of the file as read, before patches):",
  ]
  const read = options.readFile
  for (const file of [...loaded.files.keys()].sort((a, b) => (a < b ? -1 : 1))) {
    const loadedFile = loaded.files.get(file)!
    const relative = path.relative(specsDir, file).split(path.sep).join("/")
    let digest = ""
    try {
      digest = read === undefined ? sha(readFileSyncSafe(file)).slice(0, 12) : sha(read(file)).slice(0, 12)
    } catch {
      digest = "?"
    }
    const patch =
      loadedFile.patch === undefined
        ? ""
        : ` + ${path.relative(options.packageDir, loadedFile.patch).split(path.sep).join("/")}`
    lines.push(`  ${relative} (${digest})${roots.includes(file) ? "" : " [referenced]"}${patch}`)
  }
  lines.push("", `Regenerate: ${options.command ?? "pnpm codegen"}   Check: pnpm codegen --check`)
  return `/**\n${lines.map((line) => (line === "" ? " *" : ` * ${line}`)).join("\n")}\n */\n`
}

const readFileSyncSafe = (file: string): string => readFileSync(file, "utf8")

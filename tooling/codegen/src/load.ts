/**
 * Loads spec files (OpenAPI 3.0/3.1 or Swagger 2.0, YAML or JSON), applies the
 * provider's RFC 6902 patches to each file as it is read, and resolves local and
 * relative cross-file `$ref`s with @apidevtools/json-schema-ref-parser.
 */
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import $RefParser, { type ParserOptions } from "@apidevtools/json-schema-ref-parser"
import fastJsonPatch from "fast-json-patch"
import * as YAML from "yaml"
import { isSwagger2, swagger2ToOpenApi3 } from "./swagger2.ts"

type Json = any

export interface PatchOperation {
  readonly op: string
  readonly path: string
  readonly [key: string]: unknown
}

/** Patches by the base name of the spec file they apply to (`contacts.json` → `contacts`). */
export type PatchSet = ReadonlyMap<
  string,
  { readonly file: string; readonly operations: ReadonlyArray<PatchOperation> }
>

const specBaseName = (file: string): string => path.basename(file).replace(/\.(json|ya?ml)$/i, "")

/**
 * Reads `patches/*.json` from a directory. Each file is an RFC 6902 JSON Patch (an
 * array of operations) for the spec file with the same base name: `patches/contacts.json`
 * patches `apps/contacts.json`, `patches/v2.swagger.json` patches `v2.swagger.yml`.
 * Operations may carry a `comment` member, which JSON Patch ignores.
 */
export const readPatches = (directory: string | undefined): PatchSet => {
  const patches = new Map<string, { file: string; operations: ReadonlyArray<PatchOperation> }>()
  if (directory === undefined) return patches
  let entries: Array<string>
  try {
    entries = readdirSync(directory)
  } catch {
    return patches
  }
  for (const entry of entries.sort()) {
    if (!entry.endsWith(".json")) continue
    const file = path.join(directory, entry)
    const operations = JSON.parse(readFileSync(file, "utf8"))
    if (!Array.isArray(operations)) throw new Error(`${file}: a patch file must hold a JSON Patch array`)
    patches.set(specBaseName(entry), { file, operations })
  }
  return patches
}

/** Applies a JSON Patch, failing loudly (naming the patch file) when any operation does not apply. */
export const applyPatch = (document: Json, operations: ReadonlyArray<PatchOperation>, label: string): Json => {
  const clean = operations.map(({ comment: _comment, ...operation }) => operation) as Array<fastJsonPatch.Operation>
  const error = fastJsonPatch.validate(clean, document)
  if (error !== undefined) {
    throw new Error(`${label}: patch operation ${error.index} (${error.name}) does not apply: ${error.message}`)
  }
  return fastJsonPatch.applyPatch(document, clean, false, false).newDocument
}

export const parseText = (file: string, text: string): Json =>
  /\.ya?ml$/i.test(file) ? YAML.parse(text, { maxAliasCount: -1, merge: true }) : JSON.parse(text)

export interface LoadedFile {
  /** Absolute path. */
  readonly file: string
  /** The patched document, converted to OpenAPI 3 shapes when it was Swagger 2.0. */
  readonly document: Json
  /** The patch file applied to it, if any. */
  readonly patch?: string | undefined
}

export interface Loaded {
  /** Every file read (roots and files they refer to), by absolute path. */
  readonly files: ReadonlyMap<string, LoadedFile>
  /** Patch files that matched no loaded spec file (a mistake worth reporting). */
  readonly unusedPatches: ReadonlyArray<string>
  /** Looks up `file#pointer` through json-schema-ref-parser's resolved `$Refs`. */
  readonly get: (target: Target) => Json
}

/**
 * Loads the given root spec files and every file they refer to.
 * `readFile` is injectable so tests can work on in-memory specs.
 */
export const loadSpecs = async (
  roots: ReadonlyArray<string>,
  patches: PatchSet,
  readFile: (file: string) => string = (file) => readFileSync(file, "utf8"),
): Promise<Loaded> => {
  const files = new Map<string, LoadedFile>()
  const usedPatches = new Set<string>()
  const parse = (file: string): Json => {
    const known = files.get(file)
    if (known !== undefined) return known.document
    let document = parseText(file, readFile(file))
    const patch = patches.get(specBaseName(file))
    if (patch !== undefined) {
      document = applyPatch(document, patch.operations, patch.file)
      usedPatches.add(patch.file)
    }
    if (isSwagger2(document)) document = swagger2ToOpenApi3(document)
    files.set(file, { file, document, patch: patch?.file })
    return document
  }
  const refsByFile = new Map<string, $RefParser["$refs"]>()
  for (const root of roots) {
    const parser = new $RefParser()
    const options = {
      parse: {
        json: false,
        yaml: false,
        text: false,
        binary: false,
        spec: { order: 1, canParse: true, parse: (info: { url: string }) => parse(info.url) },
      },
      resolve: {
        http: false,
        file: {
          order: 1,
          canRead: true,
          // The parser above reads through `readFile`; the resolver only hands over the path.
          read: () => "",
        },
      },
    }
    const refs = await parser.resolve(root, options as unknown as ParserOptions)
    for (const file of refs.paths()) if (!refsByFile.has(file)) refsByFile.set(file, refs)
  }
  const unusedPatches = [...patches.values()].map((patch) => patch.file).filter((file) => !usedPatches.has(file))
  const get = (target: Target): Json => {
    const refs = refsByFile.get(target.file)
    if (refs === undefined) throw new Error(`$ref to a file that was not loaded: ${target.file}`)
    const key = `${target.file}#${target.pointer}`
    if (!refs.exists(key)) throw new Error(`$ref target not found: ${key}`)
    return refs.get(key)
  }
  return { files, unusedPatches, get }
}

/** An absolute `$ref` target: the file and the JSON pointer within it. */
export interface Target {
  readonly file: string
  readonly pointer: string
}

/** Resolves `ref` relative to the file that contains it. */
export const targetOf = (ref: string, from: string): Target => {
  const hash = ref.indexOf("#")
  const filePart = hash === -1 ? ref : ref.slice(0, hash)
  const pointer = hash === -1 ? "" : ref.slice(hash + 1)
  const file = filePart === "" ? from : path.resolve(path.dirname(from), decodeURIComponent(filePart))
  return { file, pointer }
}

export const targetKey = (target: Target): string => `${target.file}#${target.pointer}`

/**
 * Test helpers: specs written to a temporary directory, generated code written under
 * test/generated/ (inside the repository, so that `effect` resolves) and imported.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { ProviderConfig } from "../src/config.ts"
import { generate, type Result } from "../src/generate.ts"

export type Files = Readonly<Record<string, unknown>>

/** Writes `specs/<name>` and `pkg/patches/<name>` files under a new temporary repository root. */
export const workspace = (specs: Files, patches: Files = {}): string => {
  const root = mkdtempSync(path.join(tmpdir(), "crmkit-codegen-"))
  const write = (file: string, content: unknown) => {
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2))
  }
  for (const [name, content] of Object.entries(specs)) write(path.join(root, "specs", name), content)
  for (const [name, content] of Object.entries(patches)) write(path.join(root, "pkg", "patches", name), content)
  mkdirSync(path.join(root, "pkg"), { recursive: true })
  return root
}

export const run = (root: string, config: Partial<ProviderConfig> & Pick<ProviderConfig, "specs">): Promise<Result> =>
  generate(
    { provider: "test", specsDir: "specs", resource: (operation) => operation.spec, ...config },
    { packageDir: path.join(root, "pkg"), repoRoot: root },
  )

const generatedRoot = path.join(import.meta.dirname, "generated")

/** Writes a result's files under test/generated/<name>/ and imports its modules. */
export const materialize = async (name: string, result: Result) => {
  const directory = path.join(generatedRoot, name)
  rmSync(directory, { recursive: true, force: true })
  for (const file of result.files) {
    const target = path.join(directory, file.path)
    mkdirSync(path.dirname(target), { recursive: true })
    writeFileSync(target, file.content)
  }
  const load = (file: string) => import(pathToFileURL(path.join(directory, file)).href)
  return {
    directory,
    schemas: (await load("schemas.ts")) as Record<string, any>,
    operations: (await load("operations.ts")) as Record<string, any>,
    catalog: ((await load("catalog.ts")) as { catalog: ReadonlyArray<any> }).catalog,
  }
}

export const fileOf = (result: Result, name: string): string => {
  const file = result.files.find((candidate) => candidate.path === name)
  if (file === undefined) throw new Error(`no generated file ${name}`)
  return file.content
}

/** A minimal OpenAPI 3.0 document. */
export const openapi = (paths: Files, schemas: Files = {}, extra: Files = {}) => ({
  openapi: "3.0.0",
  info: { title: "test", version: "1" },
  paths,
  components: { schemas },
  ...extra,
})

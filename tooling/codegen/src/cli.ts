#!/usr/bin/env node
/**
 * `pnpm codegen [--check] [--verbose] [provider...]`
 *
 * Regenerates `packages/<provider>/src/generated/` for every package that has a
 * `codegen.config.ts` (or only the named providers). With `--check`, nothing is
 * written: the output is generated in memory and compared with the files on disk;
 * the command exits 1 and names every file that differs, is missing or is stale.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { ProviderConfig } from "./config.ts"
import { type GeneratedFile, generate } from "./generate.ts"

const repoRoot = path.resolve(import.meta.dirname, "../../..")

const listFiles = (directory: string, prefix = ""): Array<string> => {
  if (!existsSync(directory)) return []
  const out: Array<string> = []
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`
    if (entry.isDirectory()) out.push(...listFiles(path.join(directory, entry.name), relative))
    else out.push(relative)
  }
  return out.sort()
}

/** Differences between generated files and a directory: changed, missing and stale files. */
export const diff = (directory: string, files: ReadonlyArray<GeneratedFile>): Array<string> => {
  const problems: Array<string> = []
  const expected = new Set(files.map((file) => file.path))
  for (const file of files) {
    const target = path.join(directory, file.path)
    if (!existsSync(target)) problems.push(`missing: ${file.path}`)
    else if (readFileSync(target, "utf8") !== file.content) problems.push(`differs: ${file.path}`)
  }
  for (const existing of listFiles(directory)) {
    if (!expected.has(existing)) problems.push(`stale:   ${existing}`)
  }
  return problems
}

/** Writes the generated files, leaving unchanged files untouched and removing stale ones. */
export const write = (directory: string, files: ReadonlyArray<GeneratedFile>): number => {
  let written = 0
  const expected = new Set(files.map((file) => file.path))
  for (const existing of listFiles(directory)) {
    if (!expected.has(existing)) rmSync(path.join(directory, existing))
  }
  for (const file of files) {
    const target = path.join(directory, file.path)
    if (existsSync(target) && readFileSync(target, "utf8") === file.content) continue
    mkdirSync(path.dirname(target), { recursive: true })
    writeFileSync(target, file.content)
    written++
  }
  // Remove directories the stale files left empty.
  for (const entry of existsSync(directory) ? readdirSync(directory, { withFileTypes: true }) : []) {
    const inner = path.join(directory, entry.name)
    if (entry.isDirectory() && listFiles(inner).length === 0) rmSync(inner, { recursive: true })
  }
  return written
}

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const check = argv.includes("--check")
  const verbose = argv.includes("--verbose")
  const only = argv.filter((arg) => !arg.startsWith("--"))
  const packagesDir = path.join(repoRoot, "packages")
  const configs = readdirSync(packagesDir)
    .sort()
    .map((name) => path.join(packagesDir, name, "codegen.config.ts"))
    .filter((file) => existsSync(file))
  let failed = false
  for (const configFile of configs) {
    const packageDir = path.dirname(configFile)
    const config = (await import(pathToFileURL(configFile).href)).default as ProviderConfig
    if (only.length > 0 && !only.includes(config.provider) && !only.includes(path.basename(packageDir))) continue
    const started = performance.now()
    const result = await generate(config, { packageDir, repoRoot, command: "pnpm codegen" })
    const relativeOut = path.relative(repoRoot, result.outDir)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    const summary =
      `${config.provider}: ${result.stats.operations} operations, ${result.stats.schemas} schemas ` +
      `(${result.stats.recursiveSchemas} recursive), ${result.files.length} files, ` +
      `${(result.stats.bytes / 1024).toFixed(0)} KiB, ${result.warnings.length} warnings, ${seconds}s`
    if (check) {
      const problems = diff(result.outDir, result.files)
      if (problems.length > 0) {
        failed = true
        console.error(`${summary}\n${relativeOut} is out of date (run \`pnpm codegen\`):`)
        for (const problem of problems) console.error(`  ${problem}`)
      } else {
        console.log(`${summary}; ${relativeOut} is up to date`)
      }
    } else {
      const written = write(result.outDir, result.files)
      console.log(`${summary}; ${written} file(s) written to ${relativeOut}`)
    }
    if (verbose) for (const warning of result.warnings) console.log(`  warning: ${warning.where}: ${warning.message}`)
  }
  if (configs.length === 0) console.error("no packages/*/codegen.config.ts found")
  return failed ? 1 : 0
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error)
      process.exit(2)
    },
  )
}

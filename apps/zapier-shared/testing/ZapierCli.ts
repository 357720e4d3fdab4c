/**
 * Zapier's own CLI in the apps' tests: `validate --without-style` (offline schema validation)
 * and `build` of a pre-bundled, standalone copy of an app, whose build.zip a test then unpacks
 * and loads. Every step fails loudly with the CLI's output.
 */
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export type Variant = "oauth" | "key"

const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) => {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout: 300_000,
    env: { ...process.env, DISABLE_ZAPIER_ANALYTICS: "1", ...env },
  })
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${cwd}) failed with ${result.status ?? result.signal}:\n${output}`,
    )
  }
  return output
}

const cli = (appDir: string) => {
  const bin = join(appDir, "node_modules", ".bin", "zapier-platform")
  if (!existsSync(bin)) throw new Error(`zapier-platform-cli is not installed in ${appDir}: run pnpm install`)
  return bin
}

const variantEnv = (variant: Variant): Record<string, string> =>
  variant === "key" ? { CRMKIT_ZAPIER_VARIANT: "key" } : {}

/** `zapier-platform validate --without-style` (it bundles the app first with `_zapier-build`). */
export const validate = (appDir: string, variant: Variant): string =>
  run(cli(appDir), ["validate", "--without-style"], appDir, variantEnv(variant))

/** pnpm, as the test runner was started by it (`npm_execpath`), else from PATH. */
const pnpm = (args: ReadonlyArray<string>, cwd: string) => {
  const execPath = process.env.npm_execpath
  return execPath !== undefined && /pnpm/.test(execPath)
    ? run(process.execPath, [execPath, ...args], cwd)
    : run("pnpm", args, cwd)
}

/**
 * Builds build.zip the way Zapier will run it: the app bundled into one file, staged with only its
 * production dependency (zapier-platform-core, installed flat by `pnpm deploy`), then
 * `zapier-platform build --skip-dep-install`. `--skip-validation` skips Zapier's remote style
 * check (it needs the network); `validate` above covers the schema offline.
 */
export const buildZip = (appDir: string, variant: Variant): string => {
  const manifest = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8")) as {
    name: string
    version: string
    dependencies: Record<string, string>
  }
  const repoRoot = resolve(appDir, "../..")
  const stage = join(repoRoot, ".cache", "zapier-build", `${manifest.name.replace(/\W+/g, "-")}-${variant}`)
  run(process.execPath, ["build.mjs"], appDir, variantEnv(variant))
  rmSync(stage, { recursive: true, force: true })
  pnpm(["--filter", manifest.name, "deploy", "--prod", "--legacy", "--config.node-linker=hoisted", stage], repoRoot)
  for (const leftover of ["src", "test", "build.mjs", "tsconfig.json", "tsconfig.tsbuildinfo", "vitest.config.ts"]) {
    rmSync(join(stage, leftover), { recursive: true, force: true })
  }
  cpSync(join(appDir, "dist"), join(stage, "dist"), { recursive: true })
  cpSync(join(appDir, ".zapierapprc"), join(stage, ".zapierapprc"))
  writeFileSync(
    join(stage, "package.json"),
    JSON.stringify(
      {
        name: manifest.name.replace(/^@crmkit\//, "crmkit-"),
        version: manifest.version,
        private: true,
        type: "module",
        exports: "./dist/index.js",
        dependencies: manifest.dependencies,
      },
      null,
      2,
    ),
  )
  run(cli(appDir), ["build", "--skip-dep-install", "--skip-validation"], stage)
  const zip = join(stage, "build", "build.zip")
  if (!existsSync(zip)) throw new Error(`zapier-platform build wrote no ${zip}`)
  return zip
}

/** Unpacks build.zip into a fresh directory outside the repository and returns it. */
export const unpack = (zip: string): string => {
  const AdmZip = createRequire(import.meta.url)("adm-zip") as new (
    path: string,
  ) => { extractAllTo: (target: string, overwrite: boolean) => void; getEntries: () => Array<{ entryName: string }> }
  const target = mkdtempSync(join(tmpdir(), "zapier-build-"))
  new AdmZip(zip).extractAllTo(target, true)
  return target
}

/**
 * Loads an unpacked build the way Zapier's Lambda does: through the `zapierwrapper.js` the build
 * wrote, with the zapier-platform-core inside the zip. Returns the app, its handler's definition,
 * and `createAppTester` from the zip's own core.
 */
export const loadBuild = async (dir: string) => {
  const url = (path: string) => new URL(`file://${join(dir, path)}`).href
  const wrapper = (await import(url("zapierwrapper.js"))) as {
    appRaw: Record<string, any>
    handler: (event: object, context: object, callback: (error: unknown, result: any) => void) => void
  }
  // The ESM entry: the only one an ESM app's build carries.
  const core = (await import(url("node_modules/zapier-platform-core/index.mjs"))) as {
    createAppTester: (app: object) => (fn: unknown, bundle: object) => Promise<any>
  }
  const definition = await new Promise<Record<string, any>>((resolvePromise, reject) =>
    wrapper.handler(
      { command: "definition", bundle: {}, platformVersion: wrapper.appRaw.platformVersion },
      {},
      (error, out) => (error ? reject(error) : resolvePromise(out.results)),
    ),
  )
  return { app: wrapper.appRaw, definition, createAppTester: core.createAppTester }
}

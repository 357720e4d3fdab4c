/** Runs the built `crmkit` binary as a subprocess, as users and scripts do. */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const bin = path.join(import.meta.dirname, "..", "dist", "crmkit.mjs")
// No test reads the developer's own saved credentials.
const emptyConfig = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-config-"))

const environment = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  CRMKIT_CONFIG_DIR: emptyConfig,
  ...env,
})

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const crmkit = (args: ReadonlyArray<string>, env: Record<string, string> = {}, input?: string): Run => {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    ...(input === undefined ? {} : { input }),
    env: environment(env),
    timeout: 60_000,
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Without blocking this process: for a sandbox the test itself serves. */
export const crmkitAsync = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: environment(env) })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

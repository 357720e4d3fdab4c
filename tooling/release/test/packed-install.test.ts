/**
 * The CLI as users get it: every public package it needs, packed, installed with npm into
 * an empty folder (no workspace, no pnpm), and the installed `crmkit` run against its
 * embedded sandbox.
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { pack, publicPackages } from "./support.ts"

const npm = ["/usr/bin/npm", "/usr/local/bin/npm"].find((candidate) => fs.existsSync(candidate))

/** The workspace packages a package depends on, itself included, by name. */
const closure = (name: string): ReadonlyArray<string> => {
  const byName = new Map(publicPackages().map((p) => [p.name, p.dir]))
  const seen = new Set<string>()
  const visit = (current: string) => {
    if (seen.has(current)) return
    seen.add(current)
    const dir = byName.get(current)
    if (dir === undefined) throw new Error(`${current} is needed by the CLI but is not a public package`)
    const deps = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).dependencies ?? {}
    for (const dep of Object.keys(deps)) if (dep.startsWith("@crmkit/")) visit(dep)
  }
  visit(name)
  return [...seen].map((n) => byName.get(n)!)
}

let folder: string
beforeAll(() => {
  expect(npm, "npm is expected where a fresh machine has it (/usr/bin/npm)").toBeDefined()
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-install-"))
  fs.writeFileSync(path.join(folder, "package.json"), JSON.stringify({ name: "crmkit-user", private: true }))
  const tarballs = closure("@crmkit/cli").map(pack)
  execFileSync(npm!, ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], {
    cwd: folder,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, npm_config_workspaces: "false" },
  })
})

describe("packed install", () => {
  it("installs only packed tarballs and the registry's packages: no workspace links", () => {
    const core = fs.lstatSync(path.join(folder, "node_modules", "@crmkit", "core"))
    expect(core.isSymbolicLink()).toBe(false)
    expect(fs.existsSync(path.join(folder, "node_modules", "@crmkit", "core", "dist", "index.js"))).toBe(true)
  })

  it("the installed crmkit lists contacts from its embedded sandbox", () => {
    const bin = path.join(folder, "node_modules", ".bin", "crmkit")
    const run = spawnSync(process.execPath, [bin, "--sandbox", "keap", "contacts", "list", "--limit", "3"], {
      cwd: folder,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: folder, CRMKIT_CONFIG_DIR: path.join(folder, ".crmkit") },
      timeout: 60_000,
    })
    expect(run.status, run.stderr).toBe(0)
    const records = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string })
    expect(records).toHaveLength(3)
    expect(records[0]?.id).toBe("1")
  })
})

/** The public packages, packed as `pnpm publish` would pack them (workspace versions resolved). */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const repo = path.resolve(import.meta.dirname, "..", "..", "..")

interface Manifest {
  readonly name: string
  readonly private?: boolean
  readonly types?: string
  readonly exports?: unknown
}

const manifest = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))

/** Every workspace package that is published, by folder. */
export const publicPackages = (): ReadonlyArray<{
  readonly dir: string
  readonly name: string
  readonly library: boolean
}> =>
  ["packages", "apps"]
    .flatMap((group) => fs.readdirSync(path.join(repo, group)).map((name) => path.join(repo, group, name)))
    .filter((dir) => fs.existsSync(path.join(dir, "package.json")))
    .map((dir) => ({ dir, pkg: manifest(dir) }))
    .filter(({ pkg }) => pkg.private !== true)
    // A library has importable entry points with types; the CLI and the n8n nodes are run, not imported.
    .map(({ dir, pkg }) => ({ dir, name: pkg.name, library: JSON.stringify(pkg.exports ?? "").includes(".d.ts") }))

const packed = new Map<string, string>()

/** The package's tarball (packed once per test run). */
export const pack = (dir: string): string => {
  const known = packed.get(dir)
  if (known !== undefined) return known
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-pack-"))
  execFileSync("pnpm", ["pack", "--pack-destination", out], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] })
  const [file] = fs.readdirSync(out).filter((f) => f.endsWith(".tgz"))
  if (file === undefined) throw new Error(`pnpm pack wrote no tarball for ${dir}`)
  const tarball = path.join(out, file)
  packed.set(dir, tarball)
  return tarball
}

/** The paths inside a tarball (`package/...` stripped). */
export const contents = (tarball: string): ReadonlyArray<string> =>
  execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((entry) => entry.replace(/^package\//, ""))

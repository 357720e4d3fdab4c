/** The Node check runs before anything else: on the machine's own older Node, one line and exit 2. */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { minimum, requiredNode } from "../src/NodeVersion.ts"
import { bin } from "./support.ts"

// A fresh machine of this kind has Node 20 system-wide: the Node users would run crmkit with by mistake.
const systemNode = ["/usr/bin/node", "/usr/local/bin/node"].find((candidate) => fs.existsSync(candidate))

describe("Node version check", () => {
  it("names the version needed and the one found", () => {
    expect(requiredNode("20.20.2")).toBe("crmkit needs Node.js 22.19 or newer; this is Node.js 20.20.2.")
    expect(requiredNode("22.18.0")).toContain("22.19")
    expect(requiredNode("22.19.0")).toBeUndefined()
    expect(requiredNode("24.1.0")).toBeUndefined()
  })

  it("agrees with package.json's engines", () => {
    const engines = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "..", "package.json"), "utf8")).engines
    expect(engines.node).toBe(`>=${minimum.major}.${minimum.minor}`)
  })

  it("the built crmkit on the machine's Node 20 says so in one line and exits 2", () => {
    expect(systemNode, "the machine's own Node (20) is expected at /usr/bin/node").toBeDefined()
    const version = spawnSync(systemNode!, ["--version"], { encoding: "utf8" }).stdout.trim()
    expect(Number(version.slice(1).split(".")[0])).toBeLessThan(minimum.major)
    const run = spawnSync(systemNode!, [bin, "--sandbox", "keap", "contacts", "list"], { encoding: "utf8" })
    expect(run.status).toBe(2)
    expect(run.stderr).toBe(`crmkit needs Node.js 22.19 or newer; this is Node.js ${version.slice(1)}.\n`)
    expect(run.stdout).toBe("")
  })
})

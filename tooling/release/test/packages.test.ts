/**
 * What each public package ships, checked on its packed tarball: publint (package.json
 * and files agree, exports resolve), are-the-types-wrong (types resolve under node16 ESM
 * and bundlers) for the libraries, and the tarball holds dist, README, LICENSE and
 * nothing that is only the repository's (tests, configs, build info).
 */
import * as fs from "node:fs"
import { checkPackage, createPackageFromTarballData } from "@arethetypeswrong/core"
import { publint } from "publint"
import { describe, expect, it } from "vitest"
import { contents, pack, publicPackages } from "./support.ts"

const packages = publicPackages()
const libraries = packages.filter((p) => p.library).map((p) => [p.name, p] as const)

describe("public packages", () => {
  it("are the ones users install", () => {
    expect(packages.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        "@crmkit/core",
        "@crmkit/keap",
        "@crmkit/ghl",
        "@crmkit/sandbox",
        "@crmkit/cli",
        "@crmkit/mcp",
        "@crmkit/n8n-nodes-keap",
        "@crmkit/n8n-nodes-highlevel",
      ]),
    )
  })

  describe.each(packages.map((p) => [p.name, p] as const))("%s", (_name, pkg) => {
    it("passes publint (no warnings or errors)", async () => {
      const tarball = fs.readFileSync(pack(pkg.dir))
      const { messages } = await publint({
        level: "warning",
        pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      })
      expect(messages.map((m) => `${m.type} ${m.code} at ${m.path.join(".")}`)).toEqual([])
    })

    it("ships dist, README and LICENSE, and no tests, configs or build info", () => {
      const files = contents(pack(pkg.dir))
      expect(files).toContain("package.json")
      expect(files).toContain("README.md")
      expect(files).toContain("LICENSE")
      expect(files.some((f) => f.startsWith("dist/"))).toBe(true)
      const unwanted = files.filter(
        (f) =>
          /(^|\/)test\//.test(f) ||
          /\.test\.[cm]?[jt]s$/.test(f) ||
          /(^|\/)tsconfig[^/]*\.json$/.test(f) ||
          f.endsWith(".tsbuildinfo") ||
          /(^|\/)vitest\.config/.test(f),
      )
      expect(unwanted).toEqual([])
    })
  })

  it.each(libraries)("%s: its types resolve for every entry point (are-the-types-wrong)", async (_name, pkg) => {
    const result = await checkPackage(createPackageFromTarballData(new Uint8Array(fs.readFileSync(pack(pkg.dir)))))
    expect(result.types).not.toBe(false)
    // ESM-only packages (as these are, like effect 4) are not for require(): node10 and CJS callers are not their users.
    const problems = ("problems" in result ? result.problems : []).filter(
      (p) => !("resolutionKind" in p) || p.resolutionKind === "node16-esm" || p.resolutionKind === "bundler",
    )
    expect(problems.map((p) => `${p.kind} ${"entrypoint" in p ? String(p.entrypoint) : ""}`)).toEqual([])
  })
})

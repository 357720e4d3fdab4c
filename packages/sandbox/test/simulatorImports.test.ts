/**
 * A simulator must not use the client code it is there to test: the lint rule on
 * `packages/*\/src/sandbox/**` (biome.json) refuses it. Checked on probe sources, as the
 * linter sees a file at that path.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const root = path.join(import.meta.dirname, "..", "..", "..")
const biome = path.join(root, "node_modules", ".bin", "biome")

// The repository's biome.json in a scratch tree shaped like the repository, so that the
// probes never sit among the real sources.
const lint = (file: string, source: string) => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-lint-"))
  try {
    fs.copyFileSync(path.join(root, "biome.json"), path.join(scratch, "biome.json"))
    fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true })
    fs.writeFileSync(path.join(scratch, file), source)
    return spawnSync(biome, ["lint", file], { cwd: scratch, encoding: "utf8" })
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

describe("simulators import only the kit", () => {
  it("refuses the client, the core, Effect and files outside the simulator's folder", () => {
    for (const line of [
      'import { KeapClient } from "../KeapClient.ts"',
      'import { Operation } from "@crmkit/core"',
      'import * as Auth from "@crmkit/ghl/connector"',
      'import { Effect } from "effect"',
      'import { Schema } from "effect/Schema"',
      'import { x } from "../internal/connectorRuntime.ts"',
    ]) {
      const result = lint(
        "packages/keap/src/sandbox/probe.ts",
        `${line}\nexport const used = [${line.split(/[{}* ]+/)[2]}]\n`,
      )
      expect(result.status, line).not.toBe(0)
      expect(`${result.stdout}${result.stderr}`, line).toContain("noRestrictedImports")
    }
  })

  it("accepts the kit and the simulator's own files, and leaves the client's files alone", () => {
    const kit =
      'import { json } from "@crmkit/sandbox/http"\nimport { x } from "./store.ts"\nexport const used = [json, x]\n'
    expect(lint("packages/ghl/src/sandbox/probe.ts", kit).status).toBe(0)
    const client = 'import { Operation } from "@crmkit/core"\nexport const used = [Operation]\n'
    expect(lint("packages/ghl/src/probe.ts", client).status).toBe(0)
  })
})

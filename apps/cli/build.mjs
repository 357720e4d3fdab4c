// Bundles the CLI into dist/ so that `crmkit --help` starts fast: one file to load,
// and the generated operations split into chunks loaded only by the commands that need them.
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { Action } from "@crmkit/core"
import { GhlActions } from "@crmkit/ghl"
import { KeapActions } from "@crmkit/keap"
import { build } from "esbuild"

rmSync("dist", { recursive: true, force: true })

// The providers' actions as plain data, bundled in: the command tree (and `--help`) is
// built from it without loading the providers, which only load when a command runs.
mkdirSync("src/generated", { recursive: true })
writeFileSync(
  "src/generated/actions.json",
  `${JSON.stringify({ keap: KeapActions.actions.map(Action.describe), ghl: GhlActions.actions.map(Action.describe) })}\n`,
)

await build({
  entryPoints: { crmkit: "src/bin.ts" },
  bundle: true,
  splitting: true,
  minify: true,
  format: "esm",
  platform: "node",
  target: "node22",
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // undici keeps its own module graph: bundled, its Agent class breaks.
  external: ["undici"],
  logLevel: "warning",
})

// Bundles the CLI into dist/ so that `crmkit --help` starts fast: one file to load,
// and the generated operations split into chunks loaded only by the commands that need them.
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { Action } from "@crmkit/core"
import { build } from "esbuild"
import { connectors } from "./src/connectors.ts"

rmSync("dist", { recursive: true, force: true })

// The connectors' actions as plain data, bundled in: the command tree (and `--help`) is
// built from it without loading the providers, which only load when a command runs.
const actions = {}
for (const connector of connectors) actions[connector.name] = (await connector.load()).actions.map(Action.describe)
mkdirSync("src/generated", { recursive: true })
writeFileSync("src/generated/actions.json", `${JSON.stringify(actions)}\n`)

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

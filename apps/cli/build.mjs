// Bundles the CLI into dist/ so that `crmkit --help` starts fast: one file to load,
// and the generated operations split into chunks loaded only by the commands that need them.
import { rmSync } from "node:fs"
import { build } from "esbuild"

rmSync("dist", { recursive: true, force: true })

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

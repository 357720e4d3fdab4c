// Bundles a Zapier app into dist/index.js: one file with the providers, core and Effect inlined,
// so that Zapier's build needs no workspace packages. zapier-platform-core stays external:
// Zapier ships its own wrapper around it. CRMKIT_ZAPIER_VARIANT=key bundles the key-based app
// (src/keyApp.ts) instead of the OAuth app (src/index.ts).
import { rmSync } from "node:fs"
import { build } from "esbuild"

export const bundleApp = async () => {
  const entry = process.env.CRMKIT_ZAPIER_VARIANT === "key" ? "src/keyApp.ts" : "src/index.ts"
  rmSync("dist", { recursive: true, force: true })
  await build({
    entryPoints: { index: entry },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    outdir: "dist",
    external: ["zapier-platform-core"],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: "warning",
  })
}

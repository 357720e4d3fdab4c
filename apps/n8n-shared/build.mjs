// Builds an n8n community package: each node and credential becomes one CommonJS file in
// dist/ (n8n `require`s them), with the providers, the core and Effect bundled in, so the
// published package has no runtime dependencies. n8n-workflow stays external: n8n provides it.
import { cpSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { build } from "esbuild"

export const buildPackage = async (packageDir) => {
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"))
  const outputs = [...manifest.n8n.nodes, ...manifest.n8n.credentials]
  rmSync(join(packageDir, "dist"), { recursive: true, force: true })
  const entryPoints = Object.fromEntries(
    outputs.map((out) => [
      out.replace(/^dist\//, "").replace(/\.js$/, ""),
      join(packageDir, out.replace(/^dist\//, "src/").replace(/\.js$/, ".ts")),
    ]),
  )
  await build({
    entryPoints,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    outdir: join(packageDir, "dist"),
    external: ["n8n-workflow"],
    minify: true,
    keepNames: true,
    legalComments: "none",
    logLevel: "warning",
  })
  // Icons keep their place relative to the nodes and credentials that name them
  // (`file:../../icons/keap.svg`), and each node's codex file sits next to it.
  cpSync(join(packageDir, "src/icons"), join(packageDir, "dist/icons"), { recursive: true })
  for (const node of manifest.n8n.nodes) {
    const codex = node.replace(/\.js$/, ".json")
    cpSync(join(packageDir, codex.replace(/^dist\//, "src/")), join(packageDir, codex))
  }
}

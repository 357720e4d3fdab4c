// The n8n community-node lint, shared by both packages: @n8n/eslint-plugin-community-nodes
// over the TypeScript sources and package.json. The "without n8n Cloud" config: the bundled
// Effect runtime uses timers and `globalThis`, which only n8n Cloud's restricted-globals
// rule forbids; everything else (no runtime dependencies, peer n8n-workflow, icons,
// credential tests, usableAsTool, Continue On Fail...) is enforced.
import { configs } from "@n8n/eslint-plugin-community-nodes"
import tseslint from "typescript-eslint"

export const config = [
  { ignores: ["dist/**", "node_modules/**", "test/**", "build.mjs", "eslint.config.mjs", "vitest.config.mts"] },
  {
    files: ["src/**/*.ts"],
    languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: "module" } },
    ...configs.recommendedWithoutN8nCloudSupport,
  },
  {
    files: ["package.json"],
    languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: [".json"] } },
    ...configs.recommendedWithoutN8nCloudSupport,
  },
]

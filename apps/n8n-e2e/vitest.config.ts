import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "n8n-e2e",
    include: ["test/**/*.test.ts"],
    // One real n8n at a time: each takes a core while it starts.
    fileParallelism: false,
    // A real n8n: start-up, migrations and a webhook server take tens of seconds.
    testTimeout: 420_000,
    hookTimeout: 240_000,
  },
})

import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "@crmkit/mcp",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
  },
})

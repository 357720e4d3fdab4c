import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "@crmkit/zapier-shared",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
  },
})

import { defineProject } from "vitest/config"

export default defineProject({
  test: { name: "n8n-nodes-highlevel", include: ["test/**/*.test.ts"], testTimeout: 60_000 },
})

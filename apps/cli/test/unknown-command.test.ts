/** An unknown command, with or without --help, exits 2 naming the nearest commands. */
import { describe, expect, it } from "vitest"
import { crmkit } from "./support.ts"

describe("unknown commands", () => {
  it.each([
    [["contcts", "--help"], '"crmkit keap contacts"'],
    [["keap", "contcts", "--help"], '"crmkit keap contacts"'],
    [["keap", "contacts", "lst"], '"crmkit keap contacts list"'],
    [["sandbx"], '"crmkit sandbox"'],
    [["--profile", "work", "auth", "lst"], '"crmkit auth list"'],
  ])("crmkit %j", (args, nearest) => {
    const run = crmkit(args)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("error: unknown command")
    expect(run.stderr).toContain(nearest)
  })

  it("a known command with --help still shows its help and exits 0", () => {
    const run = crmkit(["keap", "contacts", "--help"])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("crmkit keap contacts")
  })
})

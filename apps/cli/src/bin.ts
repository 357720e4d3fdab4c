#!/usr/bin/env node
/**
 * Entry point. First the Node check: on an older Node the CLI would die on its first
 * import with a stack trace; one line naming both versions is what a user needs. Then
 * Node's on-disk compile cache, so that every run after the first skips parsing the
 * bundle (start-up is most of a short command).
 */
import module from "node:module"
import { requiredNode } from "./NodeVersion.ts"

const problem = requiredNode(process.versions.node)
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`)
  process.exit(2)
}
module.enableCompileCache?.()
await import("./main.ts")

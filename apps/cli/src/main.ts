/**
 * The `crmkit` binary. Exit codes: 0 success, 1 API or runtime failure, 2 usage or
 * validation error. Errors are one line on stderr; `--verbose` adds the details.
 */
import type { CrmError } from "@crmkit/core"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Effect } from "effect"
import { Command } from "effect/cli"
import { cli } from "./Cli.ts"
import { UsageError } from "./UsageError.ts"

const verbose = process.argv.includes("--verbose")

// A closed pipe (`crmkit ... | head`) ends the run quietly, as Unix tools do.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

// Checked by tag: importing the core's classes here would load it on every start.
const isCrmError = (error: unknown): error is CrmError =>
  typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "CrmError"

const report = (error: unknown): number => {
  if (isCrmError(error)) {
    process.stderr.write(`error: ${error.message}\n`)
    if (verbose && error.reason.body !== undefined)
      process.stderr.write(`${JSON.stringify(error.reason.body, null, 2)}\n`)
    // Refused before sending: the input is wrong.
    return error.reason._tag === "Validation" && error.reason.status === undefined ? 2 : 1
  }
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`)
    return 2
  }
  if (error !== null && typeof error === "object" && "_tag" in error && String(error._tag).length > 0) {
    // effect/cli parse errors have already been printed with the help text.
    return 2
  }
  process.stderr.write(`error: ${String(error)}\n`)
  return 1
}

const program = Command.run(cli, { version: "0.1.0" }).pipe(
  Effect.catchCause((cause) =>
    Effect.sync(() => {
      if (Cause.hasInterruptsOnly(cause)) process.exitCode = 130
      else process.exitCode = report(Cause.squash(cause))
    }),
  ),
  Effect.provide(NodeServices.layer),
)

NodeRuntime.runMain(program, { disableErrorReporting: true })

/**
 * The `crmkit` binary. Exit codes: 0 success, 1 API or runtime failure, 2 usage or
 * validation error. Errors are one line on stderr; `--verbose` adds the details.
 */
import type { CrmError } from "@crmkit/core"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeStdio from "@effect/platform-node/NodeStdio"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import { Command } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ChildProcessSpawner } from "effect/process"
import { DryRunRequest, render as renderDryRun } from "./DryRunRequest.ts"
import { check } from "./UnknownCommand.ts"
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
  if (error instanceof DryRunRequest) {
    process.stdout.write(renderDryRun(error))
    process.stderr.write("dry run: nothing was sent\n")
    return 0
  }
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
  // effect/cli's own errors have been printed with the help text already.
  if (error !== null && typeof error === "object" && "~effect/cli/CliError" in error) return 2
  process.stderr.write(`error: ${String(error)}\n`)
  return 1
}

// NodeServices without the child-process spawner: crmkit never spawns, and loading
// node:child_process costs start-up time on every run.
const platform = Layer.mergeAll(
  NodeFileSystem.layer,
  NodePath.layer,
  NodeStdio.layer,
  NodeTerminal.layer,
  Layer.succeed(
    ChildProcessSpawner.ChildProcessSpawner,
    ChildProcessSpawner.make(() => Effect.die("crmkit does not spawn processes")),
  ),
)

// Loaded here, not imported: a program that embeds the CLI adds its connectors first.
const { cli } = await import("./Cli.ts")

const unknown = check(cli, process.argv.slice(2))
if (unknown !== undefined) {
  process.stderr.write(`error: ${unknown}\n`)
  process.exit(2)
}

// One scope for the run: what a command opens (the Redis token store) closes when it ends.
const program = Command.run(cli, { version: "0.1.0" }).pipe(
  Effect.scoped,
  Effect.catchCause((cause) =>
    Effect.sync(() => {
      if (Cause.hasInterruptsOnly(cause)) process.exitCode = 130
      else process.exitCode = report(Cause.squash(cause))
    }),
  ),
  Effect.provide(platform),
)

NodeRuntime.runMain(program, { disableErrorReporting: true })

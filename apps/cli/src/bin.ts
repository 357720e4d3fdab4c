#!/usr/bin/env node
/**
 * Entry point: turns on Node's on-disk compile cache before loading the CLI, so that
 * every run after the first skips parsing the bundle (start-up is most of a short command).
 */
import module from "node:module"

module.enableCompileCache?.()
await import("./main.ts")

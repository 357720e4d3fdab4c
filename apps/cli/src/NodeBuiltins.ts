/**
 * `node:http` through `process.getBuiltinModule`, not a static import: an ESM import of it
 * builds a facade over all its exports, which loads Node's bundled undici (~20 ms) on every
 * start, `--help` included. Only the commands that listen pay for it.
 */
import type * as http from "node:http"

export const nodeHttp = (): typeof http => process.getBuiltinModule("node:http")

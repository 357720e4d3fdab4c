import { Flag } from "effect/cli"

export const formatFlag = Flag.Literals("format", ["table", "json", "ndjson", "csv"] as const).pipe(
  Flag.withDescription("Output format (default: table on a terminal, ndjson when piped)"),
  Flag.optional,
)

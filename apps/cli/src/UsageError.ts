import { Schema } from "effect"

/** The command line itself is wrong (exit code 2). */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { message: Schema.String }) {}

import * as Schema from "effect/Schema"

/** The command line itself is wrong (exit code 2). */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { message: Schema.String }) {}

import { Schema } from "effect"

/** A call refused before anything is sent: bad arguments, an unknown operation, a forged cursor. */
export class ToolInputError extends Schema.TaggedError<ToolInputError>()("ToolInputError", {
  message: Schema.String,
}) {}

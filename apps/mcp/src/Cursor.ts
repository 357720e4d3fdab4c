/**
 * Cursors handed to agents between pages. A cursor names where the next page starts
 * (an offset in a stream, or the next request of a paginated operation), bound to the
 * tool and arguments it was made for and signed with this process's key: an agent can
 * only continue what it was given, never steer a request past the policy.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"
import { ToolInputError } from "./ToolInputError.ts"

const key = randomBytes(32)

const sign = (payload: string) => createHmac("sha256", key).update(payload).digest("base64url")

const encode = (bound: unknown, position: unknown): string => {
  const payload = Buffer.from(JSON.stringify({ b: bound, p: position })).toString("base64url")
  return `${payload}.${sign(payload)}`
}

const invalid = new ToolInputError({ message: "cursor is not one this server gave for these arguments" })

const decode = (cursor: unknown, bound: unknown): Effect.Effect<unknown, ToolInputError> => {
  if (cursor === undefined || cursor === null || cursor === "") return Effect.succeed(undefined)
  if (typeof cursor !== "string") return Effect.fail(invalid)
  const [payload, signature] = cursor.split(".")
  if (payload === undefined || signature === undefined) return Effect.fail(invalid)
  const expected = Buffer.from(sign(payload))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return Effect.fail(invalid)
  const parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { b: unknown; p: unknown }
  return JSON.stringify(parsed.b) === JSON.stringify(bound) ? Effect.succeed(parsed.p) : Effect.fail(invalid)
}

export const forOffset = (tool: string, args: unknown, offset: number): string => encode([tool, args], offset)

/** The offset a cursor continues from (0 without a cursor). */
export const offsetOf = (cursor: unknown, tool: string, args: unknown): Effect.Effect<number, ToolInputError> =>
  Effect.map(decode(cursor, [tool, args]), (offset) => (typeof offset === "number" ? offset : 0))

export const forRequest = (operationId: string, input: unknown, request: unknown): string =>
  encode([operationId, input], request)

/** The saved request a cursor continues with (none without a cursor). */
export const requestOf = (
  cursor: unknown,
  operationId: string,
  input: unknown,
): Effect.Effect<unknown, ToolInputError> => decode(cursor, [operationId, input])

/**
 * A builder for Keap REST v2's `filter` query parameter:
 * `field<op>value` conditions (`==`, `>`, `<`, `>=`, `<=`) joined by `;` (AND), a trailing `*`
 * for a case-insensitive prefix match, and comma lists (`ids==1,2,3`).
 *
 * Keap documents no escape character for this syntax, so a value cannot safely carry the
 * characters the syntax itself uses. Rather than guess an escape that Keap may silently
 * misread, `encode` **refuses** such values with a `Validation` error naming the field:
 *
 * - `;` (would start a second, injected condition), `=`, `<`, `>` (operators),
 * - `*` (would turn an equality into a prefix match; use `startsWith` for that),
 * - `,` (would turn one value into a list; use `oneOf` for lists),
 * - control characters (line breaks etc.), and empty values.
 *
 * Field names must look like identifiers (`given_name`, `custom_fields.7`). Dates are sent
 * as full ISO-8601 with milliseconds (`2026-01-01T00:00:00.000Z`), as Keap requires. The
 * result is the raw filter text; the HTTP layer percent-encodes it in the query string.
 */
import type { CrmError } from "@crmkit/core"
import { CrmErrors } from "@crmkit/core"
import { Effect, Result } from "effect"

export type Operator = "==" | ">" | "<" | ">=" | "<="
export type Value = string | number | boolean | Date

export type Condition =
  | { readonly _tag: "Compare"; readonly field: string; readonly operator: Operator; readonly value: Value }
  | { readonly _tag: "StartsWith"; readonly field: string; readonly prefix: string }
  | { readonly _tag: "OneOf"; readonly field: string; readonly values: ReadonlyArray<Value> }

/** Conditions, all of which must hold. */
export interface Filter {
  readonly conditions: ReadonlyArray<Condition>
}

const compare =
  (operator: Operator) =>
  (field: string, value: Value): Filter => ({ conditions: [{ _tag: "Compare", field, operator, value }] })

export const eq = compare("==")
export const gt = compare(">")
export const lt = compare("<")
export const gte = compare(">=")
export const lte = compare("<=")

/** Case-insensitive prefix match (`field==prefix*`) on Keap's wildcard-enabled text fields. */
export const startsWith = (field: string, prefix: string): Filter => ({
  conditions: [{ _tag: "StartsWith", field, prefix }],
})

/** One of several values (`ids==1,2,3`). */
export const oneOf = (field: string, values: ReadonlyArray<Value>): Filter => ({
  conditions: [{ _tag: "OneOf", field, values }],
})

/** All of the filters (`;`). */
export const and = (...filters: ReadonlyArray<Filter>): Filter => ({
  conditions: filters.flatMap((filter) => filter.conditions),
})

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const FORBIDDEN = /[;=<>*,\u0000-\u001f\u007f]/

const describeChar = (char: string): string => {
  if (char === ";") return "';' (it separates conditions)"
  if (char === "=" || char === "<" || char === ">") return `'${char}' (it is part of an operator)`
  if (char === "*") return "'*' (it means prefix match; use startsWith)"
  if (char === ",") return "',' (it separates list values; use oneOf)"
  return `control character U+${char.charCodeAt(0).toString(16).padStart(4, "0")}`
}

const valueText = (field: string, value: Value): Result.Result<string, string> => {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime())
      ? Result.fail(`invalid date for '${field}'`)
      : Result.succeed(value.toISOString())
  }
  if (typeof value === "number" && !Number.isFinite(value)) return Result.fail(`'${field}' must be a finite number`)
  const text = String(value)
  if (text.trim() === "") return Result.fail(`an empty value for '${field}' cannot be filtered on`)
  const bad = FORBIDDEN.exec(text)
  if (bad !== null) {
    return Result.fail(
      `the value for '${field}' contains ${describeChar(bad[0])}; Keap's filter syntax has no escape for it`,
    )
  }
  return Result.succeed(text)
}

const conditionText = (condition: Condition): Result.Result<string, string> => {
  const field = condition.field
  if (!FIELD.test(field)) return Result.fail(`'${field}' is not a filterable field name`)
  switch (condition._tag) {
    case "Compare":
      return Result.map(valueText(field, condition.value), (value) => `${field}${condition.operator}${value}`)
    case "StartsWith":
      return Result.map(valueText(field, condition.prefix), (value) => `${field}==${value}*`)
    case "OneOf": {
      if (condition.values.length === 0) return Result.fail(`oneOf('${field}') needs at least one value`)
      const parts: Array<string> = []
      for (const value of condition.values) {
        const text = valueText(field, value)
        if (Result.isFailure(text)) return text
        parts.push(text.success)
      }
      return Result.succeed(`${field}==${parts.join(",")}`)
    }
  }
}

/** The filter text, or every problem found (one entry per refused field). */
export const encodeResult = (filter: Filter): Result.Result<string, ReadonlyArray<CrmErrors.FieldIssue>> => {
  const texts: Array<string> = []
  const issues: Array<CrmErrors.FieldIssue> = []
  for (const condition of filter.conditions) {
    const text = conditionText(condition)
    if (Result.isFailure(text)) issues.push({ field: `filter.${condition.field}`, message: text.failure })
    else texts.push(text.success)
  }
  if (issues.length > 0) return Result.fail(issues)
  return Result.succeed(texts.join(";"))
}

/** The filter text, or a `Validation` error naming each refused field. */
export const encode = (filter: Filter): Effect.Effect<string, CrmError> => {
  const result = encodeResult(filter)
  return Result.isFailure(result)
    ? Effect.fail(CrmErrors.invalidInput("keap", result.failure))
    : Effect.succeed(result.success)
}

/** `order_by` text: `field asc|desc`. */
export const orderBy = (field: string, direction: "asc" | "desc" = "asc"): Effect.Effect<string, CrmError> =>
  FIELD.test(field)
    ? Effect.succeed(`${field} ${direction}`)
    : Effect.fail(CrmErrors.invalidInput("keap", [{ field: "order_by", message: `'${field}' is not a field name` }]))

const CONDITION = /^([^=<>]+?)(==|>=|<=|>|<)(.*)$/s

/**
 * A condition typed by a user (`given_name==Ann`, `date_created>=2026-01-01T00:00:00.000Z`,
 * `email==ann*` for a prefix, `ids==1,2` for a list), read into the builder so that its value is
 * checked like any other. A value still holding syntax characters is refused by `encode`.
 */
export const parse = (text: string): Result.Result<Filter, CrmErrors.FieldIssue> => {
  const match = CONDITION.exec(text.trim())
  if (match === null) {
    return Result.fail({ field: "filter", message: `'${text}' is not a condition like field==value or field>=value` })
  }
  const [, rawField, operator, value] = match as unknown as [string, string, Operator, string]
  const field = rawField.trim()
  if (operator === "==" && value.endsWith("*") && !value.slice(0, -1).includes("*")) {
    return Result.succeed(startsWith(field, value.slice(0, -1)))
  }
  if (operator === "==" && value.includes(",")) return Result.succeed(oneOf(field, value.split(",")))
  return Result.succeed(compare(operator)(field, value))
}

/** Several typed conditions, all of which must hold; the error names every bad one. */
export const parseAll = (texts: ReadonlyArray<string>): Effect.Effect<Filter, CrmError> => {
  const filters: Array<Filter> = []
  const issues: Array<CrmErrors.FieldIssue> = []
  for (const text of texts) {
    const parsed = parse(text)
    if (Result.isFailure(parsed)) issues.push(parsed.failure)
    else filters.push(parsed.success)
  }
  if (issues.length > 0) return Effect.fail(CrmErrors.invalidInput("keap", issues))
  const filter = and(...filters)
  // Encoded once here so that a bad value is refused before any request is sent.
  return Effect.as(encode(filter), filter)
}

/**
 * The intermediate form of a schema, between JSON Schema and emitted Effect Schema code.
 * `ref` nodes point at named component variants; everything else is inline.
 */
import * as D from "./doc.ts"

export type Mode = "input" | "output"

export type Check =
  | { readonly _tag: "minLength" | "maxLength" | "minItems" | "maxItems"; readonly value: number }
  | { readonly _tag: "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum"; readonly value: number }
  | { readonly _tag: "multipleOf"; readonly value: number }
  | { readonly _tag: "pattern"; readonly value: string }
  | { readonly _tag: "email" }

export interface Field {
  readonly name: string
  readonly optional: boolean
  readonly schema: IR
}

export type IR =
  | { readonly _tag: "unknown" }
  | { readonly _tag: "string"; readonly checks: ReadonlyArray<Check> }
  | { readonly _tag: "number"; readonly int: boolean; readonly checks: ReadonlyArray<Check> }
  | { readonly _tag: "boolean" }
  | { readonly _tag: "null" }
  | { readonly _tag: "literals"; readonly values: ReadonlyArray<string | number | boolean> }
  | { readonly _tag: "array"; readonly item: IR; readonly checks: ReadonlyArray<Check> }
  | { readonly _tag: "struct"; readonly fields: ReadonlyArray<Field>; readonly rest?: IR | undefined }
  | { readonly _tag: "record"; readonly value: IR }
  | { readonly _tag: "union"; readonly members: ReadonlyArray<IR> }
  | { readonly _tag: "nullOr"; readonly inner: IR }
  | { readonly _tag: "ref"; readonly key: string; readonly mode: Mode }

export const unknown: IR = { _tag: "unknown" }

/** The email check used for `format: email`: deliberately simple (something@something.tld). */
export const EMAIL_PATTERN = "^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$"

export const nullOr = (inner: IR): IR =>
  inner._tag === "nullOr" || inner._tag === "unknown" || inner._tag === "null" ? inner : { _tag: "nullOr", inner }

/** Component variants referenced by an IR tree. */
export const refsOf = (ir: IR, into: Array<{ key: string; mode: Mode }> = []): Array<{ key: string; mode: Mode }> => {
  switch (ir._tag) {
    case "ref":
      into.push({ key: ir.key, mode: ir.mode })
      break
    case "array":
      refsOf(ir.item, into)
      break
    case "struct":
      for (const field of ir.fields) refsOf(field.schema, into)
      if (ir.rest !== undefined) refsOf(ir.rest, into)
      break
    case "record":
      refsOf(ir.value, into)
      break
    case "union":
      for (const member of ir.members) refsOf(member, into)
      break
    case "nullOr":
      refsOf(ir.inner, into)
      break
    default:
      break
  }
  return into
}

export interface EmitContext {
  /** The expression naming a component variant (e.g. `Contact`, `S.Contact`, or a suspended reference). */
  readonly ref: (key: string, mode: Mode) => D.Doc
}

const checkDoc = (check: Check): D.Doc => {
  switch (check._tag) {
    case "minLength":
    case "minItems":
      return D.call("Schema.isMinLength", [D.text(String(check.value))])
    case "maxLength":
    case "maxItems":
      return D.call("Schema.isMaxLength", [D.text(String(check.value))])
    case "minimum":
      return D.call("Schema.isGreaterThanOrEqualTo", [D.text(String(check.value))])
    case "maximum":
      return D.call("Schema.isLessThanOrEqualTo", [D.text(String(check.value))])
    case "exclusiveMinimum":
      return D.call("Schema.isGreaterThan", [D.text(String(check.value))])
    case "exclusiveMaximum":
      return D.call("Schema.isLessThan", [D.text(String(check.value))])
    case "multipleOf":
      return D.call("Schema.isMultipleOf", [D.text(String(check.value))])
    case "pattern":
      return D.call("Schema.isPattern", [D.call("new RegExp", [D.text(JSON.stringify(check.value))])])
    case "email":
      return D.call("Schema.isPattern", [
        D.text(`/${EMAIL_PATTERN}/`),
        D.object([["expected", D.text(JSON.stringify("an email address"))]]),
      ])
  }
}

const withChecks = (base: D.Doc, checks: ReadonlyArray<Check>): D.Doc =>
  checks.length === 0 ? base : D.concat(base, D.call(".check", checks.map(checkDoc)))

/** Effect Schema code for an IR tree. */
export const emit = (ir: IR, context: EmitContext): D.Doc => {
  switch (ir._tag) {
    case "unknown":
      return D.text("Schema.Unknown")
    case "string":
      return withChecks(D.text("Schema.String"), ir.checks)
    case "number":
      return withChecks(D.text(ir.int ? "Schema.Int" : "Schema.Number"), ir.checks)
    case "boolean":
      return D.text("Schema.Boolean")
    case "null":
      return D.text("Schema.Null")
    case "literals":
      return ir.values.length === 1
        ? D.call("Schema.Literal", [D.literal(ir.values[0])])
        : D.call("Schema.Literals", [D.array(ir.values.map(D.literal))])
    case "array":
      return withChecks(D.call("Schema.Array", [emit(ir.item, context)]), ir.checks)
    case "struct": {
      const struct = D.call("Schema.Struct", [
        D.object(
          ir.fields.map((field) => {
            const value = emit(field.schema, context)
            return [D.propertyKey(field.name), field.optional ? D.call("Schema.optionalKey", [value]) : value] as const
          }),
        ),
      ])
      if (ir.rest === undefined) return struct
      return D.call("Schema.StructWithRest", [
        struct,
        D.array([D.call("Schema.Record", [D.text("Schema.String"), emit(ir.rest, context)])]),
      ])
    }
    case "record":
      return D.call("Schema.Record", [D.text("Schema.String"), emit(ir.value, context)])
    case "union":
      return D.call("Schema.Union", [D.array(ir.members.map((member) => emit(member, context)))])
    case "nullOr":
      return D.call("Schema.NullOr", [emit(ir.inner, context)])
    case "ref":
      return context.ref(ir.key, ir.mode)
  }
}

/** The TypeScript type of an IR tree (used to annotate recursive schemas). */
export const typeOf = (ir: IR, refType: (key: string, mode: Mode) => string): string => {
  switch (ir._tag) {
    case "unknown":
      return "unknown"
    case "string":
      return "string"
    case "number":
      return "number"
    case "boolean":
      return "boolean"
    case "null":
      return "null"
    case "literals":
      return ir.values.map((value) => JSON.stringify(value)).join(" | ")
    case "array": {
      return `ReadonlyArray<${typeOf(ir.item, refType)}>`
    }
    case "struct": {
      const fields = ir.fields.map(
        (field) =>
          `readonly ${D.propertyKey(field.name)}${field.optional ? "?" : ""}: ${typeOf(field.schema, refType)}`,
      )
      if (ir.rest !== undefined) fields.push(`readonly [x: string]: ${typeOf(ir.rest, refType)}`)
      return fields.length === 0 ? "{}" : `{ ${fields.join("; ")} }`
    }
    case "record":
      return `{ readonly [x: string]: ${typeOf(ir.value, refType)} }`
    case "union":
      return ir.members.map((member) => typeOf(member, refType)).join(" | ")
    case "nullOr":
      return `${typeOf(ir.inner, refType)} | null`
    case "ref":
      return refType(ir.key, ir.mode)
  }
}

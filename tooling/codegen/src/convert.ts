/**
 * JSON Schema (OpenAPI 3.0 / 3.1 dialects) → IR, in one of two modes:
 *
 * - `input`: strict and useful for validation: required vs optional, enums, integers,
 *   length/range/pattern checks, `format: email`; objects are closed unless the spec
 *   says `additionalProperties`.
 * - `output`: lenient, because response specs are often wrong or silent: every property
 *   optional and nullable, unknown properties preserved (a `Record(String, Unknown)` rest),
 *   enums widened to their base type, no checks.
 *
 * In both modes an object schema that declares no properties and says nothing about
 * `additionalProperties` is not checked at all (the specs use a bare `type: object` for
 * values whose type their generator could not see); `additionalProperties: true` gives a
 * free-form object, a schema gives a record. `format: binary` is unknown (file uploads).
 *
 * References to `#/components/schemas/*` stay references (named exports); other
 * references are inlined.
 */
import * as IR from "./ir.ts"
import { type Loaded, type Target, targetKey, targetOf } from "./load.ts"

type Json = any

export interface Warning {
  readonly where: string
  readonly message: string
}

export interface ComponentIndex {
  /** The canonical key of a component (identical components of several files share one). */
  readonly canonical: (key: string) => string | undefined
}

const COMPONENT_POINTER = /^\/components\/schemas\/[^/]+$/

const isObject = (value: unknown): value is Record<string, Json> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/** A schema together with the file its `$ref`s are relative to. */
export interface Located {
  readonly schema: Json
  readonly file: string
}

export interface ObjectShape {
  readonly properties: Array<[string, Located]>
  readonly required: Set<string>
  /** `true`, a schema, or undefined when the spec does not say. */
  additional: true | Located | undefined
  closed: boolean
}

export class Converter {
  readonly used = new Map<string, Set<IR.Mode>>()
  readonly warnings: Array<Warning> = []
  private readonly inlineStack: Array<string> = []
  private readonly loaded: Loaded
  private readonly components: ComponentIndex

  constructor(loaded: Loaded, components: ComponentIndex) {
    this.loaded = loaded
    this.components = components
  }

  private use(key: string, mode: IR.Mode): void {
    let modes = this.used.get(key)
    if (modes === undefined) {
      modes = new Set()
      this.used.set(key, modes)
    }
    modes.add(mode)
  }

  deref(located: Located): Located {
    let current = located
    const seen = new Set<string>()
    while (isObject(current.schema) && typeof current.schema.$ref === "string") {
      const target = targetOf(current.schema.$ref, current.file)
      const key = targetKey(target)
      if (seen.has(key)) return { schema: {}, file: current.file }
      seen.add(key)
      current = { schema: this.loaded.get(target), file: target.file }
    }
    return current
  }

  /** Converts a schema located in `file`. */
  convert(schema: Json, file: string, mode: IR.Mode, where: string): IR.IR {
    if (schema === true || schema === undefined || schema === null) return IR.unknown
    if (schema === false) return { _tag: "literals", values: [] }
    if (!isObject(schema)) return IR.unknown
    if (typeof schema.$ref === "string") return this.reference(schema, file, mode, where)
    const nullable = schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes("null"))
    const ir = this.convertInner(schema, file, mode, where)
    return nullable ? IR.nullOr(ir) : ir
  }

  private reference(schema: Json, file: string, mode: IR.Mode, where: string): IR.IR {
    const target: Target = targetOf(schema.$ref, file)
    const key = targetKey(target)
    // OpenAPI 3.1 allows `nullable`-like siblings via `type: [..., "null"]` only; 3.0 ignores siblings.
    if (COMPONENT_POINTER.test(target.pointer)) {
      const canonical = this.components.canonical(key)
      if (canonical !== undefined) {
        this.use(canonical, mode)
        const ref: IR.IR = { _tag: "ref", key: canonical, mode }
        return schema.nullable === true ? IR.nullOr(ref) : ref
      }
    }
    if (this.inlineStack.includes(key)) {
      this.warnings.push({ where, message: `recursive non-component $ref ${schema.$ref} treated as unknown` })
      return IR.unknown
    }
    this.inlineStack.push(key)
    try {
      return this.convert(this.loaded.get(target), target.file, mode, where)
    } finally {
      this.inlineStack.pop()
    }
  }

  private convertInner(schema: Json, file: string, mode: IR.Mode, where: string): IR.IR {
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return this.allOf(schema, file, mode, where)
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const members = schema[keyword]
      if (Array.isArray(members) && members.length > 0) {
        const converted = members.map((member: Json) => this.convert(member, file, mode, where))
        const unique = dedupe(converted)
        const union: IR.IR = unique.length === 1 ? unique[0]! : { _tag: "union", members: unique }
        return union
      }
    }
    if (schema.const !== undefined && isPrimitive(schema.const)) return this.enumeration([schema.const], mode)
    if (Array.isArray(schema.enum) && schema.enum.length > 0) {
      if (schema.enum.every(isPrimitive)) return this.enumeration(schema.enum, mode)
      this.warnings.push({ where, message: "enum with non-primitive values ignored" })
    }
    const types: Array<string> = Array.isArray(schema.type)
      ? schema.type.filter((type: string) => type !== "null")
      : typeof schema.type === "string"
        ? [schema.type]
        : []
    if (types.length === 0) {
      if (isObject(schema.properties) || schema.additionalProperties !== undefined) {
        return this.object(schema, file, mode, where)
      }
      if (schema.items !== undefined) return this.array(schema, file, mode, where)
      return IR.unknown
    }
    const members = types.map((type) => this.typed(type, schema, file, mode, where))
    return members.length === 1 ? members[0]! : { _tag: "union", members: members }
  }

  private typed(type: string, schema: Json, file: string, mode: IR.Mode, where: string): IR.IR {
    switch (type) {
      case "string": {
        if (schema.format === "binary") return IR.unknown
        return { _tag: "string", checks: mode === "input" ? stringChecks(schema, where, this.warnings) : [] }
      }
      case "integer":
        return mode === "input"
          ? { _tag: "number", int: true, checks: numberChecks(schema) }
          : { _tag: "number", int: false, checks: [] }
      case "number":
        return { _tag: "number", int: false, checks: mode === "input" ? numberChecks(schema) : [] }
      case "boolean":
        return { _tag: "boolean" }
      case "null":
        return { _tag: "null" }
      case "array":
        return this.array(schema, file, mode, where)
      case "object":
        return this.object(schema, file, mode, where)
      default:
        this.warnings.push({ where, message: `unknown type ${JSON.stringify(type)} treated as unknown` })
        return IR.unknown
    }
  }

  private enumeration(values: ReadonlyArray<unknown>, mode: IR.Mode): IR.IR {
    const literals = values.filter(
      (value): value is string | number | boolean =>
        typeof value === "string" || typeof value === "number" || typeof value === "boolean",
    )
    const hasNull = values.includes(null)
    let ir: IR.IR
    if (mode === "output") {
      // Providers add enum values without notice: outputs keep the base type only.
      const kinds = new Set(literals.map((value) => typeof value))
      const members: Array<IR.IR> = [...kinds]
        .sort()
        .map((kind) =>
          kind === "string"
            ? { _tag: "string", checks: [] }
            : kind === "number"
              ? { _tag: "number", int: false, checks: [] }
              : { _tag: "boolean" },
        )
      ir = members.length === 0 ? IR.unknown : members.length === 1 ? members[0]! : { _tag: "union", members }
    } else {
      ir = literals.length === 0 ? { _tag: "null" } : { _tag: "literals", values: [...new Set(literals)] }
    }
    return hasNull ? IR.nullOr(ir) : ir
  }

  private array(schema: Json, file: string, mode: IR.Mode, where: string): IR.IR {
    const item = schema.items === undefined ? IR.unknown : this.convert(schema.items, file, mode, `${where}[]`)
    const checks: Array<IR.Check> = []
    if (mode === "input") {
      if (typeof schema.minItems === "number" && schema.minItems > 0) {
        checks.push({ _tag: "minItems", value: schema.minItems })
      }
      if (typeof schema.maxItems === "number") checks.push({ _tag: "maxItems", value: schema.maxItems })
    }
    return { _tag: "array", item, checks }
  }

  /** Collects properties of an object schema, flattening `allOf` members (through `$ref`s). */
  private shape(located: Located, into: ObjectShape, depth = 0): void {
    const { schema, file } = this.deref(located)
    if (!isObject(schema) || depth > 32) return
    if (Array.isArray(schema.allOf)) {
      for (const member of schema.allOf) this.shape({ schema: member, file }, into, depth + 1)
    }
    if (isObject(schema.properties)) {
      for (const [name, property] of Object.entries(schema.properties)) {
        const existing = into.properties.findIndex(([known]) => known === name)
        if (existing === -1) into.properties.push([name, { schema: property, file }])
        else into.properties[existing] = [name, { schema: property, file }]
      }
    }
    if (Array.isArray(schema.required)) for (const name of schema.required) into.required.add(name)
    if (schema.additionalProperties === false) into.closed = true
    else if (schema.additionalProperties === true || isObject(schema.additionalProperties)) {
      const additional = schema.additionalProperties
      into.additional =
        additional === true || Object.keys(additional).length === 0 ? true : { schema: additional, file }
    }
  }

  private allOf(schema: Json, file: string, mode: IR.Mode, where: string): IR.IR {
    const members: ReadonlyArray<Json> = schema.allOf
    const own = Object.keys(schema).filter(
      (key) =>
        !["allOf", "description", "example", "examples", "nullable", "default", "title", "readOnly"].includes(key),
    )
    if (members.length === 1 && own.length === 0) return this.convert(members[0], file, mode, where)
    const resolved = members.map((member) => this.deref({ schema: member, file }).schema)
    const objectLike = resolved.every(
      (member) =>
        isObject(member) &&
        (member.type === "object" ||
          isObject(member.properties) ||
          Array.isArray(member.allOf) ||
          member.type === undefined),
    )
    if (!objectLike) {
      this.warnings.push({ where, message: "allOf of non-object members: using the first member" })
      return this.convert(members[0], file, mode, where)
    }
    return this.objectFromShape(this.collect({ schema, file }), mode, where)
  }

  /** The properties of an object schema (through `$ref`s and `allOf`), for pagination detection. */
  collect(located: Located): ObjectShape {
    const shape: ObjectShape = { properties: [], required: new Set(), additional: undefined, closed: false }
    this.shape(located, shape)
    return shape
  }

  private object(schema: Json, file: string, mode: IR.Mode, where: string): IR.IR {
    return this.objectFromShape(this.collect({ schema, file }), mode, where)
  }

  private objectFromShape(shape: ObjectShape, mode: IR.Mode, where: string): IR.IR {
    if (shape.properties.length === 0) {
      if (shape.closed) return { _tag: "struct", fields: [] }
      if (shape.additional === true) return { _tag: "record", value: IR.unknown }
      if (shape.additional !== undefined) {
        return {
          _tag: "record",
          value: this.convert(shape.additional.schema, shape.additional.file, mode, `${where}{}`),
        }
      }
      // Nothing declared. Generated specs say `type: object` both for free-form objects and for
      // fields whose real type the spec generator could not see (strings, enums, unions), so the
      // value is not checked at all; a patch should give the real shape.
      if (mode === "input") {
        this.warnings.push({ where, message: "object without declared properties: accepted as any value" })
      }
      return IR.unknown
    }
    const fields: Array<IR.Field> = shape.properties.map(([name, located]) => {
      const property = this.convert(located.schema, located.file, mode, `${where}.${name}`)
      if (mode === "output") return { name, optional: true, schema: IR.nullOr(property) }
      const readOnly = isObject(located.schema) && located.schema.readOnly === true
      return { name, optional: !shape.required.has(name) || readOnly, schema: property }
    })
    let rest: IR.IR | undefined
    if (mode === "output") rest = IR.unknown
    else if (shape.additional === true) rest = IR.unknown
    else if (shape.additional !== undefined) {
      // Index signatures also apply to declared keys, so a typed rest would have to accept every
      // declared field too: keep it unknown and let the declared fields carry the types.
      rest = IR.unknown
    }
    return { _tag: "struct", fields, rest }
  }
}

const isPrimitive = (value: unknown): boolean =>
  value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean"

const stringChecks = (schema: Json, where: string, warnings: Array<Warning>): Array<IR.Check> => {
  const checks: Array<IR.Check> = []
  if (typeof schema.minLength === "number" && schema.minLength > 0) {
    checks.push({ _tag: "minLength", value: schema.minLength })
  }
  if (typeof schema.maxLength === "number") checks.push({ _tag: "maxLength", value: schema.maxLength })
  if (typeof schema.pattern === "string") {
    try {
      new RegExp(schema.pattern)
      checks.push({ _tag: "pattern", value: schema.pattern })
    } catch {
      warnings.push({ where, message: `invalid pattern ${JSON.stringify(schema.pattern)} dropped` })
    }
  }
  if (schema.format === "email") checks.push({ _tag: "email" })
  return checks
}

const numberChecks = (schema: Json): Array<IR.Check> => {
  const checks: Array<IR.Check> = []
  // OpenAPI 3.0: boolean exclusiveMinimum/Maximum modify minimum/maximum; 3.1: numbers.
  if (typeof schema.minimum === "number") {
    checks.push({ _tag: schema.exclusiveMinimum === true ? "exclusiveMinimum" : "minimum", value: schema.minimum })
  }
  if (typeof schema.exclusiveMinimum === "number")
    checks.push({ _tag: "exclusiveMinimum", value: schema.exclusiveMinimum })
  if (typeof schema.maximum === "number") {
    checks.push({ _tag: schema.exclusiveMaximum === true ? "exclusiveMaximum" : "maximum", value: schema.maximum })
  }
  if (typeof schema.exclusiveMaximum === "number")
    checks.push({ _tag: "exclusiveMaximum", value: schema.exclusiveMaximum })
  if (typeof schema.multipleOf === "number" && schema.multipleOf > 0) {
    checks.push({ _tag: "multipleOf", value: schema.multipleOf })
  }
  return checks
}

const dedupe = (members: ReadonlyArray<IR.IR>): Array<IR.IR> => {
  const seen = new Set<string>()
  const out: Array<IR.IR> = []
  for (const member of members) {
    const key = JSON.stringify(member)
    if (seen.has(key)) continue
    seen.add(key)
    out.push(member)
  }
  return out
}

import { Schema, SchemaIssue, Effect, Exit } from "effect"
const email = Schema.String.check(Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { expected: "an email address" }))
const Input = Schema.Struct({
  id: Schema.String,
  n: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1), Schema.isLessThanOrEqualTo(10))),
  body: Schema.Struct({ email, tags: Schema.optionalKey(Schema.Array(Schema.String).check(Schema.isMaxLength(2))), kind: Schema.Literals(["A", "B"]) }),
  free: Schema.optionalKey(Schema.StructWithRest(Schema.Struct({ a: Schema.String }), [Schema.Record(Schema.String, Schema.Unknown)])),
})
const fmt = SchemaIssue.makeFormatterStandardSchemaV1()
const run = (s: any, v: unknown, o: any) => {
  const r = Schema.decodeUnknownExit(s)(v, o)
  if (Exit.isSuccess(r)) console.log("OK", JSON.stringify(r.value))
  else { const e: any = (r.cause as any).reasons?.[0]?.error ?? r.cause; console.log("ERR", JSON.stringify(fmt(e.issue).issues)) }
}
const opts = { errors: "all", onExcessProperty: "error" }
run(Input, { id: "x", body: { email: "a@b.co", kind: "A" } }, opts)
run(Input, { body: { email: "nope", kind: "C", extra: 1 }, n: 0, zz: 1, free: { a: "x", b: 2 } }, opts)
const Out = Schema.StructWithRest(Schema.Struct({ a: Schema.optionalKey(Schema.NullOr(Schema.String)), nested: Schema.optionalKey(Schema.NullOr(Schema.StructWithRest(Schema.Struct({ x: Schema.optionalKey(Schema.Number) }), [Schema.Record(Schema.String, Schema.Unknown)]))) }), [Schema.Record(Schema.String, Schema.Unknown)])
run(Out, { a: null, b: 1, nested: { x: 1, y: [1] } }, {})
run(Out, { a: null, b: 1, nested: { x: 1, y: [1] } }, opts)
type T = typeof Out.Type
const x: T = { a: "s", q: 1 }
console.log(x)

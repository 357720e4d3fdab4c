import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import * as KeapFilter from "../src/KeapFilter.ts"

const encode = (filter: KeapFilter.Filter) => KeapFilter.encodeResult(filter)
const text = (filter: KeapFilter.Filter) => {
  const result = encode(filter)
  if (Result.isFailure(result)) throw new Error(JSON.stringify(result.failure))
  return result.success
}
const issues = (filter: KeapFilter.Filter) => {
  const result = encode(filter)
  if (Result.isSuccess(result)) throw new Error(`expected a refusal, got ${result.success}`)
  return result.failure
}

describe("KeapFilter", () => {
  it("encodes every operator, AND, prefix match and lists", () => {
    expect(
      text(
        KeapFilter.and(
          KeapFilter.eq("email", "ann@example.com"),
          KeapFilter.gt("score", 5),
          KeapFilter.lt("score", 10),
          KeapFilter.gte("update_time", new Date(Date.UTC(2026, 0, 1))),
          KeapFilter.lte("owner_id", 7),
          KeapFilter.startsWith("given_name", "An"),
          KeapFilter.oneOf("ids", [1, 2, 3]),
          KeapFilter.eq("custom_fields.7", true),
        ),
      ),
    ).toBe(
      "email==ann@example.com;score>5;score<10;update_time>=2026-01-01T00:00:00.000Z;owner_id<=7;given_name==An*;ids==1,2,3;custom_fields.7==true",
    )
    expect(text(KeapFilter.and())).toBe("")
  })

  it("refuses a value that would inject a second condition, naming the field", () => {
    expect(issues(KeapFilter.eq("given_name", "Ann;email==victim@example.com"))).toEqual([
      { field: "filter.given_name", message: expect.stringContaining("';' (it separates conditions)") },
    ])
    expect(issues(KeapFilter.eq("family_name", "x==y"))[0]?.message).toContain("'=' (it is part of an operator)")
    expect(issues(KeapFilter.eq("family_name", "a>b"))[0]?.message).toContain("'>'")
    expect(issues(KeapFilter.eq("family_name", "a<b"))[0]?.message).toContain("'<'")
    expect(issues(KeapFilter.startsWith("given_name", "A;id>0"))[0]?.field).toBe("filter.given_name")
    expect(issues(KeapFilter.oneOf("ids", ["1", "2;email==x"]))[0]?.field).toBe("filter.ids")
  })

  it("refuses wildcards, list separators, control characters and empty values", () => {
    expect(issues(KeapFilter.eq("given_name", "A*"))[0]?.message).toContain("use startsWith")
    expect(issues(KeapFilter.eq("email", "a@x.com,b@x.com"))[0]?.message).toContain("use oneOf")
    expect(issues(KeapFilter.eq("given_name", "Ann\nBob"))[0]?.message).toContain("U+000a")
    expect(issues(KeapFilter.eq("given_name", "  "))[0]?.message).toContain("empty value")
    expect(issues(KeapFilter.oneOf("ids", []))[0]?.message).toContain("at least one")
    expect(issues(KeapFilter.gt("score", Number.NaN))[0]?.message).toContain("finite")
    expect(issues(KeapFilter.gt("update_time", new Date("nope")))[0]?.message).toContain("invalid date")
  })

  it("refuses field names that are not identifiers, and reports every bad field", () => {
    expect(issues(KeapFilter.eq("email==x;id", "1"))[0]?.message).toContain("not a filterable field name")
    expect(
      issues(KeapFilter.and(KeapFilter.eq("a", "1;2"), KeapFilter.eq("ok", "fine"), KeapFilter.eq("b", "="))).map(
        (issue) => issue.field,
      ),
    ).toEqual(["filter.a", "filter.b"])
  })

  it("fails with a Validation CrmError from encode", async () => {
    const error = await Effect.runPromise(Effect.flip(KeapFilter.encode(KeapFilter.eq("email", "a;b"))))
    expect(error.reason._tag).toBe("Validation")
    expect(error.message).toContain("filter.email")
    expect(await Effect.runPromise(KeapFilter.orderBy("email", "desc"))).toBe("email desc")
    const order = await Effect.runPromise(Effect.flip(KeapFilter.orderBy("email desc;x", "asc")))
    expect(order.reason._tag === "Validation" && order.reason.fields[0]?.field).toBe("order_by")
  })
})

describe("KeapFilter.parse (conditions typed by users)", () => {
  const encoded = (texts: ReadonlyArray<string>) =>
    Effect.runPromise(Effect.flatMap(KeapFilter.parseAll(texts), KeapFilter.encode))

  it("reads comparisons, prefixes and lists into the builder", async () => {
    expect(await encoded(["given_name==Ann", "date_created>=2026-01-01T00:00:00.000Z"])).toBe(
      "given_name==Ann;date_created>=2026-01-01T00:00:00.000Z",
    )
    expect(await encoded(["email==ann*"])).toBe("email==ann*")
    expect(await encoded(["ids==1,2,3"])).toBe("ids==1,2,3")
  })

  it("refuses a condition without an operator and a value that injects a second condition", async () => {
    const failure = await Effect.runPromise(Effect.flip(KeapFilter.parseAll(["given_name", "x==a;owner_id==1"])))
    const messages = failure.reason._tag === "Validation" ? failure.reason.fields.map((f) => f.message) : []
    expect(messages[0]).toMatch(/'given_name' is not a condition/)
    const injected = await Effect.runPromise(Effect.flip(KeapFilter.parseAll(["x==a;owner_id==1"])))
    expect(injected.reason._tag === "Validation" && injected.reason.fields[0]?.message).toMatch(/';'/)
    expect(Result.isFailure(KeapFilter.parse(""))).toBe(true)
  })
})

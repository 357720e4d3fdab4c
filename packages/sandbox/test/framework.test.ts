import { describe, expect, it } from "vitest"
import { describeWindow, FixedWindowCounter, Router, SandboxClock, slice, VirtualCollection } from "../src/index.ts"

describe("Router", () => {
  const router = new Router<string>()
    .add("GET", "/contacts/:id", "get")
    .add("POST", "/contacts/search", "search")
    .add("GET", "/contacts/", "list")

  it("matches params, prefers literal segments and ignores trailing slashes", () => {
    expect(router.match("GET", "/contacts/abc%20d")).toMatchObject({
      kind: "match",
      route: "get",
      params: { id: "abc d" },
    })
    expect(router.match("POST", "/contacts/search")).toMatchObject({ kind: "match", route: "search" })
    expect(router.match("GET", "/contacts")).toMatchObject({ kind: "match", route: "list", pattern: "/contacts/" })
  })

  it("tells 405 from 404", () => {
    expect(router.match("DELETE", "/contacts/search")).toEqual({ kind: "method_not_allowed", allowed: ["GET", "POST"] })
    expect(router.match("GET", "/nope")).toEqual({ kind: "not_found" })
  })
})

describe("VirtualCollection", () => {
  const make = () => new VirtualCollection<{ n: number }>({ seededCount: 10, generate: (i) => ({ n: i }) })

  it("generates seeded records on demand and keeps changes in an overlay", () => {
    const c = make()
    expect(c.size).toBe(10)
    expect(c.get(3)).toEqual({ n: 3 })
    c.update(3, { n: 300 })
    expect(c.get(3)).toEqual({ n: 300 })
    const { index } = c.insert(() => ({ n: 99 }))
    expect(index).toBe(10)
    expect(c.size).toBe(11)
  })

  it("maps list positions around deleted records", () => {
    const c = make()
    c.delete(2)
    c.delete(5)
    c.delete(6)
    expect(c.get(5)).toBeUndefined()
    expect(slice(c.all(), 0, 20)).toEqual([0, 1, 3, 4, 7, 8, 9])
    expect(slice(c.all(), 3, 2)).toEqual([4, 7])
  })

  it("filters and sorts once per version, then serves pages from the cache", () => {
    const c = make()
    let calls = 0
    const query = {
      cacheKey: "odd",
      where: (r: { n: number }) => {
        calls++
        return r.n % 2 === 1
      },
      orderBy: [{ value: (r: { n: number }) => r.n, direction: "desc" as const }],
    }
    expect(slice(c.query(query), 0, 10)).toEqual([9, 7, 5, 3, 1])
    c.query(query)
    expect(calls).toBe(10)
    c.update(0, { n: 11 })
    expect(slice(c.query(query), 0, 2)).toEqual([0, 9])
    expect(calls).toBe(20)
  })
})

describe("FixedWindowCounter", () => {
  it("counts several windows and refuses without consuming", () => {
    const clock = new SandboxClock()
    clock.freeze(Date.UTC(2030, 0, 1))
    const counter = new FixedWindowCounter(clock)
    const windows = [
      { limit: 2, windowMs: 1000 },
      { limit: 3, windowMs: 60_000 },
    ]
    expect(counter.hit("k", windows, true).allowed).toBe(true)
    expect(counter.hit("k", windows, true).allowed).toBe(true)
    const refused = counter.hit("k", windows, true)
    expect(refused.allowed).toBe(false)
    expect(refused.blockedBy?.window.windowMs).toBe(1000)
    expect(refused.usages.map((u) => u.used)).toEqual([2, 2])
    clock.advance(1000)
    expect(counter.hit("k", windows, true).allowed).toBe(true)
    expect(counter.hit("k", windows, true).blockedBy?.window.windowMs).toBe(60_000)
    expect(counter.hit("other", windows, true).allowed).toBe(true)
  })

  it("describes windows as Keap-style time units", () => {
    expect(describeWindow(1000)).toEqual({ timeUnit: "second", interval: 1 })
    expect(describeWindow(60_000)).toEqual({ timeUnit: "minute", interval: 1 })
    expect(describeWindow(86_400_000)).toEqual({ timeUnit: "day", interval: 1 })
    expect(describeWindow(10_000)).toEqual({ timeUnit: "second", interval: 10 })
    expect(describeWindow(250)).toEqual({ timeUnit: "millisecond", interval: 250 })
  })
})

describe("SandboxClock", () => {
  it("advances, freezes and resumes", () => {
    const clock = new SandboxClock()
    clock.advance(5000)
    expect(clock.now() - Date.now()).toBeGreaterThanOrEqual(4990)
    clock.freeze(1_000)
    clock.advance(500)
    expect(clock.now()).toBe(1_500)
    clock.resume()
    expect(clock.frozen).toBe(false)
    expect(Math.abs(clock.now() - 1_500)).toBeLessThan(100)
    clock.reset()
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(50)
  })
})

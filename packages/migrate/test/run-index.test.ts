/**
 * The run's working index on disk: look-ups by key in the order records were added, who holds
 * what, planned creates and their real ids, companies renamed in place once written, the
 * target's opportunities by contact, links grouped by parent and paged; and its temporary
 * directory, gone when the work ends however it ends.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import type { Records } from "@crmkit/core"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { companyHash } from "../src/Model.ts"
import { RunIndex, use } from "../src/RunIndex.ts"

const contact = (id: string, extra: Partial<Records.Contact> = {}): Records.Contact => ({
  id,
  emails: [],
  phones: [],
  addresses: [],
  tags: [],
  customFields: {},
  ...extra,
})

const opened: Array<RunIndex> = []
const open = () => {
  const index = new RunIndex()
  opened.push(index)
  return index
}
afterEach(() => {
  for (const index of opened.splice(0)) index.close()
})

describe("RunIndex", () => {
  it("finds target contacts by email, phone and source marker, in the order they were added, and reads them back", () => {
    const index = open()
    const ann = contact("t1", {
      givenName: "Ann",
      emails: ["ann@example.org", "a@example.org"],
      phones: ["+15550001"],
      customFields: { size: 42, vip: true, none: null },
      optIn: { email: true },
    })
    index.addContacts([ann, contact("t2", { emails: ["ann@example.org", "ann@example.org"], sourceId: "m:7" })])
    index.addPlannedContact("planned:9", contact("9", { emails: ["ann@example.org"], phones: ["+15550009"] }))
    expect(index.contactsBy("email", "ann@example.org")).toEqual(["t1", "t2", "planned:9"])
    expect(index.contactsBy("email", "a@example.org")).toEqual(["t1"])
    expect(index.contactsBy("phone", "+15550009")).toEqual(["planned:9"])
    expect(index.contactsBy("source", "m:7")).toEqual(["t2"])
    expect(index.contactsBy("email", "nobody@example.org")).toEqual([])
    expect(index.contact("t1")).toEqual(ann)
    expect(index.has("contact", "t2")).toBe(true)
    // A planned create is found by its keys; its record is not kept.
    expect(index.contact("planned:9")).toBeUndefined()
    expect(index.has("contact", "planned:9")).toBe(false)
    expect(index.has("company", "t1")).toBe(false)
  })

  it("tells who holds a target record, per entity, the last claim winning", () => {
    const index = open()
    expect(index.holder("contact", "t1")).toBeUndefined()
    index.claim("contact", "t1", "s1")
    index.addClaims("note", [
      { entity: "note", sourceId: "n1", targetId: "tn1", sourceHash: "", targetHash: "", merged: false },
    ])
    expect(index.holder("contact", "t1")).toBe("s1")
    expect(index.holder("note", "t1")).toBeUndefined()
    expect(index.holder("note", "tn1")).toBe("n1")
    index.claim("contact", "t1", "s2")
    expect(index.holder("contact", "t1")).toBe("s2")
  })

  it("keeps where each source record went, what this run created, and a planned create's real id", () => {
    const index = open()
    index.setTarget("contact", "s1", "planned:s1")
    index.markCreated("planned:s1")
    expect(index.targetOf("contact", "s1")).toBe("planned:s1")
    expect(index.targetOf("company", "s1")).toBeUndefined()
    expect(index.realIdOf("planned:s1")).toBeUndefined()
    index.setRealId("planned:s1", "t9")
    index.markCreated("t9")
    index.setTarget("contact", "s1", "t9")
    expect(index.realIdOf("planned:s1")).toBe("t9")
    expect(index.targetOf("contact", "s1")).toBe("t9")
    expect(index.createdThisRun("planned:s1")).toBe(true)
    expect(index.createdThisRun("t9")).toBe(true)
    expect(index.createdThisRun("t1")).toBe(false)
  })

  it("finds companies by name (case and spacing ignored) and renames a planned one in place once written", () => {
    const index = open()
    index.addCompanies([
      { id: "c1", name: "Acme  Ltd" },
      { id: "c2", name: "Other" },
    ])
    index.addCompanies([{ id: "planned:company:k1", name: "acme ltd" }])
    index.claim("company", "planned:company:k1", "k1")
    index.setTarget("company", "k1", "planned:company:k1")
    index.setTarget("company", "k2", "planned:company:k1")
    index.addCompanies([{ id: "c3", name: "ACME LTD" }])
    expect(index.companiesNamed(" Acme Ltd ")).toEqual(["c1", "planned:company:k1", "c3"])
    index.replaceCompany("planned:company:k1", { id: "c9", name: "acme ltd", website: "acme.example" })
    expect(index.companiesNamed("acme ltd")).toEqual(["c1", "c9", "c3"])
    expect(index.company("c9")).toEqual({ id: "c9", name: "acme ltd", website: "acme.example" })
    expect(index.has("company", "planned:company:k1")).toBe(false)
    expect(index.holder("company", "c9")).toBe("k1")
    expect(index.holder("company", "planned:company:k1")).toBeUndefined()
    expect([index.targetOf("company", "k1"), index.targetOf("company", "k2")]).toEqual(["c9", "c9"])
  })

  it("tells whether a target company with a given content is held by no source company", () => {
    const index = open()
    index.addCompanies([
      { id: "c1", name: "Acme" },
      { id: "c2", name: "Acme" },
    ])
    const acme = companyHash({ id: "any", name: "Acme" })
    expect(index.hasUnclaimedCompany(companyHash({ id: "any", name: "Other" }))).toBe(false)
    expect(index.hasUnclaimedCompany(acme)).toBe(true)
    index.claim("company", "c1", "k1")
    expect(index.hasUnclaimedCompany(acme)).toBe(true)
    index.claim("company", "c2", "k2")
    expect(index.hasUnclaimedCompany(acme)).toBe(false)
  })

  it("keeps the target's opportunities by contact, in the order listed", () => {
    const index = open()
    const deal = (id: string, contactId: string, name: string): Records.Opportunity => ({
      id,
      contactId,
      name,
      status: "open",
      pipeline: "Sales",
      stage: "New",
      value: 100,
    })
    expect(index.opportunitiesLoaded).toBe(false)
    index.addOpportunities([deal("o2", "p1", "B"), deal("o1", "p2", "A")])
    index.addOpportunities([deal("o3", "p1", "A")])
    index.opportunitiesDone()
    expect(index.opportunitiesLoaded).toBe(true)
    expect(index.opportunitiesOf("p1").map((o) => o.id)).toEqual(["o2", "o3"])
    expect(index.opportunitiesOf("p3")).toEqual([])
    expect(index.opportunity("o1")).toEqual(deal("o1", "p2", "A"))
    expect(index.opportunity("o9")).toBeUndefined()
  })

  it("groups links under their parent and pages the parents in code-point order", () => {
    const index = open()
    const link = (id: string) => ({ sourceId: id, targetId: `t-${id}`, targetHash: `h-${id}` })
    for (const [parent, id] of [
      ["b", "1"],
      ["a", "2"],
      ["B", "3"],
      ["b", "4"],
      ["?", "5"],
    ] as const)
      index.group("note", parent, link(id))
    index.group("task", "z", link("6"))
    expect(index.groupParents("note", undefined, 2)).toEqual(["?", "B"])
    expect(index.groupParents("note", "B", 2)).toEqual(["a", "b"])
    expect(index.groupParents("note", "b", 2)).toEqual([])
    expect(index.grouped("note", "b")).toEqual([link("1"), link("4")])
    expect(index.grouped("task", "b")).toEqual([])
  })
})

describe("RunIndex.use", () => {
  const isolatedTmp = () => {
    const dir = mkdtempSync(join(tmpdir(), "crmkit-run-index-test-"))
    const previous = process.env.TMPDIR
    process.env.TMPDIR = dir
    return {
      dir,
      restore: () => {
        if (previous === undefined) delete process.env.TMPDIR
        else process.env.TMPDIR = previous
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }

  it("makes the index in a temporary directory and removes it when the work ends, fails or is interrupted", async () => {
    const tmp = isolatedTmp()
    try {
      let seen = ""
      const answer = await Effect.runPromise(
        use((index) =>
          Effect.sync(() => {
            seen = index.directory
            expect(seen.startsWith(tmp.dir)).toBe(true)
            expect(existsSync(join(seen, "index.db"))).toBe(true)
            index.addContacts([contact("t1", { emails: ["x@example.org"] })])
            return index.contactsBy("email", "x@example.org")
          }),
        ),
      )
      expect(answer).toEqual(["t1"])
      expect(existsSync(seen)).toBe(false)

      const failed = await Effect.runPromiseExit(use(() => Effect.fail("boom")))
      expect(Exit.isFailure(failed)).toBe(true)
      expect(readdirSync(tmp.dir)).toEqual([])

      const started = Deferred.makeUnsafe<string>()
      const fiber = Effect.runFork(
        use((index) => Effect.andThen(Deferred.succeed(started, index.directory), Effect.never)),
      )
      const directory = await Effect.runPromise(Deferred.await(started))
      expect(existsSync(directory)).toBe(true)
      await Effect.runPromise(Fiber.interrupt(fiber))
      expect(existsSync(directory)).toBe(false)
      expect(readdirSync(tmp.dir)).toEqual([])
    } finally {
      tmp.restore()
    }
  })

  it("removes the index a process killed with SIGKILL left on this host, and no one else's", () => {
    const tmp = isolatedTmp()
    try {
      const gone = spawnSync(process.execPath, ["-e", "0"]).pid as number
      const host = hostname().replace(/[^A-Za-z0-9.-]/g, "_")
      const left = join(tmp.dir, `crmkit-migrate-index-${host}-${gone}-abc123`)
      const running = join(tmp.dir, `crmkit-migrate-index-${host}-${process.pid}-def456`)
      const elsewhere = join(tmp.dir, `crmkit-migrate-index-another-host-${gone}-ghi789`)
      const notAnIndex = join(tmp.dir, `crmkit-migrate-${gone}`)
      for (const dir of [left, running, elsewhere, notAnIndex]) mkdirSync(dir)
      const index = new RunIndex(tmp.dir)
      try {
        expect(existsSync(left)).toBe(false)
        expect([running, elsewhere, notAnIndex].map(existsSync)).toEqual([true, true, true])
        expect(index.directory.startsWith(join(tmp.dir, `crmkit-migrate-index-${host}-${process.pid}-`))).toBe(true)
      } finally {
        index.close()
      }
    } finally {
      tmp.restore()
    }
  })
})

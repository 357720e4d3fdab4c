/**
 * Opt-in state, where the APIs expose it: Keap's email address status and HighLevel's
 * do-not-disturb settings, carried both ways through the common contact's `optIn` (its own
 * field group), and a change of consent in the source moved by the next run.
 */
import type { Records } from "@crmkit/core"
import { Contacts as GhlContacts } from "@crmkit/ghl"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Engine, Mapping } from "../src/index.ts"
import { type Both, sides, startBoth } from "./support.ts"
import { contactsOf, editedMapping, on, openState, routes, writesSince } from "./support-run.ts"

/** Keap's email address status, through its API (not through the code under test). */
const keapStatus = async (sandbox: Both, email: string, optedIn?: boolean) => {
  const response = await fetch(`${sandbox.keap.baseUrl}/v2/emailAddresses/${encodeURIComponent(email)}/status`, {
    method: optedIn === undefined ? "GET" : "PATCH",
    headers: { "x-keap-api-key": sandbox.credentials.keap.personalAccessToken, "content-type": "application/json" },
    ...(optedIn === undefined ? {} : { body: JSON.stringify({ opted_in: optedIn, reason: "asked by phone" }) }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { status: string }).status
}

const ghlDnd = async (ghl: Engine.Side, id: string) => {
  const out = (await on(ghl, GhlContacts.get(id))) as { contact: { dnd?: boolean; dndSettings?: unknown } }
  return { dnd: out.contact.dnd, dndSettings: out.contact.dndSettings }
}

describe("opt-in state", () => {
  it("keap -> ghl: email consent and opt-outs become do-not-disturb settings; a later opt-out follows", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 6 }, { rateLimits: false, contacts: 0 })
    const s = await sides(sandbox)
    try {
      const [source, target] = await Effect.runPromise(Engine.lookups(s.keap, s.ghl))
      const keap = await contactsOf(s.keap, source)
      const email = (id: string) => keap.find((c) => c.id === id)?.emails[0] as string
      expect(await keapStatus(sandbox, email("1"), true)).toBe("SINGLE_OPT_IN")
      expect(await keapStatus(sandbox, email("2"), false)).toBe("MANUAL")
      const read = new Map((await contactsOf(s.keap, source)).map((c) => [c.id, c.optIn]))
      expect([read.get("1"), read.get("2"), read.get("3")]).toEqual([{ email: true }, { email: false }, undefined])

      const state = await openState()
      const options: Engine.Options = { from: s.keap, to: s.ghl, state, mapping: editedMapping(source, target) }
      await Effect.runPromise(Engine.run(options))
      const ghl = new Map((await contactsOf(s.ghl, target)).map((c) => [c.sourceId as string, c]))
      expect(await ghlDnd(s.ghl, ghl.get("1")?.id as string)).toMatchObject({
        dndSettings: { Email: { status: "inactive" } },
      })
      expect(await ghlDnd(s.ghl, ghl.get("2")?.id as string)).toMatchObject({
        dndSettings: { Email: { status: "active" } },
      })
      expect((await ghlDnd(s.ghl, ghl.get("3")?.id as string)).dndSettings).toBeUndefined()
      expect([ghl.get("1")?.optIn, ghl.get("2")?.optIn, ghl.get("3")?.optIn]).toEqual([
        { email: true },
        { email: false },
        undefined,
      ])

      const quiet = routes(sandbox)
      expect((await Effect.runPromise(Engine.run({ ...options, full: true }))).writes).toBe(0)
      expect(writesSince(sandbox, quiet)).toEqual({})

      // Contact 1 unsubscribes in Keap; HighLevel's own SMS setting on contact 3 is its business.
      await keapStatus(sandbox, email("1"), false)
      await on(
        s.ghl,
        GhlContacts.update(ghl.get("3")?.id as string, { dndSettings: { SMS: { status: "active" } } } as never),
      )
      const next = await Effect.runPromise(Engine.run(options))
      expect(next.entities.contact.update).toBe(1)
      expect(next.entities.contact.conflicts).toEqual([])
      expect(await ghlDnd(s.ghl, ghl.get("1")?.id as string)).toMatchObject({
        dndSettings: { Email: { status: "active" } },
      })
      expect(await ghlDnd(s.ghl, ghl.get("3")?.id as string)).toMatchObject({
        dndSettings: { SMS: { status: "active" } },
      })
    } finally {
      await s.close()
      await sandbox.close()
    }
  })

  it("ghl -> keap: do-not-disturb on email (or on everything) opts the address out; inactive opts it in", async () => {
    const sandbox = await startBoth({ rateLimits: false, contacts: 0 }, { rateLimits: false, contacts: 5 })
    const s = await sides(sandbox)
    try {
      const [source, target] = await Effect.runPromise(Engine.lookups(s.ghl, s.keap))
      const ghl = await contactsOf(s.ghl, source)
      const [a, b, c, d] = ghl as [Records.Contact, Records.Contact, Records.Contact, Records.Contact]
      await on(
        s.ghl,
        GhlContacts.update(a.id, { dndSettings: { Email: { status: "active" }, SMS: { status: "active" } } } as never),
      )
      await on(s.ghl, GhlContacts.update(b.id, { dndSettings: { Email: { status: "inactive" } } } as never))
      await on(s.ghl, GhlContacts.update(c.id, { dnd: true } as never))
      const state = await openState()
      const options: Engine.Options = {
        from: s.ghl,
        to: s.keap,
        state,
        mapping: Mapping.propose("ghl", "keap", source, target),
      }
      await Effect.runPromise(Engine.run(options))
      const status = (contact: Records.Contact) => keapStatus(sandbox, contact.emails[0] as string)
      expect([await status(a), await status(b), await status(c), await status(d)]).toEqual([
        "MANUAL",
        "SINGLE_OPT_IN",
        "MANUAL",
        "UNENGAGED_NON_MARKETABLE",
      ])
      const keap = new Map((await contactsOf(s.keap, target)).map((k) => [k.emails[0], k.optIn]))
      expect([a, b, c, d].map((x) => keap.get(x.emails[0]))).toEqual([
        { email: false },
        { email: true },
        { email: false },
        undefined,
      ])
      // Keap holds no SMS consent: not sent, and no difference left to write again.
      const quiet = routes(sandbox)
      expect((await Effect.runPromise(Engine.run({ ...options, full: true }))).writes).toBe(0)
      expect(writesSince(sandbox, quiet)).toEqual({})
    } finally {
      await s.close()
      await sandbox.close()
    }
  })
})

import type { Records } from "@crmkit/core"
import { Effect, Fiber, Stream } from "effect"
import { Engine, Mapping, State } from "../src/index.ts"
import type { Both } from "./support.ts"

/** The proposals, with Keap's stages and second user mapped as a person would. */
export const editedMapping = (source: Records.Lookups, target: Records.Lookups): Mapping.Mapping => {
  const proposed = Mapping.propose("keap", "ghl", source, target)
  return {
    ...proposed,
    users: { ...proposed.users, "sales@sandbox.example.com": "owner@sandbox.example.com" },
    pipelines: { Default: { to: "Sales", stages: { New: "New", Qualified: "Quote sent", Won: "Closing" } } },
  }
}

/** Whether requests to a route (`"POST /ghl/contacts/"`) change something: search is a read, though a POST. */
export const isWrite = (route: string) => !route.startsWith("GET ") && !route.endsWith("/contacts/search")

/** Requests per route since `before` that change something. */
export const writesSince = (sandbox: Both, before: Record<string, number>) => {
  const after = sandbox.stats.snapshot().byRoute
  const out: Record<string, number> = {}
  for (const [route, n] of Object.entries(after)) {
    const d = n - (before[route] ?? 0)
    if (d > 0 && isWrite(route)) out[route] = d
  }
  return out
}

export const routes = (sandbox: Both) => ({ ...sandbox.stats.snapshot().byRoute })

/**
 * Runs the migration and interrupts its fiber as soon as `when` holds for a progress report
 * (so mid-write, with requests in flight). Resolves with whether the interruption happened.
 */
export const runInterrupted = async (options: Engine.Options, when: (progress: Engine.Progress) => boolean) => {
  let reached: () => void = () => {}
  const hit = new Promise<void>((resolve) => {
    reached = resolve
  })
  const fiber = Effect.runFork(
    Engine.run({ ...options, onProgress: (progress) => (when(progress) ? reached() : undefined) }),
  )
  const finished = Effect.runPromise(Fiber.await(fiber)).then(() => "finished" as const)
  const outcome = await Promise.race([hit.then(() => "interrupted" as const), finished])
  await Effect.runPromise(Fiber.interrupt(fiber))
  return outcome
}

/** What the target holds, counted through its API. */
export const targetCounts = (ghl: Engine.Side, lookups: Records.Lookups) =>
  Effect.runPromise(
    Effect.provideContext(
      Effect.gen(function* () {
        const contacts = Array.from(yield* Stream.runCollect(ghl.records.contacts(lookups)))
        const ok = contacts.flatMap((c) => (c._tag === "Ok" ? [c.record] : []))
        const notes = Array.from(yield* Stream.runCollect(ghl.records.notes(lookups)))
        const tasks = Array.from(yield* Stream.runCollect(ghl.records.tasks(lookups)))
        const opportunities = Array.from(yield* Stream.runCollect(ghl.records.opportunities(lookups)))
        const markers = ok.map((c) => c.sourceId).filter((s) => s !== undefined)
        return {
          contacts: contacts.length,
          markers: markers.length,
          distinctMarkers: new Set(markers).size,
          notes: notes.length,
          tasks: tasks.length,
          opportunities: opportunities.length,
          byMarker: new Map(ok.map((c) => [c.sourceId, c])),
        }
      }),
      ghl.services,
    ),
  )

export const openState = (file = ":memory:") => Effect.runPromise(State.openSqlite(file))

/** Runs `effect` with a side's client services. */
export const on = <A>(side: Engine.Side, effect: Effect.Effect<A, unknown, any>) =>
  Effect.runPromise(Effect.provideContext(effect, side.services) as Effect.Effect<A, unknown>)

/** The contacts a side holds, as its mapper reads them (skipped ones left out). */
export const contactsOf = (side: Engine.Side, lookups: Records.Lookups) =>
  on(
    side,
    Effect.map(Stream.runCollect(side.records.contacts(lookups)), (all) =>
      Array.from(all).flatMap((l) => (l._tag === "Ok" ? [l.record] : [])),
    ),
  )

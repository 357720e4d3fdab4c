/**
 * Pieces the migration benchmark (bench/migrate.ts) and its memory child
 * (bench/migrate-memory.ts) share. Kept apart from support.ts so that the streaming
 * memory child, bundled from support.ts, carries none of it.
 */
import { RateLimit, type Records } from "@crmkit/core"
import { GhlAuth, GhlClient } from "@crmkit/ghl"
import { connector as ghlConnector } from "@crmkit/ghl/connector"
import { KeapAuth, KeapClient, Notes, Opportunities, Tasks } from "@crmkit/keap"
import { connector as keapConnector } from "@crmkit/keap/connector"
import { type Engine, Mapping } from "@crmkit/migrate"
import { NodeHttpClient } from "@effect/platform-node"
import { Context, Effect, Exit, Layer, Redacted, Scope } from "effect"

/**
 * The core's limiter with every window widened out of reach and the providers' headers
 * ignored: requests never wait, yet each one still passes through the limiter, so that a
 * benchmark of memory or of the pipeline measures the client as shipped, without waits.
 */
export const rateLimitsNeverBinding: Layer.Layer<RateLimit.RateLimits> = Layer.effect(
  RateLimit.RateLimits,
  Effect.gen(function* () {
    const real = yield* RateLimit.make
    const widened = new WeakMap<RateLimit.RateLimitPolicy, RateLimit.RateLimitPolicy>()
    const widen = (policy: RateLimit.RateLimitPolicy) => {
      let wide = widened.get(policy)
      if (wide === undefined) {
        wide = {
          ...policy,
          windows: policy.windows.map((w) => ({ ...w, limit: 1e12 })),
          readHeaders: undefined,
        }
        widened.set(policy, wide)
      }
      return wide
    }
    return RateLimit.RateLimits.of({
      ...real,
      admit: (policy, credentialId) => real.admit(widen(policy), credentialId),
      observe: (policy, ticket, headers) => real.observe(widen(policy), ticket, headers),
    })
  }),
).pipe(Layer.provide(RateLimit.limiterMemory))

/** Where a migration's two sides are: Keap by Personal Access Token, HighLevel by Private Integration Token. */
export interface MigrationEndpoints {
  readonly keapBaseUrl: string
  readonly keapApiKey: string
  readonly ghlBaseUrl: string
  readonly ghlToken: string
  readonly ghlLocationId: string
}

/**
 * Both sides of a Keap -> HighLevel migration with their client services, on undici,
 * sharing one `RateLimits` instance (so that its `waited` covers both); `close` releases them.
 */
export const migrationSides = async (endpoints: MigrationEndpoints, rateLimits: RateLimit.RateLimitsShape) => {
  const scope = Effect.runSync(Scope.make())
  const limits = Layer.succeed(RateLimit.RateLimits, rateLimits)
  const keapLayer = KeapClient.layer({ baseUrl: endpoints.keapBaseUrl }).pipe(
    Layer.provide(KeapAuth.layerApiKey(Redacted.make(endpoints.keapApiKey))),
    Layer.provide(limits),
    Layer.provide(NodeHttpClient.layerUndici),
  )
  const ghlLayer = GhlClient.layer({ baseUrl: endpoints.ghlBaseUrl, locationId: endpoints.ghlLocationId }).pipe(
    Layer.provide(GhlAuth.layerPrivateIntegrationToken(Redacted.make(endpoints.ghlToken))),
    Layer.provide(limits),
    Layer.provide(NodeHttpClient.layerUndici),
  )
  const keapServices = await Effect.runPromise(Layer.buildWithScope(keapLayer, scope))
  const ghlServices = await Effect.runPromise(Layer.buildWithScope(ghlLayer, scope))
  const [keapRuntime, ghlRuntime] = await Promise.all([keapConnector.load(), ghlConnector.load()])
  const keap: Engine.Side = { name: "keap", records: keapRuntime.records!, services: keapServices }
  const ghl: Engine.Side = { name: "ghl", records: ghlRuntime.records!, services: ghlServices }
  return { keap, ghl, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** A `RateLimits` built in `scope`: the core's limiter with budgets in this process. */
export const memoryRateLimits = (
  scope: Scope.Scope,
  layer: Layer.Layer<RateLimit.RateLimits> = RateLimit.layerMemory,
) =>
  Effect.runPromise(
    Effect.map(Layer.buildWithScope(layer, scope), (context) => Context.get(context, RateLimit.RateLimits)),
  )

/** The proposed mapping, with Keap's one pipeline and its stages mapped onto HighLevel's as a person would. */
export const migrationMapping = (source: Records.Lookups, target: Records.Lookups): Mapping.Mapping => ({
  ...Mapping.propose("keap", "ghl", source, target),
  pipelines: { Default: { to: "Sales", stages: { New: "New", Qualified: "Quote sent", Won: "Closing" } } },
})

/** Notes, tasks and opportunities on Keap contacts 1..contacts, made through Keap's API. */
export const seedKeapChildren = (
  keapServices: Context.Context<KeapClient.KeapClient>,
  contacts: number,
  counts: { readonly notes: number; readonly tasks: number; readonly opportunities: number },
  concurrency = 8,
) => {
  // Spread over the contacts deterministically: every k-th contact, so runs compare.
  const contactFor = (i: number, of: number) => 1 + Math.floor((i * contacts) / of)
  const make = (n: number, one: (i: number) => Effect.Effect<unknown, unknown, KeapClient.KeapClient>) =>
    Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      one,
      { concurrency, discard: true },
    )
  return Effect.runPromise(
    Effect.provideContext(
      Effect.gen(function* () {
        yield* make(counts.notes, (i) =>
          Notes.create(contactFor(i, counts.notes), {
            title: `Call ${i}`,
            text: `Spoke about plan ${i % 7}.`,
            user_id: "1",
          } as never),
        )
        yield* make(counts.tasks, (i) =>
          Tasks.create({
            title: `Follow up ${i}`,
            description: `Task ${i}`,
            contact_id: String(contactFor(i, counts.tasks)),
            assigned_to_user_id: "1",
            due_time: new Date(Date.UTC(2027, 0, 1 + (i % 28))).toISOString(),
          } as never),
        )
        yield* make(counts.opportunities, (i) =>
          Opportunities.create({
            opportunity_title: `Deal ${i}`,
            contact_id: String(contactFor(i, counts.opportunities)),
            stage_id: String(1 + (i % 3)),
            projected_revenue_high: 100 * (i + 1),
          } as never),
        )
      }),
      keapServices,
    ),
  )
}

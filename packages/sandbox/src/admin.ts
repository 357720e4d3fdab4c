import type { SandboxClock } from "./clock.ts"
import { type FaultInjector, FaultSpecError, faultSpecFromJson } from "./faults.ts"
import { json, noContent, type RequestContext, type SandboxResponse } from "./http.ts"
import type { Simulator } from "./provider.ts"
import { Router } from "./router.ts"
import type { SandboxStats } from "./stats.ts"

/** Prefix of the sandbox's own control endpoints (not part of any simulated provider). */
export const ADMIN_PREFIX = "/__sandbox"

export interface AdminDeps {
  readonly faults: FaultInjector
  readonly stats: SandboxStats
  readonly clock: SandboxClock
  readonly credentials: unknown
  readonly simulators: Readonly<Record<string, Simulator>>
}

type AdminHandler = (ctx: RequestContext) => SandboxResponse

const badRequest = (message: string) => json(400, { error: message })

/**
 * Control endpoints for tests and tools running out of process (e.g. against `crmkit-sandbox`):
 * - `POST /__sandbox/faults` (a fault spec or an array of them), `GET` (pending), `DELETE` (clear);
 * - `GET /__sandbox/stats`, `DELETE /__sandbox/stats` (reset);
 * - `GET /__sandbox/clock`, `POST /__sandbox/clock` with `{"advanceMs": 60000}`;
 * - `GET /__sandbox/credentials`;
 * - `POST /__sandbox/trigger` with `{"simulator", "event", "overrides", "to"}`: a webhook event, signed as the
 *   provider signs it, to its receivers (202 with their URLs).
 */
export function createAdminRouter(deps: AdminDeps): Router<AdminHandler> {
  const clockState = () => ({
    now: deps.clock.now(),
    iso: new Date(deps.clock.now()).toISOString(),
    offsetMs: deps.clock.offsetMs,
  })
  return new Router<AdminHandler>()
    .add("POST", "/faults", (ctx) => {
      if (ctx.bodyError !== undefined) return badRequest(`Invalid JSON: ${ctx.bodyError}`)
      try {
        const specs = (Array.isArray(ctx.body) ? ctx.body : [ctx.body]).map(faultSpecFromJson)
        deps.faults.inject(specs)
      } catch (error) {
        if (error instanceof FaultSpecError) return badRequest(error.message)
        throw error
      }
      return json(201, { pending: deps.faults.pending })
    })
    .add("GET", "/faults", () => json(200, { pending: deps.faults.pending }))
    .add("DELETE", "/faults", () => {
      deps.faults.clear()
      return noContent()
    })
    .add("GET", "/stats", () => json(200, deps.stats.snapshot()))
    .add("DELETE", "/stats", () => {
      deps.stats.reset()
      return noContent()
    })
    .add("GET", "/clock", () => json(200, clockState()))
    .add("POST", "/clock", (ctx) => {
      const advanceMs = (ctx.body as { advanceMs?: unknown } | undefined)?.advanceMs
      if (typeof advanceMs !== "number" || !Number.isFinite(advanceMs))
        return badRequest('Send {"advanceMs": <milliseconds>}')
      deps.clock.advance(advanceMs)
      return json(200, clockState())
    })
    .add("GET", "/credentials", () => json(200, deps.credentials))
    .add("POST", "/trigger", (ctx) => {
      const body = (ctx.body ?? {}) as { simulator?: unknown; event?: unknown; overrides?: unknown; to?: unknown }
      const simulator = typeof body.simulator === "string" ? deps.simulators[body.simulator] : undefined
      if (simulator === undefined) {
        return badRequest(`Send {"simulator": one of ${Object.keys(deps.simulators).join(", ")}, "event": ...}`)
      }
      if (simulator.trigger === undefined) return badRequest(`${simulator.title} sends no webhooks`)
      if (typeof body.event !== "string" || body.event === "") return badRequest('Send {"event": "<event name>"}')
      const overrides = Object.fromEntries(
        Object.entries((body.overrides ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      )
      const to = Array.isArray(body.to) ? body.to.map(String) : []
      const outcome = simulator.trigger({ event: body.event, overrides, to })
      return "error" in outcome ? badRequest(outcome.error) : json(202, { event: body.event, ...outcome })
    })
}

export function handleAdmin(router: Router<AdminHandler>, ctx: RequestContext): SandboxResponse {
  const lookup = router.match(ctx.method, ctx.pathname.slice(ADMIN_PREFIX.length) || "/")
  if (lookup.kind === "match") return lookup.route(ctx)
  if (lookup.kind === "method_not_allowed") return json(405, { error: `Use ${lookup.allowed.join(" or ")}` })
  return json(404, { error: `Unknown admin endpoint ${ctx.pathname}` })
}

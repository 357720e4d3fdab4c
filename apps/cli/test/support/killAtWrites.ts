/**
 * Kills a `crmkit` process with SIGKILL as the sandbox receives one of its writes, while its
 * other writes are in flight or not sent yet: the write it dies on lands unanswered, or is lost.
 */
import { mulberry32, type SandboxBase } from "@crmkit/sandbox"
import { crmkitProcess, type Run } from "../support.ts"

/** A stretch of a run: the writes of one entity, made one entity after the other. */
export interface Phase {
  readonly name: string
  readonly writes: number
}

export interface KillPoint {
  readonly phase: string
  /** Writes since the first run started (the phases before this one, and this one's so far). */
  readonly at: number
}

/**
 * `kills` points over the run's progress, random by `seed`: at least one in each phase with
 * writes (the rest in the phases with the most writes per kill), each random within its own
 * slice of its phase, away from the slice's ends, so that every kill falls mid-phase and every
 * run after a kill has work left.
 */
export const killPoints = (seed: number, phases: ReadonlyArray<Phase>, kills: number): Array<KillPoint> => {
  const random = mulberry32(seed)
  const busy = phases.filter((p) => p.writes > 0)
  if (kills < busy.length) throw new RangeError(`${kills} kills cannot fall in each of ${busy.length} phases`)
  const perPhase = new Map(busy.map((p) => [p.name, 1]))
  const share = (p: Phase) => p.writes / (perPhase.get(p.name) as number)
  for (let extra = kills - busy.length; extra > 0; extra--) {
    const widest = busy.reduce((a, b) => (share(a) >= share(b) ? a : b))
    perPhase.set(widest.name, (perPhase.get(widest.name) as number) + 1)
  }
  const points: Array<KillPoint> = []
  let start = 0
  for (const phase of phases) {
    const n = perPhase.get(phase.name) ?? 0
    const slice = phase.writes / n
    for (let k = 0; k < n; k++)
      points.push({ phase: phase.name, at: start + Math.max(1, Math.floor(slice * (k + 0.1 + 0.8 * random()))) })
    start += phase.writes
  }
  return points
}

/**
 * How the write the process dies on ends: `landed`, the sandbox serves it and answers a process
 * that is gone; `lost`, the sandbox holds it back (a latency fault) and drops it, unserved, when
 * it sees the connection closed.
 */
export type KillKind = "landed" | "lost"

/** The route's pattern as a pattern of paths: `/ghl/contacts/:contactId/notes` -> `^/ghl/contacts/[^/]+/notes$`. */
const pathPattern = (route: string) => new RegExp(`^${route.replace(/:[A-Za-z]+/g, "[^/]+")}$`)

/**
 * Runs `crmkit args` and SIGKILLs it the moment the sandbox (serving in this process) receives
 * its `nth` write, as `isWrite` tells them by route. The sandbox's counters are watched by
 * wrapping its `recordRequest` for the run's duration: the sandbox calls it as a request
 * arrives, before it looks up the request's faults and serves it. Resolves once the process
 * is gone and, for a `lost` write, once the sandbox has dropped it: with the writes the sandbox
 * received from the process, and the route of the one it died on.
 */
export const killAtWrite = async (
  sandbox: Pick<SandboxBase<never>, "stats" | "faults">,
  isWrite: (routeKey: string) => boolean,
  at: { readonly nth: number; readonly kind: KillKind },
  args: ReadonlyArray<string>,
  env: Record<string, string>,
): Promise<Run & { readonly writes: number; readonly route: string | undefined }> => {
  const { stats, faults } = sandbox
  const dropped = stats.abandoned
  const run = crmkitProcess(args, env)
  let writes = 0
  let route: string | undefined
  const record = stats.recordRequest
  stats.recordRequest = (provider, routeKey) => {
    record.call(stats, provider, routeKey)
    if (!isWrite(routeKey) || ++writes !== at.nth) return
    route = routeKey
    if (at.kind === "lost") {
      const [method, pattern] = routeKey.split(" ") as [string, string]
      faults.inject({ kind: "latency", latencyMs: 200, method, path: pathPattern(pattern) })
    }
    run.child.kill("SIGKILL")
  }
  try {
    const ended = await run.done
    if (at.kind === "lost")
      for (let waited = 0; stats.abandoned === dropped; waited += 10) {
        if (waited > 5000) throw new Error("the sandbox did not drop the write held back as the process died")
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    return { ...ended, writes, route }
  } finally {
    // The prototype's method again.
    delete (stats as { recordRequest?: unknown }).recordRequest
    faults.clear()
  }
}

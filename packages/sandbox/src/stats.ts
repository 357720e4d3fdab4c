import { FAULT_KINDS, type FaultKind } from "./faults.ts"

/** Counters for one provider. */
export interface ProviderCounters {
  /** Requests received under the provider's prefix (faulted ones included). */
  requests: number
  /** 429 responses sent (rate limit or injected). */
  rateLimited: number
  /** 401 responses sent. */
  unauthorized: number
  /** Access tokens issued by any grant (authorization code, refresh, location token). */
  tokenGrants: number
  /** Successful refresh-token grants. */
  refreshes: number
  /** Refresh attempts refused (unknown, reused or expired refresh token). */
  rejectedRefreshes: number
  /** 5xx responses sent (injected or not). */
  serverErrors: number
  /** Requests dropped unserved because the client hung up while they were held back (latency). */
  abandoned: number
}

/** Plain-JSON copy of the stats, as served by `GET /__sandbox/stats`. */
export interface SandboxStatsSnapshot extends ProviderCounters {
  faultsInjected: number
  faultsByKind: Record<FaultKind, number>
  byProvider: Record<string, ProviderCounters>
  /** Requests per route, keyed like `"POST /keap/token"` or `"GET /ghl/contacts/:contactId"`. */
  byRoute: Record<string, number>
  /** Responses per HTTP status, keyed like `"200"`. Reset connections are not counted here. */
  byStatus: Record<string, number>
}

const COUNTER_NAMES = [
  "requests",
  "rateLimited",
  "unauthorized",
  "tokenGrants",
  "refreshes",
  "rejectedRefreshes",
  "serverErrors",
  "abandoned",
] as const satisfies readonly (keyof ProviderCounters)[]

function zeroCounters(): ProviderCounters {
  return {
    requests: 0,
    rateLimited: 0,
    unauthorized: 0,
    tokenGrants: 0,
    refreshes: 0,
    rejectedRefreshes: 0,
    serverErrors: 0,
    abandoned: 0,
  }
}

function zeroFaults(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>
}

/**
 * Counters that tests assert on: totals, per provider, per route and per status.
 * Admin requests (`/__sandbox/*`) are not counted, so the stats only describe client traffic.
 */
export class SandboxStats {
  #totals = zeroCounters()
  #byProvider = new Map<string, ProviderCounters>()
  #byRoute = new Map<string, number>()
  #byStatus = new Map<number, number>()
  #faultsByKind = zeroFaults()

  get requests(): number {
    return this.#totals.requests
  }
  get rateLimited(): number {
    return this.#totals.rateLimited
  }
  get unauthorized(): number {
    return this.#totals.unauthorized
  }
  get tokenGrants(): number {
    return this.#totals.tokenGrants
  }
  get refreshes(): number {
    return this.#totals.refreshes
  }
  get rejectedRefreshes(): number {
    return this.#totals.rejectedRefreshes
  }
  get serverErrors(): number {
    return this.#totals.serverErrors
  }
  get abandoned(): number {
    return this.#totals.abandoned
  }
  get faultsInjected(): number {
    return Object.values(this.#faultsByKind).reduce((sum, n) => sum + n, 0)
  }

  /** Counters of one provider ("keap", "ghl"); zeros if it saw no traffic. */
  provider(name: string): Readonly<ProviderCounters> {
    return { ...(this.#byProvider.get(name) ?? zeroCounters()) }
  }

  /** Requests seen on one route, e.g. `stats.route("POST /keap/token")`. */
  route(key: string): number {
    return this.#byRoute.get(key) ?? 0
  }

  /** Responses sent with one HTTP status. */
  status(code: number): number {
    return this.#byStatus.get(code) ?? 0
  }

  fault(kind: FaultKind): number {
    return this.#faultsByKind[kind]
  }

  recordRequest(provider: string, routeKey: string): void {
    this.#bump(provider, "requests")
    this.#byRoute.set(routeKey, (this.#byRoute.get(routeKey) ?? 0) + 1)
  }

  recordResponse(provider: string, status: number): void {
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1)
    if (status === 429) this.#bump(provider, "rateLimited")
    if (status === 401) this.#bump(provider, "unauthorized")
    if (status >= 500) this.#bump(provider, "serverErrors")
  }

  recordTokenGrant(provider: string, grant: { refresh: boolean }): void {
    this.#bump(provider, "tokenGrants")
    if (grant.refresh) this.#bump(provider, "refreshes")
  }

  recordRejectedRefresh(provider: string): void {
    this.#bump(provider, "rejectedRefreshes")
  }

  recordAbandoned(provider: string): void {
    this.#bump(provider, "abandoned")
  }

  recordFault(kind: FaultKind): void {
    this.#faultsByKind[kind]++
  }

  snapshot(): SandboxStatsSnapshot {
    return {
      ...this.#totals,
      faultsInjected: this.faultsInjected,
      faultsByKind: { ...this.#faultsByKind },
      byProvider: Object.fromEntries([...this.#byProvider].map(([name, counters]) => [name, { ...counters }])),
      byRoute: Object.fromEntries(this.#byRoute),
      byStatus: Object.fromEntries([...this.#byStatus].map(([status, n]) => [String(status), n])),
    }
  }

  toJSON(): SandboxStatsSnapshot {
    return this.snapshot()
  }

  reset(): void {
    this.#totals = zeroCounters()
    this.#byProvider.clear()
    this.#byRoute.clear()
    this.#byStatus.clear()
    this.#faultsByKind = zeroFaults()
  }

  #bump(provider: string, counter: (typeof COUNTER_NAMES)[number]): void {
    this.#totals[counter]++
    let counters = this.#byProvider.get(provider)
    if (counters === undefined) {
      counters = zeroCounters()
      this.#byProvider.set(provider, counters)
    }
    counters[counter]++
  }
}

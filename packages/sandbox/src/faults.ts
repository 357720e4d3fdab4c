/**
 * Deterministic fault injection: a fault applies to the next `count` requests whose path matches,
 * never at random, so a test can say exactly which request fails and how.
 */

export const FAULT_KINDS = ["429", "5xx", "latency", "reset", "malformed"] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface FaultSpec {
  /**
   * - `429`: a rate-limit response in the provider's own shape, with its rate-limit headers.
   * - `5xx`: a server error (`status`, default 503) with a body in the provider's shape.
   * - `latency`: `latencyMs` extra delay, then the request is served normally (combines with one other fault).
   * - `reset`: the socket is destroyed without any response (the client sees a connection reset).
   * - `malformed`: the request is served, but the client receives status 200 and a truncated, invalid JSON body.
   */
  readonly kind: FaultKind
  /** How many matching requests get the fault. Default 1. */
  readonly count?: number | undefined
  /** Substring of, or pattern tested against, the URL pathname (e.g. "/keap/crm/rest/v2/contacts"). Default: all provider paths. */
  readonly path?: string | RegExp | undefined
  /** Only requests with this HTTP method. Default: any. */
  readonly method?: string | undefined
  /** Status for `5xx` faults (500-599). Default 503. */
  readonly status?: number | undefined
  /** Delay for `latency` faults. Default 1000. */
  readonly latencyMs?: number | undefined
}

/** A fault waiting for matching requests. */
export interface PendingFault {
  readonly kind: FaultKind
  readonly remaining: number
  readonly path?: string | undefined
  readonly method?: string | undefined
  readonly status?: number | undefined
  readonly latencyMs?: number | undefined
}

/** What to do to one request: an added delay and at most one failure. */
export interface FaultPlan {
  readonly latencyMs: number
  readonly failure?: { readonly kind: "429" | "5xx" | "reset" | "malformed"; readonly status: number }
}

interface ArmedFault {
  readonly kind: FaultKind
  remaining: number
  readonly path: string | RegExp | undefined
  readonly method: string | undefined
  readonly status: number
  readonly latencyMs: number
}

export class FaultSpecError extends Error {
  override readonly name = "FaultSpecError"
}

const NO_FAULT: FaultPlan = { latencyMs: 0 }

export class FaultInjector {
  #armed: ArmedFault[] = []

  /** Arms one or more faults; they apply in the order they were injected. */
  inject(spec: FaultSpec | readonly FaultSpec[]): void {
    const specs: readonly FaultSpec[] = Array.isArray(spec) ? spec : [spec as FaultSpec]
    const armed = specs.map(validateFaultSpec)
    this.#armed.push(...armed)
  }

  clear(): void {
    this.#armed = []
  }

  get pending(): PendingFault[] {
    return this.#armed.map((fault) => ({
      kind: fault.kind,
      remaining: fault.remaining,
      path: fault.path === undefined ? undefined : String(fault.path),
      method: fault.method,
      ...(fault.kind === "5xx" || fault.kind === "429" ? { status: fault.status } : {}),
      ...(fault.kind === "latency" ? { latencyMs: fault.latencyMs } : {}),
    }))
  }

  /**
   * Consumes the faults that apply to one request: every matching latency fault adds its delay, and
   * the first matching failure fault (in injection order) is used.
   */
  take(method: string, pathname: string): FaultPlan {
    if (this.#armed.length === 0) return NO_FAULT
    let latencyMs = 0
    let failure: FaultPlan["failure"]
    for (const fault of this.#armed) {
      if (!matches(fault, method, pathname)) continue
      if (fault.kind === "latency") {
        latencyMs += fault.latencyMs
        fault.remaining--
      } else if (failure === undefined) {
        failure = { kind: fault.kind, status: fault.status }
        fault.remaining--
      }
    }
    this.#armed = this.#armed.filter((fault) => fault.remaining > 0)
    return failure === undefined ? { latencyMs } : { latencyMs, failure }
  }
}

function matches(fault: ArmedFault, method: string, pathname: string): boolean {
  if (fault.method !== undefined && fault.method !== method) return false
  if (fault.path === undefined) return true
  if (typeof fault.path === "string") return pathname.includes(fault.path)
  fault.path.lastIndex = 0
  return fault.path.test(pathname)
}

function validateFaultSpec(spec: FaultSpec): ArmedFault {
  if (!FAULT_KINDS.includes(spec.kind)) {
    throw new FaultSpecError(`fault kind must be one of ${FAULT_KINDS.join(", ")}, got ${JSON.stringify(spec.kind)}`)
  }
  const count = spec.count ?? 1
  if (!Number.isInteger(count) || count < 1) throw new FaultSpecError(`fault count must be a positive integer`)
  const defaultStatus = spec.kind === "429" ? 429 : 503
  const status = spec.status ?? defaultStatus
  if (spec.kind === "5xx" && (!Number.isInteger(status) || status < 500 || status > 599)) {
    throw new FaultSpecError(`a 5xx fault needs a status between 500 and 599, got ${status}`)
  }
  const latencyMs = spec.latencyMs ?? 1000
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new FaultSpecError(`latencyMs must be >= 0`)
  if (spec.path !== undefined && typeof spec.path !== "string" && !(spec.path instanceof RegExp)) {
    throw new FaultSpecError(`fault path must be a string or a RegExp`)
  }
  return {
    kind: spec.kind,
    remaining: count,
    path: spec.path,
    method: spec.method?.toUpperCase(),
    status: spec.kind === "429" ? 429 : status,
    latencyMs,
  }
}

/**
 * Reads a fault spec from JSON (the admin endpoint). JSON has no RegExp, so `pathRegExp` carries a
 * pattern source and `path` stays a substring.
 */
export function faultSpecFromJson(json: unknown): FaultSpec {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new FaultSpecError('a fault must be a JSON object like {"kind":"429","count":1}')
  }
  const input = json as Record<string, unknown>
  const optionalNumber = (name: string): number | undefined => {
    const value = input[name]
    if (value === undefined || value === null) return undefined
    if (typeof value !== "number") throw new FaultSpecError(`${name} must be a number`)
    return value
  }
  const optionalString = (name: string): string | undefined => {
    const value = input[name]
    if (value === undefined || value === null) return undefined
    if (typeof value !== "string") throw new FaultSpecError(`${name} must be a string`)
    return value
  }
  const pathRegExp = optionalString("pathRegExp")
  let path: string | RegExp | undefined = optionalString("path")
  if (pathRegExp !== undefined) {
    try {
      path = new RegExp(pathRegExp)
    } catch {
      throw new FaultSpecError(`pathRegExp is not a valid regular expression`)
    }
  }
  const spec: FaultSpec = {
    kind: String(input.kind) as FaultKind,
    count: optionalNumber("count"),
    path,
    method: optionalString("method"),
    status: optionalNumber("status"),
    latencyMs: optionalNumber("latencyMs"),
  }
  validateFaultSpec(spec)
  return spec
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { setTimeout as sleep } from "node:timers/promises"
import { ADMIN_PREFIX, createAdminRouter, handleAdmin } from "./admin.ts"
import { SandboxClock } from "./clock.ts"
import { FaultInjector } from "./faults.ts"
import {
  BodyTooLargeError,
  buildContext,
  json,
  type RequestContext,
  readBody,
  type SandboxResponse,
  serializeBody,
  truncateJson,
  writeResponse,
} from "./http.ts"
import { DEFAULT_SEED, nonNegativeInteger, RESERVED_NAMES, type SandboxOptions } from "./options.ts"
import type { ProviderSimulator, SandboxConnection, Simulator, SimulatorFactory } from "./provider.ts"
import { FixedWindowCounter } from "./rateLimit.ts"
import { SandboxStats } from "./stats.ts"

type Factories = Readonly<Record<string, SimulatorFactory<any, any>>>
type EndpointsOf<F> = F extends SimulatorFactory<infer E, any> ? E : never
type CredentialsOf<F> = F extends SimulatorFactory<any, infer C> ? C : never

export interface SandboxBase<S extends Factories> {
  /** http://127.0.0.1:PORT */
  readonly url: string
  readonly port: number
  readonly seed: number
  readonly stats: SandboxStats
  readonly faults: FaultInjector
  readonly clock: SandboxClock
  /** Each simulator's fake credentials, by name. */
  readonly credentials: { readonly [K in keyof S]: CredentialsOf<S[K]> }
  /** How a client connects to each simulator with its own credential. */
  readonly connections: { readonly [K in keyof S]: SandboxConnection }
  /** The simulators themselves, by name (their title and summary lines). */
  readonly simulators: { readonly [K in keyof S]: Simulator<EndpointsOf<S[K]>, CredentialsOf<S[K]>> }
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}

/** The server, with each simulator's endpoints under its name (`server.keap.baseUrl`). */
export type SandboxServer<S extends Factories = Factories> = SandboxBase<S> & {
  readonly [K in keyof S]: EndpointsOf<S[K]>
}

/** Starts a sandbox on 127.0.0.1 (port 0 = any free port) with the given simulators. */
export async function startSandbox<const S extends Factories>(options: SandboxOptions<S>): Promise<SandboxServer<S>> {
  const names = Object.keys(options.simulators)
  if (names.length === 0) throw new RangeError("startSandbox needs at least one simulator")
  for (const name of names) {
    if (RESERVED_NAMES.has(name)) throw new RangeError(`a simulator cannot be named "${name}"`)
  }
  const seed = nonNegativeInteger(options.seed ?? DEFAULT_SEED, "seed")
  const port = nonNegativeInteger(options.port ?? 0, "port")
  const baseLatencyMs = nonNegativeInteger(options.latencyMs ?? 0, "latencyMs")
  const clock = new SandboxClock()
  const stats = new SandboxStats()
  const faults = new FaultInjector()
  faults.inject(options.faults ?? [])
  const env = { clock, stats, limiter: new FixedWindowCounter(clock), seed }
  const built = Object.fromEntries(names.map((name) => [name, options.simulators[name]!(env)])) as Record<
    string,
    Simulator
  >
  const providers: readonly ProviderSimulator[] = Object.values(built).map((simulator) => simulator.provider)
  const credentials = Object.fromEntries(names.map((name) => [name, built[name]!.credentials]))
  const admin = createAdminRouter({ faults, stats, clock, credentials, simulators: built })

  let origin = ""
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let rawBody: Buffer
    try {
      rawBody = await readBody(req)
    } catch (error) {
      if (error instanceof BodyTooLargeError && !res.headersSent)
        writeResponse(res, json(413, { error: error.message }))
      return
    }
    const ctx = buildContext(req, rawBody, origin)
    if (ctx.pathname === ADMIN_PREFIX || ctx.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      writeResponse(res, handleAdmin(admin, ctx))
      return
    }
    const provider = providers.find((p) => ctx.pathname === p.prefix || ctx.pathname.startsWith(`${p.prefix}/`))
    if (provider === undefined) {
      writeResponse(
        res,
        json(404, { error: `No simulated provider at ${ctx.pathname}`, prefixes: providers.map((p) => p.prefix) }),
      )
      return
    }
    await serveProvider(provider, ctx, req, res)
  }

  const serveProvider = async (
    provider: ProviderSimulator,
    ctx: RequestContext,
    req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const prepared = provider.prepare(ctx)
    stats.recordRequest(provider.name, prepared.routeKey)
    const plan = faults.take(ctx.method, ctx.pathname)
    if (plan.latencyMs > 0) stats.recordFault("latency")
    const delay = baseLatencyMs + plan.latencyMs
    if (delay > 0) {
      await sleep(delay)
      // The client hung up while the request was held back (killed, timed out): the request
      // never reached the provider's handler, so it changes nothing, as a lost request would.
      if (req.socket.destroyed) {
        stats.recordAbandoned(provider.name)
        return
      }
    }

    const failure = plan.failure
    if (failure !== undefined) stats.recordFault(failure.kind)
    if (failure?.kind === "reset") {
      req.socket.destroy()
      return
    }
    let response: SandboxResponse =
      failure?.kind === "429" || failure?.kind === "5xx"
        ? provider.injectedFailure(failure.kind, failure.status, ctx)
        : await prepared.run()
    let body = serializeBody(response)
    if (failure?.kind === "malformed") {
      // The work was done (a create really happened), but the client gets a broken 200.
      response = { status: 200, headers: { ...response.headers, "content-type": "application/json; charset=utf-8" } }
      body = truncateJson(body)
    }
    stats.recordResponse(provider.name, response.status)
    writeResponse(res, response, body)
  }

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      // A sandbox bug: answer 500 with the cause rather than hanging the client.
      if (!res.headersSent) writeResponse(res, json(500, { error: "sandbox internal error", message: String(error) }))
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const listening = (server.address() as AddressInfo).port
  origin = `http://127.0.0.1:${listening}`

  let closing: Promise<void> | undefined
  const base = {
    url: origin,
    port: listening,
    seed,
    stats,
    faults,
    clock,
    credentials,
    connections: Object.fromEntries(names.map((name) => [name, built[name]!.connection(origin)])),
    simulators: built,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      })
      return closing
    },
  }
  const endpoints = Object.fromEntries(names.map((name) => [name, built[name]!.endpoints(origin)]))
  return { ...endpoints, ...base } as unknown as SandboxServer<S>
}

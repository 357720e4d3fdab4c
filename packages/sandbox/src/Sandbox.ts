import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { setTimeout as sleep } from "node:timers/promises"
import { ADMIN_PREFIX, createAdminRouter, handleAdmin } from "./admin.ts"
import { SandboxClock } from "./clock.ts"
import { FaultInjector } from "./faults.ts"
import type { GhlCredentials } from "./ghl/credentials.ts"
import type { GhlAuthorizationOptions } from "./ghl/oauth.ts"
import {
  GHL_AUTHORIZE_PATH,
  GHL_LOCATION_TOKEN_PATH,
  GHL_PREFIX,
  GHL_TOKEN_PATH,
  GhlSimulator,
} from "./ghl/simulator.ts"
import type { GhlWebhookSigner } from "./ghl/webhooks.ts"
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
import type { KeapCredentials } from "./keap/credentials.ts"
import { KEAP_API_BASE, KEAP_AUTHORIZE_PATH, KEAP_PREFIX, KEAP_TOKEN_PATH, KeapSimulator } from "./keap/simulator.ts"
import type { CodeBinding } from "./oauth.ts"
import { resolveOptions, type SandboxOptions } from "./options.ts"
import type { ProviderSimulator } from "./provider.ts"
import { FixedWindowCounter } from "./rateLimit.ts"
import { SandboxStats } from "./stats.ts"

export interface SandboxCredentials {
  readonly keap: KeapCredentials
  readonly ghl: GhlCredentials
}

export interface KeapEndpoints {
  /** REST API root: append `/v1/...` or `/v2/...` (like https://api.infusionsoft.com/crm/rest). */
  readonly baseUrl: string
  /** OAuth token endpoint (like https://api.infusionsoft.com/token). */
  readonly tokenUrl: string
  /** OAuth authorization page (like https://accounts.infusionsoft.com/app/oauth/authorize); redirects at once. */
  readonly authorizeUrl: string
  /** A code the token endpoint accepts once, as if the user had consented. Bound to the registered redirect URI unless given. */
  issueAuthorizationCode(binding?: CodeBinding): string
}

export interface GhlEndpoints {
  /** API root (like https://services.leadconnectorhq.com). */
  readonly baseUrl: string
  readonly tokenUrl: string
  readonly locationTokenUrl: string
  /** Location chooser (like https://marketplace.gohighlevel.com/oauth/chooselocation); redirects at once. */
  readonly authorizeUrl: string
  /** A code the token endpoint accepts once, as if the user had consented for a location (or the agency). */
  issueAuthorizationCode(options?: GhlAuthorizationOptions): string
  /** Signs (Ed25519 and legacy RSA, key pairs generated at start) and delivers GHL webhooks. */
  readonly webhooks: GhlWebhookSigner
}

export interface SandboxServer {
  /** http://127.0.0.1:PORT */
  readonly url: string
  readonly port: number
  readonly seed: number
  readonly keap: KeapEndpoints
  readonly ghl: GhlEndpoints
  readonly stats: SandboxStats
  readonly faults: FaultInjector
  readonly clock: SandboxClock
  readonly credentials: SandboxCredentials
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}

/** Starts a sandbox on 127.0.0.1 (port 0 = any free port). */
export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxServer> {
  const resolved = resolveOptions(options)
  const clock = new SandboxClock()
  const stats = new SandboxStats()
  const faults = new FaultInjector()
  faults.inject(resolved.faults)
  const env = { clock, stats, limiter: new FixedWindowCounter(clock), seed: resolved.seed }
  const keap = new KeapSimulator(env, {
    contacts: resolved.contacts.keap,
    accessTokenTtlSeconds: resolved.accessTokenTtlSeconds,
    rateLimits: resolved.keapRateLimits,
  })
  const ghl = new GhlSimulator(env, {
    contacts: resolved.contacts.ghl,
    accessTokenTtlSeconds: resolved.accessTokenTtlSeconds,
    rateLimits: resolved.ghlRateLimits,
  })
  const providers: readonly ProviderSimulator[] = [keap, ghl]
  const credentials: SandboxCredentials = { keap: keap.credentials, ghl: ghl.credentials }
  const admin = createAdminRouter({ faults, stats, clock, credentials })

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
    const delay = resolved.latencyMs + plan.latencyMs
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
    server.listen(resolved.port, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  origin = `http://127.0.0.1:${port}`

  let closing: Promise<void> | undefined
  return {
    url: origin,
    port,
    seed: resolved.seed,
    keap: {
      baseUrl: `${origin}${KEAP_PREFIX}${KEAP_API_BASE}`,
      tokenUrl: `${origin}${KEAP_PREFIX}${KEAP_TOKEN_PATH}`,
      authorizeUrl: `${origin}${KEAP_PREFIX}${KEAP_AUTHORIZE_PATH}`,
      issueAuthorizationCode: (binding) => keap.issueAuthorizationCode(binding),
    },
    ghl: {
      baseUrl: `${origin}${GHL_PREFIX}`,
      tokenUrl: `${origin}${GHL_PREFIX}${GHL_TOKEN_PATH}`,
      locationTokenUrl: `${origin}${GHL_PREFIX}${GHL_LOCATION_TOKEN_PATH}`,
      authorizeUrl: `${origin}${GHL_PREFIX}${GHL_AUTHORIZE_PATH}`,
      issueAuthorizationCode: (authorization) => ghl.issueAuthorizationCode(authorization),
      webhooks: ghl.webhooks,
    },
    stats,
    faults,
    clock,
    credentials,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      })
      return closing
    },
  }
}

import { afterAll, beforeAll } from "vitest"
import { type GhlSandboxOptions, simulator as ghlSimulator } from "../../ghl/src/sandbox/index.ts"
import { type KeapSandboxOptions, simulator as keapSimulator } from "../../keap/src/sandbox/index.ts"
import { type FaultSpec, type SandboxServer, startSandbox } from "../src/index.ts"

/**
 * The kit's tests serve the two real simulators, as a user would (reached by path: the
 * provider packages depend on the kit, not the other way round). Options per provider,
 * or one value for both.
 */
export interface BothOptions {
  readonly seed?: number
  readonly port?: number
  readonly latencyMs?: number
  readonly faults?: readonly FaultSpec[]
  readonly contacts?: { readonly keap?: number; readonly ghl?: number }
  readonly rateLimits?:
    | boolean
    | { readonly keap?: KeapSandboxOptions["rateLimits"]; readonly ghl?: GhlSandboxOptions["rateLimits"] }
  readonly retryAfterHeader?: boolean | { readonly keap?: boolean; readonly ghl?: boolean }
  readonly accessTokenTtlSeconds?: number
}

const perProvider = <T>(value: T | { readonly keap?: T; readonly ghl?: T } | undefined, name: "keap" | "ghl") =>
  value !== null && typeof value === "object" && ("keap" in value || "ghl" in value)
    ? (value as { readonly keap?: T; readonly ghl?: T })[name]
    : (value as T | undefined)

export const startBoth = (options: BothOptions = {}) => {
  const { contacts, rateLimits, retryAfterHeader, accessTokenTtlSeconds, ...framework } = options
  const of = (name: "keap" | "ghl") => ({
    ...(contacts?.[name] === undefined ? {} : { contacts: contacts[name] }),
    ...(rateLimits === undefined ? {} : { rateLimits: perProvider(rateLimits as never, name) }),
    ...(retryAfterHeader === undefined ? {} : { retryAfterHeader: perProvider(retryAfterHeader, name) }),
    ...(accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds }),
  })
  return startSandbox({ ...framework, simulators: { keap: keapSimulator(of("keap")), ghl: ghlSimulator(of("ghl")) } })
}

/** Starts one sandbox for the enclosing describe/file and closes it afterwards. */
export function useSandbox(options?: BothOptions): () => SandboxServer {
  let server: SandboxServer | undefined
  beforeAll(async () => {
    server = await startBoth(options)
  })
  afterAll(async () => {
    await server?.close()
  })
  return () => {
    if (server === undefined) throw new Error("sandbox not started")
    return server
  }
}

/** Starts a sandbox for one test body and always closes it. */
export async function withSandbox<T>(options: BothOptions, body: (server: SandboxServer) => Promise<T>): Promise<T> {
  const server = await startBoth(options)
  try {
    return await body(server)
  } finally {
    await server.close()
  }
}

export type Json = Record<string, any>

export async function readJson(response: Response): Promise<Json> {
  return (await response.json()) as Json
}

export function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields),
  })
}

export function sendJson(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })
}

// --- Keap -----------------------------------------------------------------------------------

export function patHeaders(server: SandboxServer): Record<string, string> {
  return { "X-Keap-API-Key": server.credentials.keap.personalAccessToken }
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

/** Runs the Keap authorization-code exchange and returns the token response. */
export async function keapTokens(server: SandboxServer): Promise<Json> {
  const app = server.credentials.keap.oauthApp
  const response = await postForm(server.keap.tokenUrl, {
    grant_type: "authorization_code",
    code: server.keap.issueAuthorizationCode(),
    client_id: app.clientId,
    client_secret: app.clientSecret,
    redirect_uri: app.redirectUri,
  })
  if (response.status !== 200)
    throw new Error(`keap token exchange failed: ${response.status} ${await response.text()}`)
  return readJson(response)
}

export function keapBasicAuth(server: SandboxServer): Record<string, string> {
  const app = server.credentials.keap.oauthApp
  return { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}` }
}

// --- GHL ------------------------------------------------------------------------------------

export const GHL_VERSION = "2021-07-28"

export function ghlHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, Version: GHL_VERSION }
}

export function pitHeaders(server: SandboxServer): Record<string, string> {
  return ghlHeaders(server.credentials.ghl.privateIntegrationToken)
}

/** Runs the GHL authorization-code exchange (Location by default) and returns the token response. */
export async function ghlTokens(server: SandboxServer, userType: "Location" | "Company" = "Location"): Promise<Json> {
  const app = server.credentials.ghl.oauthApp
  const response = await postForm(server.ghl.tokenUrl, {
    grant_type: "authorization_code",
    code: server.ghl.issueAuthorizationCode({ userType }),
    client_id: app.clientId,
    client_secret: app.clientSecret,
    user_type: userType,
    redirect_uri: app.redirectUri,
  })
  if (response.status !== 200) throw new Error(`ghl token exchange failed: ${response.status} ${await response.text()}`)
  return readJson(response)
}

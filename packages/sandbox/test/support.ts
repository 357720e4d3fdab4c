import { afterAll, beforeAll } from "vitest"
import { type SandboxOptions, type SandboxServer, startSandbox } from "../src/index.ts"

/** Starts one sandbox for the enclosing describe/file and closes it afterwards. */
export function useSandbox(options?: SandboxOptions): () => SandboxServer {
  let server: SandboxServer | undefined
  beforeAll(async () => {
    server = await startSandbox(options)
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
export async function withSandbox<T>(options: SandboxOptions, body: (server: SandboxServer) => Promise<T>): Promise<T> {
  const server = await startSandbox(options)
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

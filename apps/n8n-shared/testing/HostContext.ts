/**
 * A stand-in for the n8n host, for unit tests only: the few context methods the crmkit
 * nodes use, with requests sent by `fetch` and authenticated the way n8n's credential
 * `authenticate` blocks do. The end-to-end tests run the same nodes in a real n8n.
 */
import type { IDataObject, IHttpRequestOptions, INode } from "n8n-workflow"

export interface HostOptions {
  /** Node parameters; a function is evaluated per item. */
  readonly parameters: Readonly<Record<string, unknown | ((itemIndex: number) => unknown)>>
  readonly credentialType: string
  readonly credentials: IDataObject
  /** Headers the credential adds (what its `authenticate` block would). */
  readonly authHeaders: Readonly<Record<string, string>>
  readonly items?: number
  readonly continueOnFail?: boolean
  readonly mode?: "manual" | "trigger"
  readonly staticData?: IDataObject
}

export const hostContext = (options: HostOptions) => {
  const node: INode = {
    id: "node-1",
    name: "Node",
    type: "test",
    typeVersion: 1,
    position: [0, 0],
    parameters: {},
    credentials: { [options.credentialType]: { id: "cred-1", name: "Test" } },
  }
  const staticData = options.staticData ?? {}
  const parameter = (name: string, itemIndex: number, fallback: unknown) => {
    const value = options.parameters[name]
    if (value === undefined) return fallback
    return typeof value === "function" ? (value as (i: number) => unknown)(itemIndex) : value
  }
  const requests: Array<string> = []
  const send = async (request: IHttpRequestOptions, authHeaders: Readonly<Record<string, string>>) => {
    requests.push(`${request.method ?? "GET"} ${new URL(request.url).pathname}`)
    const response = await fetch(request.url, {
      method: request.method ?? "GET",
      headers: { ...(request.headers as Record<string, string>), ...authHeaders },
      body: request.body as Buffer | undefined,
    })
    return {
      statusCode: response.status,
      headers: Object.fromEntries(response.headers),
      body: Buffer.from(await response.arrayBuffer()),
    }
  }
  return {
    requests,
    getNode: () => node,
    getMode: () => options.mode ?? "trigger",
    getInputData: () => Array.from({ length: options.items ?? 1 }, (_, i) => ({ json: { index: i } })),
    continueOnFail: () => options.continueOnFail ?? false,
    // Execute: (name, itemIndex, fallback); load options and poll: (name, fallback).
    getNodeParameter: (name: string, indexOrFallback?: unknown, fallback?: unknown) =>
      typeof indexOrFallback === "number"
        ? parameter(name, indexOrFallback, fallback)
        : parameter(name, 0, indexOrFallback),
    getCurrentNodeParameter: (name: string) => parameter(name, 0, undefined),
    getCredentials: async (type: string) => {
      if (type !== options.credentialType) throw new Error(`no ${type} credential`)
      return options.credentials
    },
    getWorkflowStaticData: () => staticData,
    helpers: {
      returnJsonArray: (items: Array<IDataObject>) => items.map((json) => ({ json })),
      httpRequestWithAuthentication: (_type: string, request: IHttpRequestOptions) =>
        send(request, options.authHeaders),
      // n8n's plain request: sent as it is, without the credential.
      httpRequest: (request: IHttpRequestOptions) => send(request, {}),
    },
  }
}

/**
 * Sends a credential's `test` request the way n8n's credential test does: `={{...}}`
 * expressions resolved against the credential's data, then the credential's own headers.
 */
export const sendCredentialTest = async (
  test: { readonly request: Record<string, unknown> },
  credentials: Record<string, unknown>,
  authHeaders: Record<string, string>,
): Promise<Response> => {
  const resolve = (value: unknown): string => {
    const text = String(value)
    if (!text.startsWith("=")) return text
    return text
      .slice(1)
      .replace(/\{\{(.+?)\}\}/g, (_, code: string) =>
        String(new Function("$credentials", `return (${code})`)(credentials) ?? ""),
      )
  }
  const request = test.request
  const url = new URL(resolve(request.baseURL).replace(/\/$/, "") + resolve(request.url))
  for (const [name, value] of Object.entries((request.qs ?? {}) as Record<string, unknown>)) {
    url.searchParams.set(name, resolve(value))
  }
  const headers: Record<string, string> = { ...authHeaders }
  for (const [name, value] of Object.entries((request.headers ?? {}) as Record<string, unknown>)) {
    headers[name] = resolve(value)
  }
  return fetch(url, { method: String(request.method ?? "GET"), headers })
}

/** Test support: the sandbox wired into the app's environment, and a local REST-hook receiver. */
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"

export const startKeapSandbox = async (): Promise<SandboxServer> => {
  // Each Zapier invocation has its own limiter, as on Lambda, so a fast test run would meet the
  // PAT's 10-per-second window; throttling is tested with injected 429s instead.
  const sandbox = await startSandbox({
    seed: 11,
    simulators: { keap: keapSimulator({ contacts: 40, rateLimits: false }) },
  })
  process.env.KEAP_BASE_URL = sandbox.keap.baseUrl
  process.env.KEAP_TOKEN_URL = sandbox.keap.tokenUrl
  process.env.KEAP_AUTHORIZE_URL = sandbox.keap.authorizeUrl
  process.env.CLIENT_ID = sandbox.credentials.keap.oauthApp.clientId
  process.env.CLIENT_SECRET = sandbox.credentials.keap.oauthApp.clientSecret
  return sandbox
}

export interface Received {
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** Stands in for Zapier's hook URL: records what Keap POSTs and answers 200 without echoing. */
export const startReceiver = async () => {
  const received: Array<Received> = []
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") })
      res.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Zapier's view of an inbound hook request: raw headers prefixed `Http-`, the parsed body. */
export const asZapierRequest = (request: Received) => ({
  rawRequest: {
    method: "POST",
    headers: Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        `Http-${name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())}`,
        String(value),
      ]),
    ),
    content: request.body,
  },
  cleanedRequest: request.body === "" ? {} : (JSON.parse(request.body) as unknown),
})

export const waitFor = async <A>(probe: () => A | undefined, what: string, timeoutMs = 5_000): Promise<A> => {
  const until = Date.now() + timeoutMs
  for (;;) {
    const found = probe()
    if (found !== undefined) return found
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

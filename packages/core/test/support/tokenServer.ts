import * as http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A real OAuth token endpoint on loopback that rotates refresh tokens: each refresh token
 * is accepted once, as Keap and GHL do. Counts what reaches it, for the tests that start
 * several processes on one credential.
 */
export interface TokenServer {
  readonly url: string
  readonly refreshes: () => number
  readonly rejected: () => number
  /** Holds each answer this long, so that concurrent holders overlap. */
  readonly setLatency: (ms: number) => void
  readonly stop: () => Promise<void>
}

export const startTokenServer = async (firstRefreshToken = "refresh-0"): Promise<TokenServer> => {
  const valid = new Set([firstRefreshToken])
  let issued = 0
  let rejected = 0
  let latency = 0
  const server = http.createServer((request, response) => {
    let body = ""
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString()
    })
    request.on("end", () => {
      setTimeout(() => {
        const form = new URLSearchParams(body)
        const presented = form.get("refresh_token") ?? ""
        response.setHeader("content-type", "application/json")
        if (form.get("grant_type") !== "refresh_token" || !valid.delete(presented)) {
          rejected++
          response.statusCode = 400
          response.end(JSON.stringify({ error: "invalid_grant", error_description: "Invalid Refresh Token" }))
          return
        }
        issued++
        valid.add(`refresh-${issued}`)
        response.end(
          JSON.stringify({
            access_token: `access-${issued}`,
            refresh_token: `refresh-${issued}`,
            expires_in: 3600,
            token_type: "bearer",
          }),
        )
      }, latency)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    refreshes: () => issued,
    rejected: () => rejected,
    setLatency: (ms) => {
      latency = ms
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * TestCRM's simulator for the sandbox kit (`@crmkit/testcrm/sandbox`): seeded deals, a
 * cursor-paged list, create with validation, an API key, a rate limit, and signed webhooks.
 * It imports only the kit.
 */
import { createHmac } from "node:crypto"
import { header, json, type RequestContext, type SandboxResponse, withHeaders } from "@crmkit/sandbox/http"
import { resolveCommonOptions } from "@crmkit/sandbox/options"
import type { CommonSimulatorOptions, ProviderSimulator, SimulatorFactory } from "@crmkit/sandbox/provider"
import type { RateWindow } from "@crmkit/sandbox/rateLimit"
import { Router } from "@crmkit/sandbox/router"
import { ALPHANUMERIC, hash32, isoString, Rng } from "@crmkit/sandbox/seed"

export interface TestCrmCredentials {
  readonly apiKey: string
  readonly signingSecret: string
}

export interface TestCrmEndpoints {
  readonly baseUrl: string
  /** A signed delivery of `event`, as TestCRM would send it. */
  sign(event: { readonly type: string; readonly id?: string; readonly data?: unknown }): {
    readonly body: string
    readonly headers: Record<string, string>
  }
}

interface Deal {
  readonly id: string
  readonly title: string
  readonly amount: number
  readonly createdAt: string
}

const PREFIX = "/testcrm"
const API = "/v1"
const WINDOW: RateWindow = { limit: 20, windowMs: 1000 }

const error = (status: number, message: string, fields?: ReadonlyArray<{ field: string; message: string }>) =>
  json(status, { error: { message, ...(fields === undefined ? {} : { fields }) } })

type Handler = (ctx: RequestContext, params: Readonly<Record<string, string>>) => SandboxResponse

export const simulator =
  (options: CommonSimulatorOptions = {}): SimulatorFactory<TestCrmEndpoints, TestCrmCredentials> =>
  (env) => {
    const common = resolveCommonOptions("testcrm", options)
    const rng = new Rng(hash32(env.seed, 0x7463726d))
    const credentials: TestCrmCredentials = {
      apiKey: `tcrm_${rng.string(32, ALPHANUMERIC)}`,
      signingSecret: `whsec_${rng.string(32, ALPHANUMERIC)}`,
    }
    const deals: Array<Deal> = Array.from({ length: common.contacts }, (_, i) => ({
      id: `d${i + 1}`,
      title: `Deal ${i + 1}`,
      amount: (i * 3_700) % 100_000,
      createdAt: isoString(Date.UTC(2024, 0, 1) + i * 60_000),
    }))

    const list: Handler = (ctx) => {
      const limitText = ctx.query.get("limit") ?? "20"
      const limit = Number(limitText)
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        return error(400, "limit must be an integer from 1 to 100", [{ field: "limit", message: `got ${limitText}` }])
      }
      const cursor = ctx.query.get("cursor")
      const start = cursor === null ? 0 : Number(Buffer.from(cursor, "base64url").toString("utf8"))
      if (!Number.isInteger(start) || start < 0) return error(400, "cursor is not one this API gave")
      const page = deals.slice(start, start + limit)
      const next = start + limit < deals.length ? Buffer.from(String(start + limit)).toString("base64url") : null
      return json(200, { data: page, next_cursor: next })
    }
    const get: Handler = (_ctx, params) => {
      const deal = deals.find((d) => d.id === params.id)
      return deal === undefined ? error(404, `no deal ${params.id}`) : json(200, deal)
    }
    const create: Handler = (ctx) => {
      const body = (ctx.body ?? {}) as { title?: unknown; amount?: unknown }
      const fields: Array<{ field: string; message: string }> = []
      if (typeof body.title !== "string" || body.title.length === 0 || body.title.length > 100) {
        fields.push({ field: "title", message: "must be 1 to 100 characters" })
      }
      if (typeof body.amount !== "number" || !(body.amount >= 0)) {
        fields.push({ field: "amount", message: "must be a number of cents, 0 or more" })
      }
      if (fields.length > 0) return error(422, "the deal is not valid", fields)
      const deal = {
        id: `d${deals.length + 1}`,
        title: body.title as string,
        amount: body.amount as number,
        createdAt: isoString(env.clock.now()),
      }
      deals.push(deal)
      return json(201, deal)
    }
    const router = new Router<Handler>()
      .add("GET", `${API}/deals`, list)
      .add("GET", `${API}/deals/:id`, get)
      .add("POST", `${API}/deals`, create)

    const provider: ProviderSimulator = {
      name: "testcrm",
      prefix: PREFIX,
      prepare: (ctx) => {
        const lookup = router.match(ctx.method, ctx.pathname.slice(PREFIX.length) || "/")
        const routeKey = `${ctx.method} ${PREFIX}${lookup.kind === "match" ? lookup.pattern : " (unmatched)"}`
        return {
          routeKey,
          run: () => {
            if (lookup.kind !== "match") return error(404, `no route for ${ctx.method} ${ctx.pathname}`)
            if (header(ctx, "x-api-key") !== credentials.apiKey) return error(401, "invalid API key")
            const decision = env.limiter.hit(`testcrm:${credentials.apiKey}`, [WINDOW], common.rateLimits !== false)
            const usage = decision.usages[0]!
            const limits = {
              "x-ratelimit-remaining": String(usage.remaining),
              "x-ratelimit-limit": String(WINDOW.limit),
            }
            if (!decision.allowed) return withHeaders(error(429, "rate limited"), limits)
            return withHeaders(lookup.route(ctx, lookup.params), limits)
          },
        }
      },
      injectedFailure: (kind, status) => (kind === "429" ? error(429, "rate limited") : error(status, "server error")),
    }
    const baseUrl = (origin: string) => `${origin}${PREFIX}${API}`
    return {
      provider,
      title: "TestCRM",
      credentials,
      endpoints: (origin) => ({
        baseUrl: baseUrl(origin),
        sign: (event) => {
          const body = JSON.stringify(event)
          const signature = `sha256=${createHmac("sha256", credentials.signingSecret).update(body).digest("hex")}`
          return { body, headers: { "content-type": "application/json", "x-testcrm-signature": signature } }
        },
      }),
      connection: (origin) => ({
        baseUrl: baseUrl(origin),
        credential: { kind: "key", secret: credentials.apiKey },
        context: {},
      }),
      summary: (origin) => [
        ["API base URL", baseUrl(origin)],
        ["API key (X-Api-Key)", credentials.apiKey],
        ["webhook signing secret", credentials.signingSecret],
      ],
    }
  }

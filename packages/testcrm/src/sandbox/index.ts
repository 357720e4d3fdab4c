/**
 * TestCRM's simulator for the sandbox kit (`@crmkit/testcrm/sandbox`): seeded contacts and
 * deals (each seeded deal on the seeded contact of its number), cursor-paged lists, create and
 * patch with validation, the fixed deal stages, an API key, a rate limit, and signed webhooks.
 * It imports only the kit.
 */
import { createHmac } from "node:crypto"
import { header, json, withHeaders } from "@crmkit/sandbox/http"
import { resolveCommonOptions } from "@crmkit/sandbox/options"
import type { CommonSimulatorOptions, ProviderSimulator, SimulatorFactory } from "@crmkit/sandbox/provider"
import type { RateWindow } from "@crmkit/sandbox/rateLimit"
import { Router } from "@crmkit/sandbox/router"
import { ALPHANUMERIC, hash32, isoString, Rng } from "@crmkit/sandbox/seed"
import { contactStore, cursorFor, cursorOf, error, type FieldIssue, type Handler, limitOf } from "./contacts.ts"

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

/** The one pipeline's stages, in order; a deal in `won` or `lost` is closed. */
export const STAGES = [
  { id: "lead", name: "Lead" },
  { id: "proposal", name: "Proposal" },
  { id: "won", name: "Won" },
  { id: "lost", name: "Lost" },
] as const

interface Deal {
  readonly id: string
  readonly title: string
  /** Cents. */
  readonly amount: number
  readonly contactId: string | null
  readonly stage: string
  readonly createdAt: string
  readonly updatedAt: string
}

const PREFIX = "/testcrm"
const API = "/v1"
const WINDOW: RateWindow = { limit: 20, windowMs: 1000 }

export const simulator =
  (options: CommonSimulatorOptions = {}): SimulatorFactory<TestCrmEndpoints, TestCrmCredentials> =>
  (env) => {
    const common = resolveCommonOptions("testcrm", options)
    const rng = new Rng(hash32(env.seed, 0x7463726d))
    const credentials: TestCrmCredentials = {
      apiKey: `tcrm_${rng.string(32, ALPHANUMERIC)}`,
      signingSecret: `whsec_${rng.string(32, ALPHANUMERIC)}`,
    }
    const contacts = contactStore(env.seed, common.contacts, env.clock)
    const deals: Array<Deal> = Array.from({ length: common.contacts }, (_, i) => {
      const createdAt = isoString(Date.UTC(2024, 0, 1) + i * 60_000)
      return {
        id: `d${i + 1}`,
        title: `Deal ${i + 1}`,
        amount: (i * 3_700) % 100_000,
        contactId: `c${i + 1}`,
        stage: STAGES[i % STAGES.length]!.id,
        createdAt,
        updatedAt: createdAt,
      }
    })

    const list: Handler = (ctx) => {
      const limit = limitOf(ctx)
      if (typeof limit !== "number") return limit
      const start = cursorOf(ctx)
      if (typeof start !== "number") return start
      const page = deals.slice(start, start + limit)
      const next = start + limit < deals.length ? cursorFor(start + limit) : null
      return json(200, { data: page, next_cursor: next })
    }
    const get: Handler = (_ctx, params) => {
      const deal = deals.find((d) => d.id === params.id)
      return deal === undefined ? error(404, `no deal ${params.id}`) : json(200, deal)
    }
    /** The deal fields a body sets, checked (`creating`: title and amount are required). */
    const dealFields = (body: Record<string, unknown>, creating: boolean) => {
      const fields: Array<FieldIssue> = []
      if (
        (creating || "title" in body) &&
        (typeof body.title !== "string" || body.title.length === 0 || body.title.length > 100)
      ) {
        fields.push({ field: "title", message: "must be 1 to 100 characters" })
      }
      if ((creating || "amount" in body) && (typeof body.amount !== "number" || !(body.amount >= 0))) {
        fields.push({ field: "amount", message: "must be a number of cents, 0 or more" })
      }
      if (body.contactId !== undefined && body.contactId !== null) {
        if (typeof body.contactId !== "string" || !contacts.exists(body.contactId))
          fields.push({ field: "contactId", message: `no contact ${String(body.contactId)}` })
      }
      if (body.stage !== undefined && !STAGES.some((s) => s.id === body.stage)) {
        fields.push({ field: "stage", message: `must be one of ${STAGES.map((s) => s.id).join(", ")}` })
      }
      return fields
    }
    const create: Handler = (ctx) => {
      const body = (ctx.body ?? {}) as Record<string, unknown>
      const fields = dealFields(body, true)
      if (fields.length > 0) return error(422, "the deal is not valid", fields)
      const now = isoString(env.clock.now())
      const deal: Deal = {
        id: `d${deals.length + 1}`,
        title: body.title as string,
        amount: body.amount as number,
        contactId: (body.contactId as string | null | undefined) ?? null,
        stage: (body.stage as string | undefined) ?? "lead",
        createdAt: now,
        updatedAt: now,
      }
      deals.push(deal)
      return json(201, deal)
    }
    /** Sets the fields given, leaves the others. */
    const patch: Handler = (ctx, params) => {
      const position = deals.findIndex((d) => d.id === params.id)
      const current = deals[position]
      if (current === undefined) return error(404, `no deal ${params.id}`)
      const body = (ctx.body ?? {}) as Record<string, unknown>
      const fields = dealFields(body, false)
      if (fields.length > 0) return error(422, "the deal is not valid", fields)
      const deal: Deal = {
        ...current,
        ...(body.title === undefined ? {} : { title: body.title as string }),
        ...(body.amount === undefined ? {} : { amount: body.amount as number }),
        ...(body.contactId === undefined ? {} : { contactId: body.contactId as string | null }),
        ...(body.stage === undefined ? {} : { stage: body.stage as string }),
        updatedAt: isoString(env.clock.now()),
      }
      deals[position] = deal
      return json(200, deal)
    }
    const router = new Router<Handler>()
      .add("GET", `${API}/deals`, list)
      .add("GET", `${API}/deals/:id`, get)
      .add("POST", `${API}/deals`, create)
      .add("PATCH", `${API}/deals/:id`, patch)
      .add("GET", `${API}/stages`, () => json(200, { data: STAGES }))
      .add("GET", `${API}/contacts`, contacts.list)
      .add("GET", `${API}/contacts/:id`, contacts.get)
      .add("POST", `${API}/contacts`, contacts.create)
      .add("PATCH", `${API}/contacts/:id`, contacts.patch)

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

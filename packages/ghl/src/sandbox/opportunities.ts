/**
 * Opportunities and pipelines: one seeded pipeline with three stages, opportunities kept in
 * memory. `GET /opportunities/search` pages by (createdAt, id) with `startAfter`/`startAfterId`
 * taken from `meta`, as GHL does.
 */
import { randomBytes } from "node:crypto"
import type { SandboxClock } from "@crmkit/sandbox/clock"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { GhlContactStore } from "./contactStore.ts"
import { ghlError, noLocationAccess, unprocessable } from "./errors.ts"
import type { GhlApiRequest, GhlRoute } from "./types.ts"

const STATUSES = new Set(["open", "won", "lost", "abandoned"])
export const GHL_OPPORTUNITY_MAX_LIMIT = 100

interface Opportunity {
  id: string
  name: string
  monetaryValue: number
  pipelineId: string
  pipelineStageId: string
  assignedTo?: string
  status: string
  contactId: string
  locationId: string
  createdAt: string
  updatedAt: string
  lastStatusChangeAt: string
}

const isResponse = (value: Opportunity | SandboxResponse): value is SandboxResponse => typeof value.status === "number"

const newId = () => randomBytes(15).toString("base64url").replace(/[-_]/g, "x").slice(0, 20)
const record = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {}

export function registerOpportunities(router: Router<GhlRoute>, contacts: GhlContactStore, clock: SandboxClock): void {
  const locationId = contacts.locationId
  const pipeline = {
    id: "pipeline-sales-0000001",
    name: "Sales",
    stages: [
      { id: "stage-new-00000000001", name: "New", position: 0 },
      { id: "stage-quote-000000001", name: "Quote sent", position: 1 },
      { id: "stage-closing-0000001", name: "Closing", position: 2 },
    ],
    showInFunnel: true,
    showInPieChart: true,
    locationId,
  }
  const opportunities = new Map<string, Opportunity>()
  let lastCreatedAt = 0

  const read: Pick<GhlRoute & { auth: "api" }, "auth" | "access" | "scope"> = {
    auth: "api",
    access: "location",
    scope: "opportunities.readonly",
  }
  const write = { ...read, scope: "opportunities.write" } as const

  const validate = (body: Record<string, unknown>, creating: boolean): string[] => {
    const messages: string[] = []
    if (creating) {
      if (typeof body.name !== "string" || body.name === "") messages.push("name should not be empty")
      if (typeof body.contactId !== "string" || body.contactId === "") messages.push("contactId should not be empty")
      if (typeof body.locationId !== "string") messages.push("locationId must be a string")
      if (typeof body.pipelineId !== "string") messages.push("pipelineId must be a string")
    }
    if (body.status !== undefined && !STATUSES.has(body.status as string))
      messages.push("status must be a valid enum value")
    if (body.pipelineId !== undefined && body.pipelineId !== pipeline.id) messages.push("pipelineId is invalid")
    if (body.pipelineStageId !== undefined && !pipeline.stages.some((s) => s.id === body.pipelineStageId))
      messages.push("pipelineStageId is invalid")
    if (body.monetaryValue !== undefined && typeof body.monetaryValue !== "number")
      messages.push("monetaryValue must be a number")
    return messages
  }

  const find = (request: GhlApiRequest): Opportunity | SandboxResponse => {
    const found = opportunities.get(request.params.id as string)
    if (found === undefined) return ghlError(404, "Opportunity not found")
    if (found.locationId !== request.principal.locationId) return noLocationAccess()
    return found
  }

  router
    .add("GET", "/opportunities/pipelines", {
      ...read,
      handle: ({ ctx, principal }: GhlApiRequest) => {
        const asked = ctx.query.get("locationId")
        if (!asked) return unprocessable(["locationId should not be empty"])
        if (asked !== principal.locationId) return noLocationAccess()
        return json(200, { pipelines: [pipeline] })
      },
    })
    .add("POST", "/opportunities/", {
      ...write,
      handle: ({ ctx, principal }: GhlApiRequest) => {
        const body = record(ctx.body)
        const messages = validate(body, true)
        if (messages.length > 0) return unprocessable(messages)
        if (body.locationId !== principal.locationId) return noLocationAccess()
        if (contacts.find(body.contactId as string) === undefined) return ghlError(400, "Contact not found")
        const createdAt = Math.max(clock.now(), lastCreatedAt + 1)
        lastCreatedAt = createdAt
        const at = new Date(createdAt).toISOString()
        const opportunity: Opportunity = {
          id: newId(),
          name: body.name as string,
          monetaryValue: (body.monetaryValue as number | undefined) ?? 0,
          pipelineId: pipeline.id,
          pipelineStageId: (body.pipelineStageId as string | undefined) ?? (pipeline.stages[0]?.id as string),
          status: (body.status as string | undefined) ?? "open",
          contactId: body.contactId as string,
          locationId,
          createdAt: at,
          updatedAt: at,
          lastStatusChangeAt: at,
          ...(typeof body.assignedTo === "string" ? { assignedTo: body.assignedTo } : {}),
        }
        opportunities.set(opportunity.id, opportunity)
        return json(201, { opportunity })
      },
    })
    .add("GET", "/opportunities/search", {
      ...read,
      handle: ({ ctx, principal }: GhlApiRequest) => {
        const q = ctx.query
        const asked = q.get("location_id")
        if (!asked) return unprocessable(["location_id should not be empty"])
        if (asked !== principal.locationId) return noLocationAccess()
        const limit = Number(q.get("limit") ?? 20)
        if (!Number.isInteger(limit) || limit < 1 || limit > GHL_OPPORTUNITY_MAX_LIMIT)
          return unprocessable([`limit must not be greater than ${GHL_OPPORTUNITY_MAX_LIMIT}`])
        const status = q.get("status")
        const stage = q.get("pipeline_stage_id")
        const contactId = q.get("contact_id")
        const startAfterId = q.get("startAfterId") ?? ""
        // `order=added_desc` pages newest first (sandbox choice: the spec shows only `added_asc`).
        const descending = q.get("order") === "added_desc"
        const direction = descending ? -1 : 1
        const cursor = Number(q.get("startAfter") ?? (descending ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY))
        const matching = [...opportunities.values()]
          .filter((o) => !status || status === "all" || o.status === status)
          .filter((o) => !stage || o.pipelineStageId === stage)
          .filter((o) => !contactId || o.contactId === contactId)
          .sort((a, b) => direction * (Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id)))
        const after = matching.filter((o) => {
          const t = Date.parse(o.createdAt)
          return direction * (t - cursor) > 0 || (t === cursor && direction * o.id.localeCompare(startAfterId) > 0)
        })
        const page = after.slice(0, limit)
        const last = page.at(-1)
        const more = after.length > page.length && last !== undefined
        return json(200, {
          opportunities: page,
          meta: {
            total: matching.length,
            startAfterId: more ? last.id : null,
            startAfter: more ? Date.parse(last.createdAt) : null,
          },
          aggregations: {},
        })
      },
    })
    .add("GET", "/opportunities/:id", {
      ...read,
      handle: (request: GhlApiRequest) => {
        const found = find(request)
        return isResponse(found) ? found : json(200, { opportunity: found })
      },
    })
    .add("PUT", "/opportunities/:id", {
      ...write,
      handle: (request: GhlApiRequest) => {
        const found = find(request)
        if (isResponse(found)) return found
        const body = record(request.ctx.body)
        const messages = validate(body, false)
        if (messages.length > 0) return unprocessable(messages)
        for (const key of ["name", "pipelineStageId", "status", "monetaryValue", "assignedTo"] as const)
          if (body[key] !== undefined) (found as unknown as Record<string, unknown>)[key] = body[key]
        found.updatedAt = new Date(clock.now()).toISOString()
        return json(200, { opportunity: found })
      },
    })
    .add("PUT", "/opportunities/:id/status", {
      ...write,
      handle: (request: GhlApiRequest) => {
        const found = find(request)
        if (isResponse(found)) return found
        const status = record(request.ctx.body).status
        if (!STATUSES.has(status as string)) return unprocessable(["status must be a valid enum value"])
        found.status = status as string
        found.lastStatusChangeAt = new Date(clock.now()).toISOString()
        return json(200, { succeded: true })
      },
    })
    .add("DELETE", "/opportunities/:id", {
      ...write,
      handle: (request: GhlApiRequest) => {
        const found = find(request)
        if (isResponse(found)) return found
        opportunities.delete(found.id)
        return json(200, { succeded: true })
      },
    })
}

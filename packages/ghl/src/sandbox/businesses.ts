/**
 * Businesses (GHL's companies) kept in memory, and contacts' membership: the bulk route sets a
 * contact's `businessId` (the contact bodies have no such field), and the contacts of a business
 * are listed by it.
 */
import { randomBytes } from "node:crypto"
import type { SandboxClock } from "@crmkit/sandbox/clock"
import { json } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { GhlContactStore } from "./contactStore.ts"
import { ghlError, noLocationAccess, unprocessable } from "./errors.ts"
import { locationRoute, wrongLocation } from "./routes.ts"
import type { GhlApiRequest, GhlRoute } from "./types.ts"

const newId = () => randomBytes(15).toString("base64url").replace(/[-_]/g, "x").slice(0, 20)
const record = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {}
const BUSINESS_FIELDS = [
  "name",
  "phone",
  "email",
  "website",
  "address",
  "city",
  "postalCode",
  "state",
  "country",
  "description",
]

export function registerBusinesses(router: Router<GhlRoute>, contacts: GhlContactStore, clock: SandboxClock): void {
  const locationId = contacts.locationId
  const businesses = new Map<string, Record<string, unknown> & { id: string }>()
  const route = locationRoute
  const atLocation = wrongLocation
  const business = (request: GhlApiRequest) => businesses.get(request.params.businessId as string)

  router
    .add(
      "GET",
      "/businesses/",
      route(
        "businesses.readonly",
        (request) => atLocation(request) ?? json(200, { businesses: [...businesses.values()] }),
      ),
    )
    .add(
      "POST",
      "/businesses/",
      route("businesses.write", ({ ctx, principal }) => {
        const body = record(ctx.body)
        const problems: string[] = []
        if (typeof body.name !== "string" || body.name === "") problems.push("name should not be empty")
        if (typeof body.locationId !== "string") problems.push("locationId must be a string")
        if (problems.length > 0) return unprocessable(problems)
        if (body.locationId !== principal.locationId) return noLocationAccess()
        const at = new Date(clock.now()).toISOString()
        const created = {
          id: newId(),
          locationId,
          ...Object.fromEntries(BUSINESS_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]])),
          createdAt: at,
          updatedAt: at,
        }
        businesses.set(created.id, created)
        return json(201, { success: true, business: created })
      }),
    )
    .add(
      "GET",
      "/businesses/:businessId",
      route("businesses.readonly", (request) => {
        const found = business(request)
        return found === undefined ? ghlError(404, "Business not found") : json(200, { business: found })
      }),
    )
    .add(
      "PUT",
      "/businesses/:businessId",
      route("businesses.write", (request) => {
        const found = business(request)
        if (found === undefined) return ghlError(404, "Business not found")
        const body = record(request.ctx.body)
        for (const f of BUSINESS_FIELDS) if (body[f] !== undefined) found[f] = body[f]
        found.updatedAt = new Date(clock.now()).toISOString()
        // The spec's response names the business `buiseness`; the sandbox answers as specified.
        return json(200, { success: true, buiseness: found })
      }),
    )
    .add(
      "DELETE",
      "/businesses/:businessId",
      route("businesses.write", (request) =>
        businesses.delete(request.params.businessId as string)
          ? json(200, { success: true })
          : ghlError(404, "Business not found"),
      ),
    )
    .add(
      "POST",
      "/contacts/bulk/business",
      route("contacts.write", ({ ctx, principal }) => {
        const body = record(ctx.body)
        const problems: string[] = []
        if (typeof body.locationId !== "string" || body.locationId === "")
          problems.push("locationId should not be empty")
        const ids = body.ids
        if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string"))
          problems.push("each value in ids must be a string")
        if (body.businessId !== null && typeof body.businessId !== "string")
          problems.push("businessId must be a string or null")
        if (problems.length > 0) return unprocessable(problems)
        if (body.locationId !== principal.locationId) return noLocationAccess()
        const businessId = body.businessId as string | null
        if (businessId !== null && !businesses.has(businessId)) return ghlError(404, "Business not found")
        const found = (ids as string[]).map((id) => contacts.find(id))
        if (found.some((f) => f === undefined)) return ghlError(400, "Contact not found")
        // Sandbox choice: a contact joining a business takes its name as company name (GHL shows it so).
        const name = businessId === null ? undefined : businesses.get(businessId)?.name
        for (const f of found)
          if (f !== undefined)
            contacts.update(f.index, { businessId, ...(name === undefined ? {} : { companyName: name }) })
        return json(200, { success: true, ids, businessId })
      }),
    )
    .add(
      "GET",
      "/contacts/business/:businessId",
      route("contacts.readonly", (request) => {
        const id = request.params.businessId as string
        const view = contacts.collection.query({ cacheKey: `business==${id}`, where: (c) => c.businessId === id })
        const members = []
        for (let position = 0; position < view.length; position++) members.push(contacts.at(view.at(position)))
        return json(200, { contacts: members, count: members.length })
      }),
    )
}

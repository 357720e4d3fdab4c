/**
 * The sandbox location itself, its users, workflows and businesses: the installing user, two
 * workflows, and businesses kept in memory.
 */
import { randomBytes } from "node:crypto"
import type { SandboxClock } from "@crmkit/sandbox/clock"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { GhlCredentials } from "./credentials.ts"
import { ghlError, noLocationAccess, unprocessable } from "./errors.ts"
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

export function registerDirectory(
  router: Router<GhlRoute>,
  credentials: GhlCredentials,
  clock: SandboxClock,
  settings: () => { readonly allowDuplicateContact: boolean } = () => ({ allowDuplicateContact: false }),
): void {
  const { locationId, userId, companyId } = credentials
  const location = {
    id: locationId,
    companyId,
    name: "Sandbox Location",
    email: "owner@sandbox.example.com",
    phone: "+15550100000",
    timezone: "America/New_York",
    country: "US",
  }
  const user = {
    id: userId,
    name: "Sandbox Owner",
    firstName: "Sandbox",
    lastName: "Owner",
    email: "owner@sandbox.example.com",
    phone: "+15550100000",
    roles: { type: "account", role: "admin", locationIds: [locationId] },
  }
  const workflows = [
    { id: "workflow-welcome-00001", name: "Welcome series", status: "published", version: 3, locationId },
    { id: "workflow-nurture-00001", name: "Nurture", status: "draft", version: 1, locationId },
  ].map((w) => ({ ...w, createdAt: "2026-01-05T10:00:00.000Z", updatedAt: "2026-02-01T10:00:00.000Z" }))
  const businesses = new Map<string, Record<string, unknown> & { id: string }>()

  const route = (scope: string, handle: (request: GhlApiRequest) => SandboxResponse): GhlRoute => ({
    auth: "api",
    access: "location",
    scope,
    handle,
  })
  const atLocation = (request: GhlApiRequest): SandboxResponse | undefined => {
    const asked = request.ctx.query.get("locationId")
    if (!asked) return unprocessable(["locationId should not be empty"])
    return asked === request.principal.locationId ? undefined : noLocationAccess()
  }
  const business = (request: GhlApiRequest) => businesses.get(request.params.businessId as string)

  router
    .add("GET", "/locations/:locationId", {
      auth: "api",
      access: "both",
      scope: "locations.readonly",
      handle: ({ params, principal }) =>
        // A location token reads its own location; an agency token any location of its company.
        params.locationId === location.id &&
        (principal.locationId === location.id ||
          (principal.authClass === "Company" && principal.companyId === companyId))
          ? json(200, { location: { ...location, settings: { ...settings(), allowDuplicateOpportunity: false } } })
          : noLocationAccess(),
    })
    .add(
      "GET",
      "/users/",
      route("users.readonly", (request) => atLocation(request) ?? json(200, { users: [user] })),
    )
    .add(
      "GET",
      "/users/:userId",
      route("users.readonly", ({ params }) =>
        params.userId === userId ? json(200, user) : ghlError(404, "User not found"),
      ),
    )
    .add(
      "GET",
      "/workflows/",
      route("workflows.readonly", (request) => atLocation(request) ?? json(200, { workflows })),
    )
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
}

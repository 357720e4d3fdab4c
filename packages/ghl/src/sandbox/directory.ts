/**
 * The sandbox location itself, its users and workflows: the installing user and two workflows.
 * Businesses are in businesses.ts.
 */
import { json } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { GhlCredentials } from "./credentials.ts"
import { ghlError, noLocationAccess } from "./errors.ts"
import { locationRoute, wrongLocation } from "./routes.ts"
import type { GhlRoute } from "./types.ts"

export function registerDirectory(
  router: Router<GhlRoute>,
  credentials: GhlCredentials,
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

  const route = locationRoute
  const atLocation = wrongLocation

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
}

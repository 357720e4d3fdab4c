import type { SandboxResponse } from "@crmkit/sandbox/http"
import { noLocationAccess, unprocessable } from "./errors.ts"
import type { GhlApiRequest, GhlRoute } from "./types.ts"

/** A route of the location's API (a location token, or an agency's minted for it), needing `scope`. */
export const locationRoute = (scope: string, handle: (request: GhlApiRequest) => SandboxResponse): GhlRoute => ({
  auth: "api",
  access: "location",
  scope,
  handle,
})

/** GHL's answer when `?locationId=` is missing or names another location than the token's; none when it is right. */
export const wrongLocation = (request: GhlApiRequest): SandboxResponse | undefined => {
  const asked = request.ctx.query.get("locationId")
  if (!asked) return unprocessable(["locationId should not be empty"])
  return asked === request.principal.locationId ? undefined : noLocationAccess()
}

import type { RequestContext, SandboxResponse } from "@crmkit/sandbox/http"

export type GhlUserType = "Location" | "Company"

/** What an OAuth grant carries: the token level and the resources and scopes it covers. */
export interface GhlGrant {
  readonly userType: GhlUserType
  readonly companyId: string
  /** Present for Location (sub-account) grants. */
  readonly locationId?: string
  readonly scopes: readonly string[]
  readonly userId: string
}

/** Who is calling: an OAuth access token (Location or Company) or a Private Integration Token. */
export interface GhlPrincipal {
  readonly kind: "oauth" | "pit"
  readonly authClass: GhlUserType
  /** The rate-limit owner: the OAuth app's client id, or the PIT itself. */
  readonly appId: string
  readonly companyId: string
  readonly locationId?: string
  readonly scopes: ReadonlySet<string>
  readonly userId: string
}

export interface GhlApiRequest {
  readonly ctx: RequestContext
  readonly params: Readonly<Record<string, string>>
  readonly principal: GhlPrincipal
}

/**
 * Which tokens a route accepts (the spec's security schemes):
 * - `location`: a Location access token or a Location PIT (`bearer` / `Location-Access`);
 * - `agency-only`: an Agency (Company) access token only (`Agency-Access-Only`).
 */
/** Which token class a route admits: `both` for the few reads GHL allows to location and agency tokens. */
export type GhlAccess = "location" | "agency-only" | "both"

export type GhlRoute =
  | { readonly auth: "public"; readonly handle: (ctx: RequestContext) => SandboxResponse }
  | {
      readonly auth: "api"
      readonly access: GhlAccess
      readonly scope: string
      readonly handle: (request: GhlApiRequest) => SandboxResponse
    }

/** GoHighLevel's published endpoints. Every one is overridable, for gateways, proxies and the sandbox. */
export const defaults = {
  baseUrl: "https://services.leadconnectorhq.com",
  authorizeUrl: "https://marketplace.gohighlevel.com/v2/oauth/chooselocation",
  /** The white-label marketplace host, for agencies that rebrand. */
  whiteLabelAuthorizeUrl: "https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation",
  /** The API version most v2 endpoints declare; calendars and conversations use 2021-04-15. */
  version: "2021-07-28",
} as const

export interface GhlClientOptions {
  readonly baseUrl?: string | undefined
  /** Sent as the `Version` header unless a request names its own. */
  readonly version?: string | undefined
  /** The location the hand-written services work in when a call does not name one. */
  readonly locationId?: string | undefined
  /** The agency, filled into the operations that take a `companyId` and were not given one. */
  readonly companyId?: string | undefined
}

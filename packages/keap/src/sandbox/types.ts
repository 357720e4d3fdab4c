import type { RequestContext, SandboxResponse } from "@crmkit/sandbox/http"

/** Who is calling the Keap API: an OAuth app (via its access token) or a PAT/SAK. */
export type KeapPrincipal =
  | { readonly kind: "oauth"; readonly clientId: string }
  | { readonly kind: "pat" | "sak"; readonly key: string }

export interface KeapApiRequest {
  readonly ctx: RequestContext
  readonly params: Readonly<Record<string, string>>
  readonly principal: KeapPrincipal
}

/** A Keap route: `public` ones (OAuth endpoints) skip API authentication and rate limiting. */
export type KeapRoute =
  | { readonly auth: "public"; readonly handle: (ctx: RequestContext) => SandboxResponse }
  | {
      readonly auth: "api"
      readonly handle: (request: KeapApiRequest) => SandboxResponse | Promise<SandboxResponse>
    }

/** Keap's published endpoints. Every one is overridable, for gateways, proxies and the sandbox. */
export const defaults = {
  baseUrl: "https://api.infusionsoft.com/crm/rest",
  tokenUrl: "https://api.infusionsoft.com/token",
  authorizeUrl: "https://accounts.infusionsoft.com/app/oauth/authorize",
  /** The header that carries a Personal Access Token or Service Account Key. */
  apiKeyHeader: "X-Keap-API-Key",
} as const

export interface KeapClientOptions {
  readonly baseUrl?: string | undefined
  /** Headers that may carry a request id, first match wins. */
  readonly requestIdHeaders?: ReadonlyArray<string> | undefined
}

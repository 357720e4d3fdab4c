import type { ICredentialTestRequest, ICredentialType, INodeProperties } from "n8n-workflow"

/**
 * Keap OAuth2. n8n runs the consent and refreshes the token (Keap's refresh tokens are
 * single-use, so the host that stores them is the one that refreshes).
 */
export class CrmkitKeapOAuth2Api implements ICredentialType {
  name = "crmkitKeapOAuth2Api"

  extends = ["oAuth2Api"]

  displayName = "Keap OAuth2 (crmkit) API"

  icon = { light: "file:../icons/keap.svg", dark: "file:../icons/keap.dark.svg" } as const

  documentationUrl = "https://developer.keap.com/getting-started/"

  properties: INodeProperties[] = [
    { displayName: "Grant Type", name: "grantType", type: "hidden", default: "authorizationCode" },
    {
      displayName: "Authorization URL",
      name: "authUrl",
      type: "string",
      default: "https://accounts.infusionsoft.com/app/oauth/authorize",
      required: true,
    },
    {
      displayName: "Access Token URL",
      name: "accessTokenUrl",
      type: "string",
      default: "https://api.infusionsoft.com/token",
      required: true,
    },
    { displayName: "Scope", name: "scope", type: "hidden", default: "full" },
    { displayName: "Auth URI Query Parameters", name: "authQueryParameters", type: "hidden", default: "" },
    { displayName: "Authentication", name: "authentication", type: "hidden", default: "body" },
    {
      displayName: "Base URL",
      name: "baseUrl",
      type: "string",
      default: "https://api.infusionsoft.com/crm/rest",
      description: "Keap's REST root; change it only for a gateway or a test server",
    },
  ]

  test: ICredentialTestRequest = {
    request: { baseURL: "={{$credentials.baseUrl}}", url: "/v2/tags", qs: { page_size: 1 } },
  }
}

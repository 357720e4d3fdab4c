import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from "n8n-workflow"

/** A Keap Personal Access Token or Service Account Key, sent as `X-Keap-API-Key`. */
export class CrmkitKeapApi implements ICredentialType {
  name = "crmkitKeapApi"

  displayName = "Keap API Key (crmkit) API"

  icon = { light: "file:../icons/keap.svg", dark: "file:../icons/keap.dark.svg" } as const

  documentationUrl = "https://developer.keap.com/pat-and-sak/"

  properties: INodeProperties[] = [
    {
      displayName: "Key Type",
      name: "keyType",
      type: "options",
      options: [
        { name: "Personal Access Token", value: "pat" },
        { name: "Service Account Key", value: "sak" },
      ],
      default: "pat",
      description: "Which kind of Keap key this is; they have different rate limits",
    },
    {
      displayName: "API Key",
      name: "apiKey",
      type: "string",
      typeOptions: { password: true },
      default: "",
      required: true,
    },
    {
      displayName: "Base URL",
      name: "baseUrl",
      type: "string",
      default: "https://api.infusionsoft.com/crm/rest",
      description: "Keap's REST root; change it only for a gateway or a test server",
    },
  ]

  authenticate: IAuthenticateGeneric = {
    type: "generic",
    properties: { headers: { "X-Keap-API-Key": "={{$credentials.apiKey}}" } },
  }

  test: ICredentialTestRequest = {
    request: { baseURL: "={{$credentials.baseUrl}}", url: "/v2/tags", qs: { page_size: 1 } },
  }
}

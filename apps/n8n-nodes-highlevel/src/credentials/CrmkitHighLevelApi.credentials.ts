import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from "n8n-workflow"

/** A HighLevel Private Integration Token of one location (Settings → Private Integrations). */
export class CrmkitHighLevelApi implements ICredentialType {
  name = "crmkitHighLevelApi"

  displayName = "HighLevel Private Integration Token (crmkit) API"

  icon = { light: "file:../icons/highlevel.svg", dark: "file:../icons/highlevel.dark.svg" } as const

  documentationUrl = "https://help.gohighlevel.com/support/solutions/articles/155000003054-private-integrations"

  properties: INodeProperties[] = [
    {
      displayName: "Private Integration Token",
      name: "token",
      type: "string",
      typeOptions: { password: true },
      default: "",
      required: true,
    },
    {
      displayName: "Location ID",
      name: "locationId",
      type: "string",
      default: "",
      required: true,
      description: "The sub-account (location) the token belongs to; every operation runs in it",
    },
    {
      displayName: "Base URL",
      name: "baseUrl",
      type: "string",
      default: "https://services.leadconnectorhq.com",
      description: "HighLevel's API root; change it only for a gateway or a test server",
    },
  ]

  authenticate: IAuthenticateGeneric = {
    type: "generic",
    properties: { headers: { Authorization: "=Bearer {{$credentials.token}}" } },
  }

  test: ICredentialTestRequest = {
    request: {
      baseURL: "={{$credentials.baseUrl}}",
      url: "/contacts/",
      qs: { locationId: "={{$credentials.locationId}}", limit: 1 },
      headers: { Version: "2021-07-28" },
    },
  }
}

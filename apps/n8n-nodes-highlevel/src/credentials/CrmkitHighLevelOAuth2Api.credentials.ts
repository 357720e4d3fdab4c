import type { ICredentialTestRequest, ICredentialType, INodeProperties } from "n8n-workflow"

/**
 * HighLevel OAuth2 (Marketplace app), for a location or an agency. n8n runs the consent
 * and refreshes the token (GHL's refresh tokens are single-use, so the host that stores
 * them is the one that refreshes). Agency tokens name the location to work in.
 */
export class CrmkitHighLevelOAuth2Api implements ICredentialType {
  name = "crmkitHighLevelOAuth2Api"

  extends = ["oAuth2Api"]

  displayName = "HighLevel OAuth2 (crmkit) API"

  icon = { light: "file:../icons/highlevel.svg", dark: "file:../icons/highlevel.dark.svg" } as const

  documentationUrl = "https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0"

  properties: INodeProperties[] = [
    { displayName: "Grant Type", name: "grantType", type: "hidden", default: "authorizationCode" },
    {
      displayName: "Marketplace Host",
      name: "authUrl",
      type: "options",
      options: [
        { name: "Standard (gohighlevel.com)", value: "https://marketplace.gohighlevel.com/v2/oauth/chooselocation" },
        {
          name: "White-Label (leadconnectorhq.com)",
          value: "https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation",
        },
      ],
      default: "https://marketplace.gohighlevel.com/v2/oauth/chooselocation",
      required: true,
      description: "Where users consent: white-label agencies use the LeadConnector host",
    },
    {
      displayName: "Access Token URL",
      name: "accessTokenUrl",
      type: "string",
      default: "https://services.leadconnectorhq.com/oauth/token",
      required: true,
    },
    {
      displayName: "Scope",
      name: "scope",
      type: "string",
      default:
        "contacts.readonly contacts.write opportunities.readonly opportunities.write calendars.readonly calendars/events.readonly calendars/events.write conversations.readonly conversations.write conversations/message.readonly conversations/message.write locations.readonly locations/tags.readonly locations/customFields.readonly users.readonly workflows.readonly objects/record.readonly objects/record.write",
      description: "Space-separated scopes; they must match the app's scopes in the Marketplace",
    },
    {
      displayName: "Account Level",
      name: "userType",
      type: "options",
      options: [
        { name: "Location (Sub-Account)", value: "Location" },
        { name: "Agency (Company)", value: "Company" },
      ],
      default: "Location",
      description: "An agency token works in the location named below",
    },
    {
      displayName: "Location ID",
      name: "locationId",
      type: "string",
      default: "",
      description: "For agency tokens: the location to work in. Location tokens use their own location.",
    },
    { displayName: "Auth URI Query Parameters", name: "authQueryParameters", type: "hidden", default: "" },
    { displayName: "Authentication", name: "authentication", type: "hidden", default: "body" },
    {
      displayName: "Base URL",
      name: "baseUrl",
      type: "string",
      default: "https://services.leadconnectorhq.com",
      description: "HighLevel's API root; change it only for a gateway or a test server",
    },
  ]

  test: ICredentialTestRequest = {
    request: {
      baseURL: "={{$credentials.baseUrl}}",
      // A location read that GHL allows to both location and agency tokens.
      url: "=/locations/{{$credentials.locationId || $credentials.oauthTokenData.locationId}}",
      headers: { Version: "2021-07-28" },
    },
  }
}

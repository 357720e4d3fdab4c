/** n8n credentials pointing our credential types at the sandbox (its seeded, fake keys). */
import type { SandboxServer } from "@crmkit/sandbox"
import type { Credential } from "./RealN8n.ts"

export const keapKey = { crmkitKeapApi: { id: "keapKey1", name: "Keap sandbox" } }
export const highLevelToken = { crmkitHighLevelApi: { id: "ghlToken1", name: "HighLevel sandbox" } }

export const sandboxCredentials = (sandbox: SandboxServer): Array<Credential> => [
  {
    ...keapKey.crmkitKeapApi,
    type: "crmkitKeapApi",
    data: { keyType: "pat", apiKey: sandbox.credentials.keap.personalAccessToken, baseUrl: sandbox.keap.baseUrl },
  },
  {
    ...highLevelToken.crmkitHighLevelApi,
    type: "crmkitHighLevelApi",
    data: {
      apiKey: sandbox.credentials.ghl.privateIntegrationToken,
      locationId: sandbox.credentials.ghl.locationId,
      baseUrl: sandbox.ghl.baseUrl,
    },
  },
]

export const keapOAuth = { crmkitKeapOAuth2Api: { id: "keapOAuth1", name: "Keap sandbox OAuth2" } }
export const highLevelOAuth = { crmkitHighLevelOAuth2Api: { id: "ghlOAuth1", name: "HighLevel sandbox OAuth2" } }
export const highLevelAgencyOAuth = {
  crmkitHighLevelOAuth2Api: { id: "ghlAgency1", name: "HighLevel sandbox agency OAuth2" },
}

const exchange = async (tokenUrl: string, form: Record<string, string>) => {
  const response = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  })
  if (!response.ok) throw new Error(`sandbox token exchange failed: ${response.status} ${await response.text()}`)
  return (await response.json()) as Record<string, unknown>
}

/**
 * OAuth2 credentials as n8n stores them after a consent (the sandbox consents without a
 * browser). The Keap one and the HighLevel agency one carry a stale access token, so their
 * first request is refused and n8n must refresh it with the (single-use) refresh token.
 */
export const sandboxOAuthCredentials = async (sandbox: SandboxServer): Promise<Array<Credential>> => {
  const keapApp = sandbox.credentials.keap.oauthApp
  const keapTokens = await exchange(sandbox.keap.tokenUrl, {
    grant_type: "authorization_code",
    code: sandbox.keap.issueAuthorizationCode({ redirectUri: keapApp.redirectUri }),
    client_id: keapApp.clientId,
    client_secret: keapApp.clientSecret,
    redirect_uri: keapApp.redirectUri,
  })
  const ghlApp = sandbox.credentials.ghl.oauthApp
  const ghlTokens = await exchange(sandbox.ghl.tokenUrl, {
    grant_type: "authorization_code",
    code: sandbox.ghl.issueAuthorizationCode({ redirectUri: ghlApp.redirectUri }),
    client_id: ghlApp.clientId,
    client_secret: ghlApp.clientSecret,
    redirect_uri: ghlApp.redirectUri,
    user_type: "Location",
  })
  const agencyTokens = await exchange(sandbox.ghl.tokenUrl, {
    grant_type: "authorization_code",
    code: sandbox.ghl.issueAuthorizationCode({ redirectUri: ghlApp.redirectUri, userType: "Company" }),
    client_id: ghlApp.clientId,
    client_secret: ghlApp.clientSecret,
    redirect_uri: ghlApp.redirectUri,
    user_type: "Company",
  })
  const ghlCredential = (userType: string, locationId: string, tokens: Record<string, unknown>) => ({
    grantType: "authorizationCode",
    clientId: ghlApp.clientId,
    clientSecret: ghlApp.clientSecret,
    authUrl: sandbox.ghl.authorizeUrl,
    accessTokenUrl: sandbox.ghl.tokenUrl,
    scope: ghlApp.scopes.join(" "),
    authentication: "body",
    userType,
    locationId,
    baseUrl: sandbox.ghl.baseUrl,
    oauthTokenData: tokens,
  })
  return [
    {
      ...keapOAuth.crmkitKeapOAuth2Api,
      type: "crmkitKeapOAuth2Api",
      data: {
        grantType: "authorizationCode",
        clientId: keapApp.clientId,
        clientSecret: keapApp.clientSecret,
        authUrl: sandbox.keap.authorizeUrl,
        accessTokenUrl: sandbox.keap.tokenUrl,
        scope: "full",
        // The connector's refresh sends the client credentials as HTTP Basic.
        authentication: "header",
        baseUrl: sandbox.keap.baseUrl,
        oauthTokenData: { ...keapTokens, access_token: "stale-access-token" },
      },
    },
    {
      ...highLevelOAuth.crmkitHighLevelOAuth2Api,
      type: "crmkitHighLevelOAuth2Api",
      data: ghlCredential("Location", "", ghlTokens),
    },
    {
      ...highLevelAgencyOAuth.crmkitHighLevelOAuth2Api,
      type: "crmkitHighLevelOAuth2Api",
      data: ghlCredential("Company", sandbox.credentials.ghl.locationId, {
        ...agencyTokens,
        access_token: "stale-access-token",
      }),
    },
  ]
}

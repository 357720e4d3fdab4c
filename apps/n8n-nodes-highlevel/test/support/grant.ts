/** The sandbox's consent without a browser, then the code exchange n8n's OAuth2 flow does. */
import type { SandboxServer } from "@crmkit/sandbox"

export interface GrantedToken {
  readonly access_token: string
  readonly companyId: string
  readonly locationId?: string
}

export const grant = async (
  sandbox: SandboxServer,
  userType: "Location" | "Company",
  scopes?: ReadonlyArray<string>,
): Promise<{ readonly status: number; readonly token: GrantedToken }> => {
  const app = sandbox.credentials.ghl.oauthApp
  const response = await fetch(sandbox.ghl.tokenUrl, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code: sandbox.ghl.issueAuthorizationCode({ userType, ...(scopes === undefined ? {} : { scopes }) }),
      redirect_uri: app.redirectUri,
      user_type: userType,
    }),
  })
  return { status: response.status, token: (await response.json()) as GrantedToken }
}

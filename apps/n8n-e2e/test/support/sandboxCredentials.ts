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
      token: sandbox.credentials.ghl.privateIntegrationToken,
      locationId: sandbox.credentials.ghl.locationId,
      baseUrl: sandbox.ghl.baseUrl,
    },
  },
]

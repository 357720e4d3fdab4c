/** The credential choice shared by the Keap node and the Keap Trigger. */
import type { INodeCredentialDescription, INodeProperties } from "n8n-workflow"
import { API_KEY_CREDENTIAL, CONNECTED_APP_CREDENTIAL } from "./KeapProvider.ts"

export const authenticationProperty: INodeProperties = {
  displayName: "Authentication",
  name: "authentication",
  type: "options",
  options: [
    { name: "API Key (PAT or SAK)", value: API_KEY_CREDENTIAL },
    { name: "OAuth2", value: CONNECTED_APP_CREDENTIAL },
  ],
  default: API_KEY_CREDENTIAL,
}

export const credentials: Array<INodeCredentialDescription> = [
  { name: API_KEY_CREDENTIAL, required: true, displayOptions: { show: { authentication: [API_KEY_CREDENTIAL] } } },
  {
    name: CONNECTED_APP_CREDENTIAL,
    required: true,
    displayOptions: { show: { authentication: [CONNECTED_APP_CREDENTIAL] } },
  },
]

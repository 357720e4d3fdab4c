/** The credential choice shared by the HighLevel node and the HighLevel Trigger. */
import type { INodeCredentialDescription, INodeProperties } from "n8n-workflow"
import { CONNECTED_APP_CREDENTIAL, TOKEN_CREDENTIAL } from "./HighLevelProvider.ts"

export const authenticationProperty: INodeProperties = {
  displayName: "Authentication",
  name: "authentication",
  type: "options",
  options: [
    { name: "OAuth2", value: CONNECTED_APP_CREDENTIAL },
    { name: "Private Integration Token", value: TOKEN_CREDENTIAL },
  ],
  default: TOKEN_CREDENTIAL,
}

export const credentials: Array<INodeCredentialDescription> = [
  { name: TOKEN_CREDENTIAL, required: true, displayOptions: { show: { authentication: [TOKEN_CREDENTIAL] } } },
  {
    name: CONNECTED_APP_CREDENTIAL,
    required: true,
    displayOptions: { show: { authentication: [CONNECTED_APP_CREDENTIAL] } },
  },
]

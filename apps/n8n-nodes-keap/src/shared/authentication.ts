/** The credential choice shared by the Keap node and the Keap Trigger. */
import { Authentication } from "@crmkit/n8n-shared"
import { API_KEY_CREDENTIAL, CONNECTED_APP_CREDENTIAL } from "./KeapProvider.ts"

export const { property: authenticationProperty, credentials } = Authentication.choose(
  [
    { name: "API Key (PAT or SAK)", value: API_KEY_CREDENTIAL },
    { name: "OAuth2", value: CONNECTED_APP_CREDENTIAL },
  ],
  API_KEY_CREDENTIAL,
)

/** The credential choice shared by the HighLevel node and its triggers. */
import { Authentication } from "@crmkit/n8n-shared"
import { CONNECTED_APP_CREDENTIAL, TOKEN_CREDENTIAL } from "./HighLevelProvider.ts"

export const { property: authenticationProperty, credentials } = Authentication.choose(
  [
    { name: "OAuth2", value: CONNECTED_APP_CREDENTIAL },
    { name: "Private Integration Token", value: TOKEN_CREDENTIAL },
  ],
  TOKEN_CREDENTIAL,
)

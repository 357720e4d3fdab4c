import * as Credentials from "@crmkit/n8n-shared/Credentials"
import { info } from "../info.ts"

export class CrmkitHighLevelOAuth2Api extends Credentials.oauth2(info) {}

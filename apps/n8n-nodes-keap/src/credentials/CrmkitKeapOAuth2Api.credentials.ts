import * as Credentials from "@crmkit/n8n-shared/Credentials"
import { info } from "../info.ts"

export class CrmkitKeapOAuth2Api extends Credentials.oauth2(info) {}

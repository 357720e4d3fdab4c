import * as Credentials from "@crmkit/n8n-shared/Credentials"
import { info } from "../info.ts"

export class CrmkitKeapApi extends Credentials.key(info) {}

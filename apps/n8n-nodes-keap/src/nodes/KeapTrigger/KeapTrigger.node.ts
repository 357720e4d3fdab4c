import { Triggers } from "@crmkit/n8n-shared"
import { keap } from "../../app.ts"

export class KeapTrigger extends Triggers.webhook(keap) {}

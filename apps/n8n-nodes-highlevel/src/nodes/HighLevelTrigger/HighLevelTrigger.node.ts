import { Triggers } from "@crmkit/n8n-shared"
import { highLevel } from "../../app.ts"

export class HighLevelTrigger extends Triggers.webhook(highLevel) {}

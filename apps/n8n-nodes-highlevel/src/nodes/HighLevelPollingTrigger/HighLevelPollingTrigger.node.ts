import { Triggers } from "@crmkit/n8n-shared"
import { highLevel } from "../../app.ts"

export class HighLevelPollingTrigger extends Triggers.polling(highLevel) {}

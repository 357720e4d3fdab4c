import { ActionNode } from "@crmkit/n8n-shared"
import { highLevel } from "../../app.ts"

export class HighLevel extends ActionNode.node(highLevel) {}

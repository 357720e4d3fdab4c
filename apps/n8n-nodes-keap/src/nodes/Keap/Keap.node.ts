import { ActionNode } from "@crmkit/n8n-shared"
import { keap } from "../../app.ts"

export class Keap extends ActionNode.node(keap) {}

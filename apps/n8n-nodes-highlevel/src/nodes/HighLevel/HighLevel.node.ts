import { ActionNode, CustomApiCall, OperationTable } from "@crmkit/n8n-shared"
import {
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
  NodeConnectionTypes,
} from "n8n-workflow"
import { authenticationProperty, credentials } from "../../shared/authentication.ts"
import { highLevel, TOKEN_CREDENTIAL } from "../../shared/HighLevelProvider.ts"
import { table } from "../../shared/HighLevelTable.ts"
import { loadOptions } from "../../shared/loadOptions.ts"

export class HighLevel implements INodeType {
  description: INodeTypeDescription = {
    displayName: "HighLevel (crmkit)",
    name: "highLevel",
    icon: { light: "file:../../icons/highlevel.svg", dark: "file:../../icons/highlevel.dark.svg" },
    group: ["transform"],
    version: 1,
    subtitle: '={{$parameter["resource"] + ": " + ($parameter["operation"] || $parameter["operationId"])}}',
    description:
      "Read and write HighLevel contacts (search, upsert, custom fields), notes, tasks, tags, opportunities and pipelines, calendars and appointments, conversations, workflow enrollment and custom objects, or call any HighLevel API v2 operation.",
    defaults: { name: "HighLevel" },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials,
    properties: [
      authenticationProperty,
      ...OperationTable.properties(table, highLevel.catalog, CustomApiCall.properties("HighLevel")),
    ],
  }

  methods = { loadOptions }

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return ActionNode.execute(this, highLevel, table, TOKEN_CREDENTIAL)
  }
}

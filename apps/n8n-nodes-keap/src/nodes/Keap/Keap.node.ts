import { ActionNode, CustomApiCall, OperationTable } from "@crmkit/n8n-shared"
import {
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
  NodeConnectionTypes,
} from "n8n-workflow"
import { authenticationProperty, credentials } from "../../shared/authentication.ts"
import { API_KEY_CREDENTIAL, keap } from "../../shared/KeapProvider.ts"
import { table } from "../../shared/KeapTable.ts"
import { loadOptions } from "../../shared/loadOptions.ts"

export class Keap implements INodeType {
  description: INodeTypeDescription = {
    displayName: "Keap (crmkit)",
    name: "keap",
    icon: { light: "file:../../icons/keap.svg", dark: "file:../../icons/keap.dark.svg" },
    group: ["transform"],
    version: 1,
    subtitle: '={{$parameter["resource"] + ": " + ($parameter["operation"] || $parameter["operationId"])}}',
    description:
      "Read and write Keap contacts, tags, notes, tasks, opportunities, campaigns, orders and subscriptions, or call any Keap API operation. Rate limits are honoured across all items.",
    defaults: { name: "Keap" },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials,
    properties: [
      authenticationProperty,
      ...OperationTable.properties(table, keap.catalog, CustomApiCall.properties("Keap")),
    ],
  }

  methods = { loadOptions }

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return ActionNode.execute(this, keap, table, API_KEY_CREDENTIAL)
  }
}

/**
 * The `execute()` every crmkit action node shares: one provider session per execution,
 * then for each item the operation's input, a call (or every page for Return All), and
 * its output items. With Continue On Fail an item's error becomes its output and the
 * other items still run; otherwise the first error stops the node with the provider's
 * message and trace id.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from "n8n-workflow"
import * as CustomApiCall from "./CustomApiCall.ts"
import { errorItem, toNodeError } from "./NodeErrors.ts"
import { CUSTOM_RESOURCE, findOperation, inputOf, type OperationTable, outputOf } from "./OperationTable.ts"
import type { ProviderAdapter } from "./Provider.ts"
import * as Session from "./Session.ts"

const toItems = (values: ReadonlyArray<unknown>, itemIndex: number): Array<INodeExecutionData> =>
  values.map((value) => ({
    json: (typeof value === "object" && value !== null && !Array.isArray(value) ? value : { value }) as IDataObject,
    pairedItem: { item: itemIndex },
  }))

export const execute = async <R>(
  context: IExecuteFunctions,
  adapter: ProviderAdapter<R>,
  table: OperationTable,
  defaultCredentialType: string,
): Promise<Array<Array<INodeExecutionData>>> => {
  const items = context.getInputData()
  const output: Array<INodeExecutionData> = []
  await Session.withSession(context, adapter, defaultCredentialType, async (session) => {
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      try {
        const resource = context.getNodeParameter("resource", itemIndex) as string
        const custom = resource === CUSTOM_RESOURCE
        const spec = custom
          ? undefined
          : findOperation(table, resource, context.getNodeParameter("operation", itemIndex) as string)
        if (!custom && spec === undefined) throw new Error(`Unknown operation for resource "${resource}"`)
        const operationId = spec?.operationId ?? (context.getNodeParameter("operationId", itemIndex) as string)
        const input = spec === undefined ? CustomApiCall.inputOf(context, itemIndex) : inputOf(context, spec, itemIndex)
        const entry = adapter.catalog.find((e) => e.id === operationId)
        if (entry === undefined) throw new Error(`Unknown ${adapter.title} operation "${operationId}"`)
        let values: ReadonlyArray<unknown>
        if (entry.pagination !== undefined) {
          const returnAll = context.getNodeParameter("returnAll", itemIndex, false) as boolean
          const limit = returnAll ? undefined : (context.getNodeParameter("limit", itemIndex, 50) as number)
          values = await session.collect(operationId, input, limit)
        } else {
          values = outputOf(spec, await session.call(operationId, input))
        }
        output.push(...toItems(values, itemIndex))
      } catch (error) {
        if (context.continueOnFail()) {
          output.push({ json: errorItem(error), pairedItem: { item: itemIndex } })
          continue
        }
        throw toNodeError(context.getNode(), error, itemIndex)
      }
    }
  })
  return [output]
}

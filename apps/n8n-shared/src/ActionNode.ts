/**
 * The action node of a connector: its description derived from the actions (see Form),
 * and the `execute()` every crmkit action node shares: one provider session per
 * execution, then for each item the raw input from the parameters, the action's own
 * decoding (bad input refused before any request, naming the field), the run (every
 * record for Return All, the first N for Limit, fetching no further page), and its
 * output items. With Continue On Fail an item's error becomes its output and the other
 * items still run; otherwise the first error stops the node with the provider's message
 * and trace id. "Custom API Call" runs any catalog operation by id through the registry.
 */
import { Action } from "@crmkit/core"
import {
  type IDataObject,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
  NodeConnectionTypes,
} from "n8n-workflow"
import type { App } from "./App.ts"
import * as Credentials from "./Credentials.ts"
import * as CustomApiCall from "./CustomApiCall.ts"
import * as Form from "./Form.ts"
import * as LoadOptions from "./LoadOptions.ts"
import { errorItem, toNodeError } from "./NodeErrors.ts"
import * as Session from "./Session.ts"

const toItems = (values: ReadonlyArray<unknown>, itemIndex: number): Array<INodeExecutionData> =>
  values.map((value) => ({
    json: (typeof value === "object" && value !== null && !Array.isArray(value) ? value : { value }) as IDataObject,
    pairedItem: { item: itemIndex },
  }))

const limitOf = (context: IExecuteFunctions, itemIndex: number): number | undefined =>
  (context.getNodeParameter("returnAll", itemIndex, false) as boolean)
    ? undefined
    : (context.getNodeParameter("limit", itemIndex, 50) as number)

const runItem = async <R>(
  context: IExecuteFunctions,
  app: App<R>,
  session: Session.Session<R>,
  itemIndex: number,
): Promise<ReadonlyArray<unknown>> => {
  const resource = context.getNodeParameter("resource", itemIndex) as string
  if (resource === Form.CUSTOM_RESOURCE) {
    const id = context.getNodeParameter("operationId", itemIndex) as string
    const input = CustomApiCall.inputOf(context, itemIndex)
    const registry = await app.runtime.operations()
    const operation = await session.run(registry.lookup(id))
    if (operation.pagination === undefined) return Form.outputOf(undefined, await session.run(registry.call(id, input)))
    const limit = limitOf(context, itemIndex)
    const pageSize = Math.min(limit ?? app.connector.pageSize.default, app.connector.pageSize.max)
    return session.collect(registry.stream(id, input, { pageSize }), limit)
  }
  const op = Form.find(app, resource, context.getNodeParameter("operation", itemIndex) as string)
  if (op === undefined) throw new Error(`Unknown operation for resource "${resource}"`)
  const raw = Form.rawInput(op, (name, fallback) => context.getNodeParameter(name, itemIndex, fallback))
  const input = await session.run(Action.decodeInput(app.connector.name, op.action, raw))
  if (op.action._tag === "Stream") return session.collect(op.action.run(input), limitOf(context, itemIndex))
  return Form.outputOf(op.action.hints?.unwrap, await session.run(op.action.run(input)))
}

export const execute = async <R>(
  context: IExecuteFunctions,
  app: App<R>,
): Promise<Array<Array<INodeExecutionData>>> => {
  const items = context.getInputData()
  const output: Array<INodeExecutionData> = []
  await Session.withSession(context, app, async (session) => {
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      try {
        output.push(...toItems(await runItem(context, app, session, itemIndex), itemIndex))
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

const resourcesSentence = (app: App) => {
  const names = [...new Set(app.actions.map((a) => a.resource.replace(/-/g, " ")))]
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`
}

export const icon = (app: App, depth: string) => {
  const name = app.words.icon ?? app.connector.name
  return { light: `file:${depth}icons/${name}.svg`, dark: `file:${depth}icons/${name}.dark.svg` } as const
}

export const description = (app: App): INodeTypeDescription => ({
  displayName: `${app.connector.title} (crmkit)`,
  name: app.names.node,
  icon: icon(app, "../../"),
  group: ["transform"],
  version: 1,
  subtitle: '={{$parameter["resource"] + ": " + ($parameter["operation"] || $parameter["operationId"])}}',
  description: `Read and write ${app.connector.title} ${resourcesSentence(app)}, or call any ${app.connector.title} API operation. Rate limits are honoured across all items.`,
  defaults: { name: app.connector.title },
  usableAsTool: true,
  inputs: [NodeConnectionTypes.Main],
  outputs: [NodeConnectionTypes.Main],
  credentials: Credentials.choice(app).credentials,
  properties: [
    Credentials.choice(app).property,
    ...Form.properties(app, CustomApiCall.properties(app.connector.title)),
  ],
})

/** The action node class of an app: `export class Keap extends ActionNode.node(keap) {}`. */
export const node = (app: App) =>
  class implements INodeType {
    description: INodeTypeDescription = description(app)

    methods = { loadOptions: LoadOptions.methods(app) }

    async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
      return execute(this, app)
    }
  }

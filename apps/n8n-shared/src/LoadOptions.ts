/**
 * Dropdowns filled live from the provider, derived from the actions: a field whose hint
 * names a list action (`choicesFrom`) gets a method that runs that action through the
 * same session as the node's calls (its inputs taken from the node's current
 * parameters), and maps each record to a value and a label. Custom API Call's dropdown
 * lists the catalog.
 */
import { Action } from "@crmkit/core"
import type { ILoadOptionsFunctions, INodePropertyOptions } from "n8n-workflow"
import { NodeOperationError } from "n8n-workflow"
import { type App, camel } from "./App.ts"
import * as CustomApiCall from "./CustomApiCall.ts"
import { type ChoicesFrom, choiceSources, outputOf } from "./Form.ts"
import { toNodeError } from "./NodeErrors.ts"
import * as Session from "./Session.ts"

/** Most lists are small; this bounds the pages a dropdown can cost. */
const MAX_OPTIONS = 1000

const at = (value: unknown, path: string | undefined): unknown => {
  if (path === undefined || typeof value !== "object" || value === null || Array.isArray(value)) return value
  return (value as Record<string, unknown>)[path]
}

/** A string field read from a record, or undefined. */
export const text = (record: unknown, key: string): string | undefined => {
  const value = typeof record === "object" && record !== null ? (record as Record<string, unknown>)[key] : undefined
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined
}

export const choices = (app: App, from: ChoicesFrom) =>
  async function (this: ILoadOptionsFunctions): Promise<Array<INodePropertyOptions>> {
    const action = app.actions.find((a) => a.resource === from.resource && a.name === from.name)
    try {
      if (action === undefined) throw new Error(`${app.connector.title} has no ${from.resource} ${from.name} action`)
      const input: Record<string, unknown> = {}
      for (const [name, parameter] of Object.entries(from.input ?? {})) {
        let value: unknown
        try {
          value = this.getCurrentNodeParameter(camel(parameter))
        } catch {
          value = undefined
        }
        if (value !== undefined && value !== "") input[name] = value
      }
      const records = await Session.withSession(this, app, async (session) => {
        const decoded = await session.run(Action.decodeInput(app.connector.name, action, input))
        if (action._tag === "Stream") return session.collect(action.run(decoded), MAX_OPTIONS)
        const result = await session.run(action.run(decoded))
        return outputOf(undefined, at(result, from.items ?? action.hints?.unwrap))
      })
      const options = records.flatMap((record) => {
        const value = text(record, from.value)
        const label = (typeof from.label === "string" ? [from.label] : from.label).map((key) => text(record, key))
        return value === undefined
          ? []
          : [{ name: label.filter((part) => part !== undefined).join(" ") || value, value }]
      })
      return [...new Map(options.map((o) => [o.value, o])).values()].sort((a, b) => a.name.localeCompare(b.name))
    } catch (error) {
      throw toNodeError(this.getNode(), error)
    }
  }

/** The `getCatalogOperations` method behind Custom API Call's dropdown (no request). */
export const catalogMethod = (app: App) =>
  async function (this: ILoadOptionsFunctions): Promise<Array<INodePropertyOptions>> {
    const catalog = await app.runtime.catalog()
    if (catalog.length === 0) throw new NodeOperationError(this.getNode(), "The operation catalog is empty")
    return CustomApiCall.catalogOptions(catalog)
  }

/** Every load-options method of the action node. */
export const methods = (
  app: App,
): Record<string, (this: ILoadOptionsFunctions) => Promise<Array<INodePropertyOptions>>> => ({
  getCatalogOperations: catalogMethod(app),
  ...Object.fromEntries([...choiceSources(app)].map(([name, from]) => [name, choices(app, from)])),
})

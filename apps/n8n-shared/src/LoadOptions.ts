/**
 * Dropdowns filled live from the provider (tags, pipelines, calendars, custom fields,
 * users), through the same session as the node's own calls.
 */
import type { ILoadOptionsFunctions, INodePropertyOptions } from "n8n-workflow"
import { NodeOperationError } from "n8n-workflow"
import * as CustomApiCall from "./CustomApiCall.ts"
import { toNodeError } from "./NodeErrors.ts"
import type { ProviderAdapter } from "./Provider.ts"
import * as Session from "./Session.ts"

export interface OptionsSource {
  readonly operationId: string
  /** The operation input; may read other parameters of the node (e.g. the chosen pipeline). */
  readonly input?: (context: ILoadOptionsFunctions) => Record<string, unknown>
  /** For operations that do not page: where the records are in the response. */
  readonly items?: (response: unknown, context: ILoadOptionsFunctions) => ReadonlyArray<unknown>
  readonly option: (record: Record<string, unknown>) => INodePropertyOptions | undefined
}

/** Most lists are small; this bounds the pages a dropdown can cost. */
const MAX_OPTIONS = 1000

export const method = <R>(adapter: ProviderAdapter<R>, defaultCredentialType: string, source: OptionsSource) =>
  async function (this: ILoadOptionsFunctions): Promise<Array<INodePropertyOptions>> {
    try {
      const records = await Session.withSession(this, adapter, defaultCredentialType, async (session) => {
        const input = source.input?.(this) ?? {}
        const entry = adapter.catalog.find((e) => e.id === source.operationId)
        if (entry?.pagination !== undefined) return session.collect(source.operationId, input, MAX_OPTIONS)
        const response = await session.call(source.operationId, input)
        return source.items?.(response, this) ?? (Array.isArray(response) ? response : [])
      })
      return records
        .flatMap((record) =>
          typeof record === "object" && record !== null ? [source.option(record as Record<string, unknown>)] : [],
        )
        .filter((option): option is INodePropertyOptions => option !== undefined)
        .sort((a, b) => a.name.localeCompare(b.name))
    } catch (error) {
      throw toNodeError(this.getNode(), error)
    }
  }

/** The `getCatalogOperations` method behind Custom API Call's dropdown (no request). */
export const catalogMethod = <R>(adapter: ProviderAdapter<R>) =>
  async function (this: ILoadOptionsFunctions): Promise<Array<INodePropertyOptions>> {
    if (adapter.catalog.length === 0) throw new NodeOperationError(this.getNode(), "The operation catalog is empty")
    return CustomApiCall.catalogOptions(adapter.catalog)
  }

/** A string field read from a record, or undefined. */
export const text = (record: Record<string, unknown>, key: string): string | undefined => {
  const value = record[key]
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined
}

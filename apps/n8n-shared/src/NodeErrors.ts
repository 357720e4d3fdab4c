/**
 * Turns the core's typed `CrmError` into n8n errors: `NodeOperationError` for input refused
 * before sending, `NodeApiError` (with HTTP status) for the provider's refusals. Both carry
 * the provider's message and its trace id, so a failed item can be reported to support.
 */
import { CrmError } from "@crmkit/core"
import { type INode, type JsonObject, NodeApiError, NodeOperationError } from "n8n-workflow"

const describe = (error: CrmError): string => {
  const r = error.reason
  const lines: Array<string> = []
  if (r._tag === "Validation" && r.fields.length > 0) {
    lines.push(...r.fields.map((f) => `${f.field}: ${f.message}`))
  }
  if (r._tag === "Forbidden" && r.missingScope !== undefined) lines.push(`Missing scope: ${r.missingScope}`)
  if (r._tag === "RateLimited") lines.push("The provider kept refusing with 429 after the bounded retries.")
  if (r.operation !== undefined) lines.push(`Operation: ${r.operation}`)
  if (r.request !== undefined) lines.push(`Request: ${r.request}`)
  if (r.requestId !== undefined) lines.push(`Trace id: ${r.requestId}`)
  return lines.join("\n")
}

/** The n8n error for any failure of a provider call (a defect is wrapped as it is). */
export const toNodeError = (node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError => {
  if (error instanceof NodeApiError || error instanceof NodeOperationError) return error
  if (!(error instanceof CrmError)) {
    return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex })
  }
  const r = error.reason
  const description = describe(error)
  if (r.status === undefined) {
    // Refused before any request was sent (bad input, missing scope) or never answered.
    return new NodeOperationError(node, error.message, { itemIndex, description })
  }
  const body = (typeof r.body === "object" && r.body !== null ? r.body : { message: r.message }) as JsonObject
  return new NodeApiError(node, body, {
    message: error.message,
    description,
    httpCode: String(r.status),
    itemIndex,
  })
}

/** The JSON an item carries when Continue On Fail turns its error into output. */
export const errorItem = (error: unknown): JsonObject => {
  if (error instanceof CrmError) {
    const r = error.reason
    return {
      error: error.message,
      kind: r._tag,
      ...(r.status === undefined ? {} : { status: r.status }),
      ...(r.requestId === undefined ? {} : { traceId: r.requestId }),
      ...(r.operation === undefined ? {} : { operation: r.operation }),
    }
  }
  return { error: error instanceof Error ? error.message : String(error) }
}

/**
 * The raw request a trigger's `webhook()` received, and answering it directly: signature
 * checks and handshakes need the exact bytes and the exact response the provider expects.
 */
import type { IWebhookFunctions, IWebhookResponseData } from "n8n-workflow"

export interface RawRequest {
  readonly method: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Uint8Array | string
}

export const read = (context: IWebhookFunctions): RawRequest => {
  const request = context.getRequestObject() as ReturnType<IWebhookFunctions["getRequestObject"]> & {
    rawBody?: Buffer
  }
  // n8n keeps the bytes it parsed; re-serialising the parsed body would break signatures.
  const body = request.rawBody ?? JSON.stringify(context.getBodyData())
  return { method: request.method, headers: request.headers, body }
}

/** Sends `response` as the HTTP answer and tells n8n not to send its own. */
export const answer = (
  context: IWebhookFunctions,
  response: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string },
  workflowData?: IWebhookResponseData["workflowData"],
): IWebhookResponseData => {
  const res = context.getResponseObject()
  res.status(response.status)
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
  res.end(response.body)
  return workflowData === undefined ? { noWebhookResponse: true } : { noWebhookResponse: true, workflowData }
}

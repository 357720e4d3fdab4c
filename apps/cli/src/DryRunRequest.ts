/**
 * What `--dry-run` stops at, and how it is shown: plain data, loaded at start-up by `main`
 * (the transport that stops requests, `DryRun.ts`, loads only with a client).
 */
/** The request a dry run stopped at: not a failure, the answer to `--dry-run`. */
export class DryRunRequest {
  readonly _tag = "DryRunRequest"
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
  // No parameter properties: the test programs run this file as plain TypeScript (type stripping).
  constructor(method: string, url: string, headers: Readonly<Record<string, string>>, body: string | undefined) {
    this.method = method
    this.url = url
    this.headers = headers
    this.body = body
  }
}

/** The request as a person reads an HTTP message. */
export const render = (request: DryRunRequest): string =>
  [
    `${request.method} ${request.url}`,
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    ...(request.body === undefined ? [] : ["", request.body]),
    "",
  ].join("\n")

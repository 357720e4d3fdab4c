/**
 * `--dry-run`: a transport that sends nothing. The first request reaches it after every
 * check (input, scopes, rate limits, credentials), so what it stops is exactly what would
 * have left: the command ends there, and `main` prints it with the secrets redacted.
 */
import { Sensitive } from "@crmkit/core"
import * as Effect from "effect/Effect"
import { HttpClient } from "effect/http"
import * as Layer from "effect/Layer"
import { DryRunRequest } from "./DryRunRequest.ts"

const secretHeader = /authorization|cookie|key|token|secret|signature/i

const bodyText = (body: { readonly _tag: string; readonly body?: unknown }): string | undefined => {
  if (body._tag === "Empty") return undefined
  if (body._tag === "Uint8Array" && body.body instanceof Uint8Array) {
    const text = new TextDecoder().decode(body.body)
    try {
      return JSON.stringify(Sensitive.scrubBody(JSON.parse(text)), null, 2)
    } catch {
      return Sensitive.scrubText(text)
    }
  }
  return `(${body._tag} body)`
}

export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.succeed(
  HttpClient.HttpClient,
  HttpClient.make((request, url) =>
    Effect.die(
      new DryRunRequest(
        request.method,
        url.toString(),
        Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [
            name,
            secretHeader.test(name) ? "<redacted>" : Sensitive.scrubText(String(value)),
          ]),
        ),
        bodyText(request.body as { readonly _tag: string; readonly body?: unknown }),
      ),
    ),
  ),
)

/**
 * Secrets stay `Redacted` end to end. This module is the second line of defence:
 * it removes secret-looking fields from bodies that end up in errors, scrubs known
 * secret values from text, and lists the header names that Effect must mask.
 */
import { Context, Layer, Redacted } from "effect"
import { Headers } from "effect/http"

/** Header names masked in errors, traces and logs, on top of Effect's defaults. */
export const redactedHeaderNames: ReadonlyArray<string> = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "proxy-authorization",
]

const secretFieldPattern =
  /(^|_|-)(access_?token|refresh_?token|id_?token|client_?secret|secret|password|api_?key|token|code_?verifier|authorization)$/i

const placeholder = "<redacted>"

const knownSecrets = new Set<string>()

/**
 * Registers a secret's value so that `scrubText` can remove it from any text that
 * reaches an error or a log (a provider may echo a token back in a message).
 */
export const register = (secret: Redacted.Redacted<string>): Redacted.Redacted<string> => {
  const value = Redacted.value(secret)
  // Short values would scrub ordinary words.
  if (value.length >= 8) knownSecrets.add(value)
  return secret
}

/** Replaces every registered secret value in `text`. */
export const scrubText = (text: string): string => {
  let out = text
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(placeholder)
  }
  return out
}

/** A deep copy of a provider body with secret-looking fields replaced and registered secrets scrubbed. */
export const scrubBody = (body: unknown, depth = 0): unknown => {
  if (depth > 8) return placeholder
  if (typeof body === "string") return scrubText(body)
  if (Array.isArray(body)) return body.map((item) => scrubBody(item, depth + 1))
  if (body !== null && typeof body === "object") {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(body)) {
      out[key] = secretFieldPattern.test(key) ? placeholder : scrubBody(value, depth + 1)
    }
    return out
  }
  return body
}

/** Masks the given header names (and the defaults) wherever Effect prints request headers. */
export const layerRedactedHeaders = (extra: ReadonlyArray<string> = []): Layer.Layer<never> =>
  Layer.succeedContext(
    Context.make(Headers.CurrentRedactedNames, [...redactedHeaderNames, ...extra.map((h) => h.toLowerCase())]),
  )

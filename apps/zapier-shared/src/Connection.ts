/**
 * A Zapier connection as a function of the connector: which credential `bundle.authData`
 * holds (an OAuth access token Zapier refreshes, or a static key of one of the connector's
 * key kinds), the connection's context (GHL's location, stored snake_case as
 * `location_id`), and where requests go (`<NAME>_BASE_URL`, read on every call, so tests
 * point it at the sandbox; a connection never carries a URL).
 */
import { type Connector, Credentials, type CrmError, CrmErrors } from "@crmkit/core"
import { Effect, Layer, Redacted } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import { env } from "./Definitions.ts"
import * as Invocation from "./Invocation.ts"
import type { ConnectionKind } from "./ZapierErrors.ts"

export const present = (value: unknown): value is string => typeof value === "string" && value !== ""

/** `locationId` → `location_id`: how context values sit in `authData`. */
export const snake = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/-/g, "_")
    .toLowerCase()

/** `KEAP_BASE_URL`, `GHL_AUTHORIZE_URL`: the environment's override of a connector URL. */
export const envUrl = (connector: Connector.Connector, what: "BASE_URL" | "TOKEN_URL" | "AUTHORIZE_URL") =>
  env(`${connector.name.toUpperCase()}_${what}`)

export interface Options {
  /** The `authData` key of a static key (default `api_key`). */
  readonly keyField?: string | undefined
}

export interface Connection<R> {
  readonly runtime: Connector.Runtime<R>
  readonly keyField: string
  readonly kind: (bundle: Bundle) => ConnectionKind
  readonly context: (authData: Bundle["authData"]) => Record<string, string>
  /** Runs a program as the connected account, with Zapier's transport and limits. */
  readonly run: <A>(
    z: ZObject,
    bundle: Bundle,
    program: Effect.Effect<A, CrmError, R | Invocation.Platform>,
  ) => Promise<A>
}

export const make = <R>(runtime: Connector.Runtime<R>, options: Options = {}): Connection<R> => {
  const connector = runtime.connector
  const keyField = options.keyField ?? "api_key"
  const keyKinds = connector.credentials.filter((kind) => kind.type === "key")

  const credentials = (authData: Bundle["authData"]): Layer.Layer<Credentials.Credentials, CrmError> => {
    if (present(authData.access_token)) return runtime.accessTokenCredentials(Redacted.make(authData.access_token))
    const key = authData[keyField]
    if (present(key)) {
      const kind = present(authData.key_kind) ? authData.key_kind : (keyKinds[0]?.kind ?? "key")
      return runtime.keyCredentials(kind, Redacted.make(key))
    }
    return Layer.effect(
      Credentials.Credentials,
      Effect.fail(
        CrmErrors.invalidInput(connector.name, [{ field: "authData", message: "the connection holds no token" }]),
      ),
    )
  }

  const context = (authData: Bundle["authData"]) =>
    Object.fromEntries(
      connector.context.flatMap((parameter) => {
        const value = authData[snake(parameter.name)]
        return present(value) ? [[parameter.name, value]] : []
      }),
    )

  const kind = (bundle: Bundle): ConnectionKind => (present(bundle.authData.access_token) ? "oauth2" : "key")

  const layer = (bundle: Bundle) =>
    runtime
      .client({ baseUrl: envUrl(connector, "BASE_URL"), context: context(bundle.authData) })
      .pipe(Layer.provide(credentials(bundle.authData)))

  return {
    runtime,
    keyField,
    kind,
    context,
    run: (z, bundle, program) => Invocation.run(z, program, layer(bundle), kind(bundle)),
  }
}

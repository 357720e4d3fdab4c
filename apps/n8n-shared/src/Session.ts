/**
 * One provider client per n8n execution: every item (and every page) of a run goes
 * through the same client, so the same rate-limit budget, retries and error mapping.
 * The client is the connector runtime's, over n8n's transport: n8n adds the credential
 * and refreshes OAuth tokens; the context (GHL's location) comes from the credential or
 * its token, and the core's registry fills it into each operation. A login that works in
 * a context through another token (a GHL agency) goes through the runtime's `inContext`.
 */
import { type Credentials, type CrmError, CrmErrors, RateLimit, TokenStore } from "@crmkit/core"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import type {
  ICredentialDataDecryptedObject,
  IExecuteFunctions,
  IHookFunctions,
  ILoadOptionsFunctions,
  IPollFunctions,
  IWebhookFunctions,
} from "n8n-workflow"
import type { App } from "./App.ts"
import * as HostCredentials from "./HostCredentials.ts"
import * as HostHttpClient from "./HostHttpClient.ts"

export type NodeContext =
  | IExecuteFunctions
  | ILoadOptionsFunctions
  | IPollFunctions
  | IHookFunctions
  | IWebhookFunctions

export interface Session<R> {
  /** Runs a provider effect; rejects with the `CrmError` (or defect) itself. */
  readonly run: <A>(effect: Effect.Effect<A, CrmError, R>) => Promise<A>
  /** The first `limit` records of a stream (all without one); pages are fetched only as needed. */
  readonly collect: <A>(stream: Stream.Stream<A, CrmError, R>, limit?: number) => Promise<ReadonlyArray<A>>
  readonly dispose: () => Promise<void>
}

/** The credential type the node's `authentication` parameter picks (the default one otherwise). */
export const credentialTypeOf = (context: NodeContext, fallback: string): string => {
  const getParameter = context.getNodeParameter as (name: string, itemIndex: number, fallback: unknown) => unknown
  let chosen: unknown
  try {
    chosen = getParameter.call(context, "authentication", 0, fallback)
  } catch {
    chosen = fallback
  }
  return typeof chosen === "string" && chosen !== "" ? chosen : fallback
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== ""
    ? value.trim()
    : typeof value === "number"
      ? String(value)
      : undefined

/** The connection's context: from the credential's fields, else from what the token tells. */
const contextOf = (app: App, data: ICredentialDataDecryptedObject) => {
  const token = (data.oauthTokenData ?? {}) as Record<string, unknown>
  const context: Record<string, string> = {}
  const missing: Array<{ field: string; message: string }> = []
  for (const parameter of app.connector.context) {
    const value =
      text(data[parameter.name]) ?? (parameter.fromToken === undefined ? undefined : text(token[parameter.fromToken]))
    if (value !== undefined) context[parameter.name] = value
    // What a person gives (it has a variable) and neither the credential nor its token tells.
    else if (parameter.env !== undefined) {
      missing.push({ field: parameter.name, message: `the credential names no ${parameter.title} to work in` })
    }
  }
  return { context, missing }
}

export const open = async <R>(context: NodeContext, app: App<R>): Promise<Session<R>> => {
  const { connector, runtime, names } = app
  const credentialType = credentialTypeOf(context, names.defaultCredential)
  const data: ICredentialDataDecryptedObject = await context.getCredentials(credentialType)
  const credentialId = context.getNode().credentials?.[credentialType]?.id ?? "default"
  const oauth = credentialType === names.oauthCredential
  const keyKinds = connector.credentials.filter((kind) => kind.type === "key")
  const kind = oauth ? "oauth2" : (text(data.keyType) ?? keyKinds[0]?.kind ?? "key")
  const budget = `n8n:${credentialType}:${credentialId}`
  const send: HostHttpClient.HostRequest = (options) =>
    context.helpers.httpRequestWithAuthentication.call(context, credentialType, options)
  const sendPlain: HostHttpClient.HostRequest = (options) =>
    context.helpers.httpRequest.call(context, options) as ReturnType<HostHttpClient.HostRequest>
  const { context: values, missing } = contextOf(app, data)
  const baseUrl = text(data.baseUrl)
  // n8n adds the credential and refreshes it: the core's credentials add nothing.
  const hostLogin = HostCredentials.layer({ kind, budget })
  const hostTransport = HostHttpClient.layer(send)
  let credentials: Layer.Layer<Credentials.Credentials, CrmError> = hostLogin
  let transport = hostTransport
  const inContext = oauth ? runtime.oauth?.inContext : undefined
  if (inContext !== undefined) {
    const token = (data.oauthTokenData ?? {}) as Record<string, unknown>
    const options = Object.fromEntries(
      (connector.credentials.find((k) => k.type === "oauth2")?.oauth?.options ?? []).flatMap((o) =>
        text(data[o.name]) === undefined ? [] : [[o.name, text(data[o.name]) as string]],
      ),
    )
    const clientId = text(data.clientId) ?? "n8n"
    const login = inContext(hostLogin, {
      app: { clientId, clientSecret: Redacted.make(""), baseUrl, options },
      tokens: { accessToken: Redacted.make(""), meta: { ...token, ...options } },
      context: values,
      signInHint: "Reconnect the credential in n8n",
    })
    if (login !== hostLogin) {
      // The login mints its own token through n8n's authenticated transport; the calls it
      // signs go through n8n's plain one, where the core renews on a 401 itself.
      credentials = login.pipe(Layer.provide(TokenStore.layerMemory()), Layer.provide(hostTransport))
      transport = HostHttpClient.layer(sendPlain, { hostRefreshes: false })
    }
  }
  const client =
    missing.length > 0
      ? (Layer.unwrap(Effect.fail(CrmErrors.invalidInput(connector.name, missing))) as Layer.Layer<R, CrmError>)
      : runtime
          .client({ baseUrl, context: values })
          .pipe(Layer.provide(Layer.mergeAll(transport, credentials, RateLimit.layerMemory)))
  const managed = ManagedRuntime.make(client)
  const run = async <A>(effect: Effect.Effect<A, CrmError, R>): Promise<A> => {
    const exit = await managed.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    throw Cause.squash(exit.cause)
  }
  return {
    run,
    collect: (stream, limit) => run(Stream.runCollect(limit === undefined ? stream : Stream.take(stream, limit))),
    dispose: () => managed.dispose(),
  }
}

/** Opens a session, runs `body`, and always disposes it. */
export const withSession = async <R, A>(
  context: NodeContext,
  app: App<R>,
  body: (session: Session<R>) => Promise<A>,
): Promise<A> => {
  const session = await open(context, app)
  try {
    return await body(session)
  } finally {
    await session.dispose()
  }
}

/**
 * One provider client per n8n execution: every item (and every page) of a run goes
 * through the same client, so the same rate-limit budget, retries and error mapping.
 */
import { type CrmError, RateLimit } from "@crmkit/core"
import { Cause, type Effect, Exit, Layer, ManagedRuntime, Stream } from "effect"
import type {
  ICredentialDataDecryptedObject,
  IExecuteFunctions,
  IHookFunctions,
  ILoadOptionsFunctions,
  IPollFunctions,
  IWebhookFunctions,
} from "n8n-workflow"
import * as HostCredentials from "./HostCredentials.ts"
import * as HostHttpClient from "./HostHttpClient.ts"
import type { Connection, ProviderAdapter } from "./Provider.ts"

export type NodeContext =
  | IExecuteFunctions
  | ILoadOptionsFunctions
  | IPollFunctions
  | IHookFunctions
  | IWebhookFunctions

export interface Session<R> {
  readonly connection: Connection
  /** Runs a provider effect; rejects with the `CrmError` (or defect) itself. */
  readonly run: <A>(effect: Effect.Effect<A, CrmError, R>) => Promise<A>
  /** Calls a catalog operation by id (input completed from the connection). */
  readonly call: (id: string, input: Record<string, unknown>) => Promise<unknown>
  /** Every record of a paginated operation, or the first `limit`; pages are fetched only as needed. */
  readonly collect: (id: string, input: Record<string, unknown>, limit?: number) => Promise<ReadonlyArray<unknown>>
  readonly dispose: () => Promise<void>
}

/** The credential type the node's `authentication` parameter picks (first credential by default). */
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

export const open = async <R>(
  context: NodeContext,
  adapter: ProviderAdapter<R>,
  defaultCredentialType: string,
): Promise<Session<R>> => {
  const credentialType = credentialTypeOf(context, defaultCredentialType)
  const data: ICredentialDataDecryptedObject = await context.getCredentials(credentialType)
  const credentialId = context.getNode().credentials?.[credentialType]?.id ?? "default"
  const connection: Connection = {
    ...adapter.connection(credentialType, data),
    budget: `n8n:${credentialType}:${credentialId}`,
    send: (options) => context.helpers.httpRequestWithAuthentication.call(context, credentialType, options),
    sendUnauthenticated: (options) =>
      context.helpers.httpRequest.call(context, options) as ReturnType<Connection["sendUnauthenticated"]>,
  }
  const transport = Layer.mergeAll(
    HostHttpClient.layer(connection.send),
    HostCredentials.layer({ kind: connection.kind, budget: connection.budget }),
    RateLimit.layerMemory,
  )
  const runtime = ManagedRuntime.make(adapter.layer(connection).pipe(Layer.provide(transport)))
  const run = async <A>(effect: Effect.Effect<A, CrmError, R>): Promise<A> => {
    const exit = await runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    throw Cause.squash(exit.cause)
  }
  const complete = (id: string, input: Record<string, unknown>) => {
    const entry = adapter.catalog.find((e) => e.id === id)
    if (entry !== undefined) adapter.complete?.(entry, input, connection)
    return input
  }
  return {
    connection,
    run,
    call: (id, input) => run(adapter.call(id, complete(id, input))),
    collect: (id, input, limit) => {
      const all = adapter.stream(
        id,
        complete(id, input),
        limit === undefined ? adapter.pageSize : Math.min(limit, adapter.pageSize),
      )
      return run(Stream.runCollect(limit === undefined ? all : Stream.take(all, limit)))
    },
    dispose: () => runtime.dispose(),
  }
}

/** Opens a session, runs `body`, and always disposes it. */
export const withSession = async <R, A>(
  context: NodeContext,
  adapter: ProviderAdapter<R>,
  defaultCredentialType: string,
  body: (session: Session<R>) => Promise<A>,
): Promise<A> => {
  const session = await open(context, adapter, defaultCredentialType)
  try {
    return await body(session)
  } finally {
    await session.dispose()
  }
}

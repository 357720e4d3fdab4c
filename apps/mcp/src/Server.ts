/**
 * The MCP server: every tool of `Tools.ts` registered with Effect's `McpServer`, each
 * call checked against the agent's policy, its budget and, where the policy says so, a
 * person's confirmation, then run and appended to the audit log. A tool the agent may
 * not use is hidden from its list. Transports: stdio (one agent per process) and
 * Streamable HTTP (agents by bearer token).
 */
import { createServer } from "node:http"
import type { CrmError } from "@crmkit/core"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { McpProtocol, McpSchema, McpServer } from "effect/ai"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "effect/http"
import { RateLimiter } from "effect/persistence"
import * as Audit from "./Audit.ts"
import * as Policy from "./Policy.ts"
import type * as Tools from "./Tools.ts"

/** The agent a request comes from. */
export class CurrentAgent extends Context.Service<CurrentAgent, { readonly name: string }>()(
  "@crmkit/mcp/CurrentAgent",
) {}

export interface Options {
  readonly tools: ReadonlyArray<Tools.ToolDef>
  readonly policy: Policy.Policy
  readonly audit: Audit.AuditLog
  /** Who is calling: the one agent of a stdio server, or the agent a request's headers name. */
  readonly agentOf: (headers: Readonly<Record<string, string | undefined>>) => string | undefined
}

/** Said once to every client, instead of in every tool. */
export const instructions =
  "CRM tools. Lists answer a page at a time: `limit` records (default 25, at most 100), and pass the reply's nextCursor back as `cursor` to continue. Nested fields show only their type: describe_operation gives an operation's full input. A refused call says which rule refused it; ask the person to change the policy rather than retrying."

export const protocols = [McpProtocol.v2025_11_25, McpProtocol.v2025_06_18, McpProtocol.v2025_03_26] as const

const text = (value: string): McpSchema.TextContent => ({ type: "text", text: value })

const toolError = (message: string) => new McpSchema.CallToolResult({ isError: true, content: [text(message)] })

const success = (value: unknown) =>
  new McpSchema.CallToolResult({
    content: [text(JSON.stringify(value))],
    ...(typeof value === "object" && value !== null && !Array.isArray(value) ? { structuredContent: value } : {}),
  })

/** The provider's words, status and request id reach the agent; nothing else of the error does. */
const crmErrorText = (error: CrmError) => {
  const r = error.reason
  return JSON.stringify({
    error: r._tag,
    provider: r.provider,
    message: r.message,
    ...(r.status === undefined ? {} : { status: r.status }),
    ...(r.requestId === undefined ? {} : { requestId: r.requestId }),
    ...(r._tag === "Validation" ? { fields: r.fields } : {}),
  })
}

class Unauthorized extends Schema.Error<Unauthorized>("@crmkit/mcp/Unauthorized")({
  ...McpSchema.McpErrorBase.fields,
  _tag: Schema.tag("Unauthorized"),
  code: Schema.tag(-32001),
}) {}

const Confirmation = Schema.Struct({
  allow: Schema.Boolean.annotate({ description: "Allow this call" }),
})

/** The registrations: every tool, with the policy, budgets, confirmation and audit around each call. */
export const registrations = (options: Options) => {
  const byName = new Map(options.tools.map((tool) => [tool.name, tool]))
  const visibleTo = (agent: string, tool: Tools.ToolDef) =>
    tool.subject === undefined || Policy.visible(options.policy, agent, tool.subject)

  const Agent = McpServer.middleware<{ provides: CurrentAgent }>()((effect, { headers }) => {
    const name = options.agentOf(headers)
    return name === undefined
      ? Effect.fail(new Unauthorized({ message: "Unknown agent: send its bearer token" }))
      : Effect.provideService(effect, CurrentAgent, { name })
  })
  const Visible = McpServer.visibility(({ target }) =>
    Effect.map(Effect.service(CurrentAgent), (agent) => {
      const tool = byName.get(target)
      return tool !== undefined && visibleTo(agent.name, tool)
    }),
  )

  const audited = (
    agent: string,
    tool: Tools.ToolDef,
    target: Tools.Target | undefined,
    args: Tools.JsonObject,
    decision: string,
    rule: string | undefined,
    outcome: Audit.Outcome,
  ) =>
    options.audit.append({
      agent,
      tool: tool.name,
      provider: target?.subject.provider ?? (typeof args.provider === "string" ? args.provider : undefined),
      operation: target?.subject.operationId,
      decision,
      rule,
      arguments: args,
      outcome,
    })

  const call = (tool: Tools.ToolDef, args: Tools.JsonObject) =>
    Effect.gen(function* () {
      const agent = (yield* Effect.serviceOption(CurrentAgent)).pipe(Option.getOrThrow).name
      const started = Date.now()
      const elapsed = () => Date.now() - started
      const refuse = (decision: string, rule: string | undefined, message: string, target?: Tools.Target) =>
        Effect.as(
          audited(agent, tool, target, args, decision, rule, { durationMs: elapsed(), error: message }),
          toolError(message),
        )

      const resolved = yield* Effect.result(tool.target(args))
      if (resolved._tag === "Failure") return yield* refuse("invalid", undefined, resolved.failure.message)
      const target = resolved.success

      if (target === undefined) {
        // A catalog lookup: what the agent may see, nothing sent to the CRM.
        const answer = tool.answer
        if (answer === undefined) return toolError(`${tool.name} has nothing to answer`)
        const result = yield* Effect.result(answer(args, (subject) => Policy.visible(options.policy, agent, subject)))
        if (result._tag === "Failure") return yield* refuse("invalid", undefined, result.failure.message)
        yield* audited(agent, tool, undefined, args, "allow", "catalog", { durationMs: elapsed() })
        return success(result.success)
      }

      const decided = Policy.decide(options.policy, agent, target.subject, target.args)
      if (decided.decision === "deny") {
        return yield* refuse(
          "deny",
          decided.rule,
          `Refused by policy (${decided.rule ?? "default"}): ${decided.reason}`,
          target,
        )
      }
      let decision = "allow"
      if (decided.decision === "confirm") {
        const capabilities = yield* McpServer.clientCapabilities
        if (capabilities.elicitation === undefined) {
          return yield* refuse(
            "confirm-unavailable",
            decided.rule,
            `A person must allow this call (${decided.rule}): ${decided.reason}. This client cannot ask them.`,
            target,
          )
        }
        const answer = yield* Effect.result(
          McpServer.elicit({
            message: `Agent "${agent}" asks to run ${target.subject.provider} ${target.subject.operationId} (${target.subject.access}) with ${JSON.stringify(Audit.redact(target.args, options.policy.audit?.redact ?? []))}. Allow it?`,
            schema: Confirmation,
          }),
        )
        if (answer._tag === "Failure" || !answer.success.allow) {
          return yield* refuse("confirm-declined", decided.rule, "A person declined this call.", target)
        }
        decision = "confirm-accepted"
      }

      const budget = Policy.budgetOf(options.policy, agent)
      if (budget !== undefined) {
        const limiter = yield* RateLimiter.RateLimiter
        const windows = [
          ...(budget.perMinute === undefined ? [] : [{ window: "1 minute" as const, limit: budget.perMinute }]),
          ...(budget.perHour === undefined ? [] : [{ window: "1 hour" as const, limit: budget.perHour }]),
        ]
        for (const { window, limit } of windows) {
          const admitted = yield* Effect.result(
            limiter.consume({ key: `crmkit:mcp:agent:${agent}:${window}`, window, limit, onExceeded: "fail" }),
          )
          if (admitted._tag === "Failure") {
            const reason = admitted.failure.reason
            const retry =
              reason._tag === "RateLimitExceeded"
                ? ` Retry in ${Math.ceil(Number(reason.retryAfter) / 1000) || 1} s.`
                : ""
            return yield* refuse(
              "deny",
              "budget",
              `Agent "${agent}" used its budget of ${limit} calls per ${window.slice(2)}.${retry}`,
              target,
            )
          }
        }
      }

      // Fail closed: a call whose line could not be written is not sent.
      const ready = yield* Effect.result(options.audit.ready)
      if (ready._tag === "Failure")
        return toolError(`Refused: the audit log cannot be written (${ready.failure.message})`)

      const outcome = yield* Effect.result(target.run)
      if (outcome._tag === "Failure") {
        const error = outcome.failure
        const message = error._tag === "ToolInputError" ? error.message : crmErrorText(error)
        const reason = error._tag === "CrmError" ? error.reason : undefined
        yield* audited(agent, tool, target, args, decision, decided.rule, {
          durationMs: elapsed(),
          error: message,
          ...(reason?.status === undefined ? {} : { status: reason.status }),
          ...(reason?.requestId === undefined ? {} : { requestId: reason.requestId }),
        })
        return toolError(message)
      }
      yield* audited(agent, tool, target, args, decision, decided.rule, {
        durationMs: elapsed(),
        ...(outcome.success.records === undefined ? {} : { records: outcome.success.records }),
      })
      return success(outcome.success.value)
    }).pipe(
      Effect.catchTag("AuditError", (error) =>
        Effect.succeed(toolError(`Refused: the audit log cannot be written (${error.message})`)),
      ),
    )

  return Layer.effectDiscard(
    Effect.gen(function* () {
      const server = yield* McpServer.McpServer
      const services = yield* Effect.context<never>()
      for (const tool of options.tools) {
        const inputSchema = yield* Schema.decodeUnknownEffect(McpSchema.ToolJson)(tool.inputSchema).pipe(Effect.orDie)
        yield* server.addTool({
          tool: new McpSchema.Tool({
            name: tool.name,
            description: tool.description,
            inputSchema,
            annotations: tool.annotations as McpSchema.ToolAnnotations,
          }),
          annotations: Context.empty(),
          services,
          handle: (payload: unknown) =>
            call(tool, (payload ?? {}) as Tools.JsonObject) as Effect.Effect<McpSchema.CallToolResult, never, never>,
        })
      }
    }),
  ).pipe(Layer.provide(Visible.combine(Agent).layer))
}

/** The server over stdio, for the one agent `agent`. */
export const layerStdio = (options: Omit<Options, "agentOf"> & { readonly agent: string; readonly version: string }) =>
  McpServer.layerStdio({
    name: "crmkit",
    version: options.version,
    instructions,
    protocols,
    registrations: registrations({ ...options, agentOf: () => options.agent }),
  })

/** `Authorization: Bearer <token>` → the agent whose token it is. */
export const agentByToken =
  (tokens: ReadonlyMap<string, string>) =>
  (headers: Readonly<Record<string, string | undefined>>): string | undefined => {
    const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")
    return match === null ? undefined : tokens.get(Audit.sha256(match[1]!.trim()))
  }

export interface HttpOptions extends Omit<Options, "agentOf"> {
  readonly version: string
  /** SHA-256 (hex) of each agent's bearer token → the agent. */
  readonly tokens: ReadonlyMap<string, string>
  readonly host: string
  readonly port: number
  /** Browser origins allowed to call (any request with another `Origin` is refused). */
  readonly allowedOrigins: ReadonlyArray<string>
  readonly onListen: (url: string) => void
}

/** The server over Streamable HTTP at `/mcp`: a request without a known agent's token gets 401. */
export const layerHttp = (options: HttpOptions) => {
  const agentOf = agentByToken(options.tokens)
  const mcp = McpServer.layerHttp({
    name: "crmkit",
    version: options.version,
    instructions,
    path: "/mcp",
    protocols,
    allowedOrigins: options.allowedOrigins,
    registrations: registrations({ ...options, agentOf }),
  })
  const listening = Layer.effectDiscard(
    HttpServer.addressFormattedWith((url) => Effect.sync(() => options.onListen(`${url}/mcp`))),
  )
  return HttpRouter.serve(mcp, {
    disableLogger: true,
    disableListenLog: true,
    middleware: (effect) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        if (agentOf(request.headers) === undefined) {
          return HttpServerResponse.jsonUnsafe(
            { error: "unauthorized", message: "Send an agent's token: Authorization: Bearer <token>" },
            { status: 401, headers: { "www-authenticate": "Bearer" } },
          )
        }
        return yield* effect
      }),
  }).pipe(
    Layer.merge(listening),
    Layer.provide(NodeHttpServer.layer(() => createServer(), { port: options.port, host: options.host })),
  )
}

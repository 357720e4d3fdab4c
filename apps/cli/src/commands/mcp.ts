/**
 * `crmkit mcp`: the connectors as MCP tools for AI agents (see @crmkit/mcp), with the
 * credentials of the other commands; `crmkit policy check` and `crmkit audit verify|show`
 * check a policy and read the audit log. Logs go to stderr: on stdio, stdout is the
 * protocol's.
 */
import * as path from "node:path"
import type { Connector } from "@crmkit/core"
import * as Console from "effect/Console"
import { Argument, Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { connectors } from "../connectors.ts"
import * as Lazy from "../Lazy.ts"
import { root } from "../Root.ts"
import { UsageError } from "../UsageError.ts"

const Mcp = Effect.promise(() => import("@crmkit/mcp"))
const version = "0.1.0"

const log = (line: string) => Effect.sync(() => process.stderr.write(`crmkit mcp: ${line}\n`))

const loadPolicy = (file: Option.Option<string>) =>
  Effect.gen(function* () {
    const { Policy } = yield* Mcp
    if (Option.isNone(file)) return undefined
    return yield* Policy.load(file.value).pipe(Effect.mapError((error) => new UsageError({ message: error.message })))
  })

/** The catalog and registry of every connector, without credentials: what `policy check` judges. */
const offlineProviders = Effect.forEach(connectors, (connector: Connector.Connector) =>
  Effect.gen(function* () {
    const runtime = yield* Lazy.runtime(connector)
    const [catalog, registry] = yield* Effect.promise(() => Promise.all([runtime.catalog(), runtime.operations()]))
    return { runtime, catalog, registry, services: undefined as never, context: {} }
  }),
)

/** `reader=token,writer=token` → SHA-256 of each token → agent. */
const tokensFromEnv = (raw: string | undefined, sha256: (text: string) => string) => {
  const tokens = new Map<string, string>()
  for (const pair of (raw ?? "").split(",")) {
    const at = pair.indexOf("=")
    if (at <= 0) continue
    const token = pair.slice(at + 1).trim()
    if (token.length < 16)
      throw new UsageError({ message: "CRMKIT_MCP_TOKENS: every token needs at least 16 characters" })
    tokens.set(sha256(token), pair.slice(0, at).trim())
  }
  return tokens
}

const serve = Command.make(
  "mcp",
  {
    agent: Flag.String("agent").pipe(
      Flag.withDescription("The agent this stdio server serves, as the policy names it"),
      Flag.withDefault("default"),
    ),
    policy: Flag.String("policy").pipe(
      Flag.withDescription("Policy file (YAML or JSON) granting each agent its access; none: read-only tools"),
      Flag.optional,
    ),
    audit: Flag.String("audit").pipe(
      Flag.withDescription("Audit log (JSON lines, hash-chained); default: mcp-audit.jsonl in the config folder"),
      Flag.optional,
    ),
    http: Flag.Boolean("http").pipe(
      Flag.withDescription("Serve Streamable HTTP at /mcp (agents by bearer token, from CRMKIT_MCP_TOKENS)"),
      Flag.withDefault(false),
    ),
    host: Flag.String("host").pipe(Flag.withDescription("Address to bind with --http"), Flag.withDefault("127.0.0.1")),
    port: Flag.Int("port").pipe(Flag.withDescription("Port with --http (0: any free port)"), Flag.withDefault(8808)),
    allowOrigin: Flag.String("allow-origin").pipe(
      Flag.withDescription("A browser origin allowed to call with --http (repeatable)"),
      Flag.atLeast(0),
    ),
  },
  Effect.fn(function* ({ agent, policy: policyFile, audit: auditFile, http, host, port, allowOrigin }) {
    const { Audit, Policy, Server, Tools } = yield* Mcp
    const shared = yield* root
    const loaded = yield* loadPolicy(policyFile)
    if (loaded === undefined) yield* log("no --policy: serving read-only tools to every agent")
    const policy = loaded ?? Policy.readOnly
    if (!http && loaded !== undefined && !Policy.agents(policy).includes(agent)) {
      return yield* new UsageError({
        message: `--agent ${agent} is not in ${Option.getOrElse(policyFile, () => "the policy")} (agents: ${Policy.agents(policy).join(", ")})`,
      })
    }
    const tokens = yield* Effect.try({
      try: () => tokensFromEnv(process.env.CRMKIT_MCP_TOKENS, Audit.sha256),
      catch: (error) => error as UsageError,
    })
    if (http && tokens.size === 0) {
      return yield* new UsageError({
        message: "--http needs CRMKIT_MCP_TOKENS=agent=token,... (one bearer token per agent, 16 characters or more)",
      })
    }

    const Session = yield* Lazy.Session
    const Profiles = yield* Lazy.Profiles
    // One sandbox serves every CRM, as a migration's two sides share one.
    const sandboxServer = shared.sandbox
      ? yield* Effect.acquireRelease(
          Effect.promise(async () => (await import("../Sandbox.ts")).start({}, connectors)),
          (s) => Effect.promise(() => s.close()),
        )
      : undefined
    const providers = []
    for (const connector of connectors) {
      const runtime = yield* Lazy.runtime(connector)
      const session = yield* Effect.result(
        Session.open(runtime, {
          sandbox: shared.sandbox,
          sandboxServer,
          baseUrl: Option.getOrUndefined(shared.baseUrl),
          profile: shared.profile,
        }),
      )
      if (session._tag === "Failure") {
        yield* log(`${connector.title} left out: ${session.failure.message}`)
        continue
      }
      const [catalog, registry] = yield* Effect.promise(() => Promise.all([runtime.catalog(), runtime.operations()]))
      providers.push({
        runtime,
        catalog,
        registry,
        services: session.success.services,
        context: session.success.context,
      })
    }
    if (providers.length === 0) return yield* new UsageError({ message: "No CRM has credentials: nothing to serve" })

    const auditPath = Option.getOrElse(auditFile, () => path.join(Profiles.configDir(), "mcp-audit.jsonl"))
    const auditLog = yield* Audit.open(auditPath, { redact: policy.audit?.redact ?? [] }).pipe(
      Effect.mapError((error) => new UsageError({ message: `--audit: ${error.message}` })),
    )
    const tools = Tools.all(providers)
    const { RateLimit } = yield* Effect.promise(() => import("@crmkit/core"))
    const base = { tools, policy, audit: auditLog, version }
    yield* log(
      `${tools.length} tools over ${providers.map((p) => p.runtime.connector.title).join(" and ")}; audit log ${auditPath}`,
    )
    const server = http
      ? Server.layerHttp({
          ...base,
          tokens,
          host,
          port,
          allowedOrigins: allowOrigin,
          onListen: (url) => process.stderr.write(`crmkit mcp: listening on ${url}\n`),
        })
      : Server.layerStdio({ ...base, agent })
    // Agents' budgets are shared like the accounts' ones: in Redis when the CLI uses it.
    const redisUrl = process.env.CRMKIT_REDIS_URL
    const limiter = redisUrl
      ? Layer.unwrap(
          Effect.map(
            Effect.promise(() => import("@crmkit/core/RateLimitRedis")),
            (RateLimitRedis) => RateLimitRedis.limiter({ url: redisUrl }),
          ),
        )
      : RateLimit.limiterMemory
    return yield* Layer.launch(server.pipe(Layer.provide(limiter)))
  }, Effect.scoped),
).pipe(Command.withDescription("Serve the CRMs as MCP tools for AI agents (stdio, or Streamable HTTP with --http)"))

const policyCheck = Command.make(
  "check",
  { file: Argument.String("file").pipe(Argument.withDescription("The policy file")) },
  Effect.fn(function* ({ file }) {
    const { Policy, Tools } = yield* Mcp
    const policy = yield* loadPolicy(Option.some(file))
    const providers = yield* offlineProviders
    const tools = providers.flatMap((provider) => Tools.actionTools(provider))
    const operations = providers.flatMap((provider) =>
      provider.catalog.map((entry) => Tools.subjectOfOperation(provider, entry)),
    )
    const byAgent = new Map<string, Array<string>>()
    for (const { agent, subject, decision } of Policy.check(
      policy!,
      tools.map((tool) => tool.subject!),
    )) {
      const lines = byAgent.get(agent) ?? [`agent ${agent}`]
      byAgent.set(agent, lines)
      // Default denials are the silence of a policy: print what it grants and what it refuses by name.
      if (decision.decision === "deny" && (decision.rule ?? "default") === "default") continue
      lines.push(`  ${decision.decision.padEnd(8)}${subject.tool.padEnd(44)}${decision.rule ?? ""}  ${decision.reason}`)
    }
    const counts = new Map<string, Record<string, number>>()
    for (const { agent, decision } of Policy.check(policy!, operations)) {
      const count = counts.get(agent) ?? { allow: 0, confirm: 0, deny: 0 }
      count[decision.decision] = (count[decision.decision] ?? 0) + 1
      counts.set(agent, count)
    }
    const lines = [...byAgent].flatMap(([agent, agentLines]) => {
      const count = counts.get(agent) ?? {}
      return [
        ...agentLines,
        `  call_operation: ${count.allow ?? 0} of ${operations.length} operations allowed, ${count.confirm ?? 0} to confirm`,
      ]
    })
    yield* Console.log(lines.join("\n"))
  }),
).pipe(Command.withDescription("Check a policy file and print each agent's effective access (exit 2 if it is bad)"))

const auditFileArgument = Argument.String("file").pipe(Argument.withDescription("The audit log"))

const auditVerify = Command.make(
  "verify",
  { file: auditFileArgument },
  Effect.fn(function* ({ file }) {
    const { Audit } = yield* Mcp
    const result = yield* Audit.verify(file).pipe(
      Effect.mapError((error) => new UsageError({ message: error.message })),
    )
    if (result.ok) return yield* Console.log(`${file}: ${result.lines} lines, chain intact`)
    process.stderr.write(`${file}: line ${result.line}: ${result.reason}\n`)
    process.exitCode = 1
  }),
).pipe(
  Command.withDescription("Check that no line of an audit log was edited, removed or reordered (exit 1 if one was)"),
)

const auditShow = Command.make(
  "show",
  {
    file: auditFileArgument,
    agent: Flag.String("agent").pipe(Flag.withDescription("Only this agent's calls"), Flag.optional),
    decision: Flag.String("decision").pipe(Flag.withDescription("Only calls with this decision"), Flag.optional),
    since: Flag.String("since").pipe(Flag.withDescription("Only calls from this time on (ISO 8601)"), Flag.optional),
  },
  Effect.fn(function* ({ file, agent, decision, since }) {
    const { Audit } = yield* Mcp
    const from = Option.map(since, (text) => new Date(text))
    if (Option.isSome(from) && Number.isNaN(from.value.getTime())) {
      return yield* new UsageError({ message: `--since ${Option.getOrElse(since, () => "")} is not a time` })
    }
    const entries = yield* Audit.show(file, {
      agent: Option.getOrUndefined(agent),
      decision: Option.getOrUndefined(decision),
      since: Option.getOrUndefined(from),
    }).pipe(Effect.mapError((error) => new UsageError({ message: error.message })))
    for (const entry of entries) yield* Console.log(JSON.stringify(entry))
  }),
).pipe(Command.withDescription("Print the calls of an audit log, as JSON lines"))

export const mcpCommand = serve
export const policyCommand = Command.make("policy").pipe(
  Command.withDescription("Policies for AI agents"),
  Command.withSubcommands([policyCheck]),
)
export const auditCommand = Command.make("audit").pipe(
  Command.withDescription("The audit log of AI agents' calls"),
  Command.withSubcommands([auditVerify, auditShow]),
)

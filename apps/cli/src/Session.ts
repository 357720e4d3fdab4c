/**
 * Builds the client a command talks through, from the first source that has
 * credentials: the embedded sandbox (`--sandbox`), the environment, or a saved profile
 * (`--profile`, default `default`). Undici is the transport.
 */
import { type Connector, type Credentials, type CrmClient, type CrmError, RateLimit, TokenStore } from "@crmkit/core"
import type { SandboxServer } from "@crmkit/sandbox"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { HttpClient } from "effect/http"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Connections from "./Connections.ts"
import * as Profiles from "./Profiles.ts"
import { UsageError } from "./UsageError.ts"

export interface SessionOptions {
  readonly sandbox: boolean
  readonly baseUrl: string | undefined
  readonly profile: string
  /** Stop at the first request, print it and send nothing (`--dry-run`). */
  readonly dryRun?: boolean | undefined
  /** With `sandbox`: a sandbox already serving several providers (a migration's two sides), else one of its own. */
  readonly sandboxServer?: SandboxServer | undefined
}

export interface Session {
  readonly client: CrmClient.CrmClient
  /** The provider's client service, for its actions and operations. */
  readonly services: Context.Context<any>
  /** Requests sent so far and time spent waiting for rate-limit windows, for progress displays. */
  readonly stats: { readonly requests: () => number; readonly waitedMillis: () => number }
  /** Values the environment, the profile or the sandbox supplies, e.g. GHL's `locationId`. */
  readonly context: Readonly<Record<string, string>>
}

type AnyCredentials = Layer.Layer<Credentials.Credentials, CrmError, TokenStore.TokenStore | HttpClient.HttpClient>

/**
 * `CRMKIT_RATE_LIMITS=off`: requests are not paced by the provider's published windows, for a
 * gateway that paces them itself or a sandbox started with `--rate-limits=false`. A 429 still
 * waits as long as the provider's headers ask.
 */
const unpacedRateLimits: Layer.Layer<RateLimit.RateLimits> = Layer.effect(
  RateLimit.RateLimits,
  Effect.map(RateLimit.make, (paced) =>
    RateLimit.RateLimits.of({
      ...paced,
      admit: (policy, credentialId) => Effect.succeed({ budget: `${policy.name}:${credentialId}`, sequence: 0 }),
      observe: () => Effect.void,
    }),
  ),
).pipe(Layer.provide(RateLimit.limiterMemory))

/**
 * Budgets in this process, or in the Redis at `CRMKIT_REDIS_URL`, so that every process
 * and machine using one account draws from one budget.
 */
const sharedRateLimits = (): Layer.Layer<RateLimit.RateLimits, UsageError> => {
  const pacing = process.env.CRMKIT_RATE_LIMITS
  if (pacing === "off") return unpacedRateLimits
  if (pacing !== undefined && pacing !== "" && pacing !== "on")
    return Layer.effect(
      RateLimit.RateLimits,
      Effect.fail(
        new UsageError({
          message: `CRMKIT_RATE_LIMITS=${pacing}: "off" sends without pacing, "on" (or unset) paces by the provider's limits`,
        }),
      ),
    )
  const url = process.env.CRMKIT_REDIS_URL
  if (!url) return RateLimit.layerMemory
  return Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("@crmkit/core/RateLimitRedis")),
      (RateLimitRedis) => RateLimitRedis.layer({ url }),
    ),
  ).pipe(
    Layer.catchTag("RedisError", (error) =>
      Layer.effect(
        RateLimit.RateLimits,
        Effect.fail(
          new UsageError({
            message: `Could not reach the rate-limit store (CRMKIT_REDIS_URL): ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`,
          }),
        ),
      ),
    ),
  )
}

// The layers are built into the command's scope: the undici dispatcher must outlive the
// client's construction. undici is imported only by commands that send requests.
const makeClient = (
  runtime: Connector.Runtime,
  baseUrl: string | undefined,
  context: Readonly<Record<string, string>>,
  credentials: AnyCredentials,
  store: TokenStore.TokenStoreShape,
  dryRun = false,
) =>
  Effect.gen(function* () {
    const NodeHttpClient = dryRun
      ? { layerUndici: yield* Effect.promise(async () => (await import("./DryRun.ts")).layer) }
      : yield* Effect.promise(() => import("@effect/platform-node/NodeHttpClient"))
    let requests = 0
    // Every request that leaves, retries and refreshes included: what a progress line counts.
    const counted = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(
        HttpClient.HttpClient,
        HttpClient.tapRequest(() => Effect.sync(() => void requests++)),
      ),
    ).pipe(Layer.provide(NodeHttpClient.layerUndici))
    const transport = Layer.merge(counted, Layer.succeed(TokenStore.TokenStore, store))
    const rateLimits = sharedRateLimits()
    const services = yield* Layer.build(
      runtime
        .client({ baseUrl, context })
        .pipe(
          Layer.provideMerge(Layer.mergeAll(credentials, rateLimits, transport).pipe(Layer.provideMerge(transport))),
        ),
    )
    const limits = Context.getUnsafe(services, RateLimit.RateLimits)
    const stats = {
      requests: () => requests,
      waitedMillis: () => Duration.toMillis(Effect.runSync(limits.waited)),
    }
    return { client: runtime.crmClient(services), services, stats, context } satisfies Session
  })

const fromProfile = (runtime: Connector.Runtime, name: string) =>
  Effect.gen(function* () {
    const provider = runtime.connector
    const saved = Profiles.find(name, provider.name)
    if (saved === undefined) return undefined
    const secrets = yield* Profiles.secrets
    const secretOf = (key: string) =>
      Effect.flatMap(secrets.get(key), (found) =>
        Option.isSome(found)
          ? Effect.succeed(found.value)
          : Effect.fail(new UsageError({ message: `Profile "${name}" lost its secret: run crmkit auth again` })),
      )
    const location = saved.locationId === undefined ? {} : { locationId: saved.locationId }
    let credentials: AnyCredentials
    let context: Readonly<Record<string, string>> = {
      ...location,
      ...saved.context,
      ...Connections.contextFromEnv(provider, process.env),
    }
    if (saved.kind === "oauth2") {
      const oauth = runtime.oauth
      if (oauth === undefined) {
        return yield* new UsageError({
          message: `Profile "${name}" is an OAuth login, which ${provider.title} does not have`,
        })
      }
      const clientSecret = (yield* secretOf(Profiles.appSecretKey(provider.name, saved.clientId ?? ""))).accessToken
      const tokens = yield* secretOf(saved.storeKey)
      const app: Connector.OAuthApp = {
        clientId: saved.clientId ?? "",
        clientSecret,
        tokenUrl: saved.tokenUrl,
        baseUrl: saved.baseUrl,
        ...(saved.options === undefined ? {} : { options: saved.options }),
      }
      context = { ...oauth.contextOf(tokens), ...context }
      credentials = Connections.savedLogin(runtime, oauth, app, {
        storeKey: saved.storeKey,
        tokens,
        context,
        signInHint: Connections.signInAgainHint(provider.name, name, saved.clientId),
      })
    } else {
      credentials = runtime.keyCredentials(saved.kind, (yield* secretOf(saved.storeKey)).accessToken)
    }
    Profiles.touch(saved)
    return { saved, credentials, secrets, context }
  }).pipe(Effect.mapError((e) => (e._tag === "TokenStoreError" ? new UsageError({ message: e.message }) : e)))

export const open = (runtime: Connector.Runtime, options: SessionOptions) =>
  Effect.gen(function* () {
    const provider = runtime.connector
    const memory = TokenStore.makeMemory()
    if (options.sandbox) {
      const server =
        options.sandboxServer ??
        (yield* Effect.acquireRelease(
          Effect.promise(async () => (await import("./Sandbox.ts")).start({}, [provider])),
          (s) => Effect.promise(() => s.close()),
        ))
      const connection = server.connections[provider.name]
      if (connection === undefined) {
        return yield* new UsageError({ message: `${provider.title} has no simulator: --sandbox is not available` })
      }
      return yield* makeClient(
        runtime,
        options.baseUrl ?? connection.baseUrl,
        connection.context,
        runtime.keyCredentials(connection.credential.kind, Redacted.make(connection.credential.secret)),
        memory,
        options.dryRun,
      )
    }
    // `KEAP_BASE_URL`, `GHL_BASE_URL`: one gateway or sandbox per provider, where one --base-url cannot serve two.
    const baseUrl = options.baseUrl ?? (process.env[`${provider.name.toUpperCase()}_BASE_URL`] || undefined)
    const fromEnv = Connections.fromEnv(runtime, process.env)
    if (fromEnv !== undefined) {
      const context = Connections.contextFromEnv(provider, process.env)
      return yield* makeClient(runtime, baseUrl, context, fromEnv, memory, options.dryRun)
    }
    const saved = yield* fromProfile(runtime, options.profile)
    if (saved === undefined) {
      return yield* new UsageError({
        message: `No ${provider.title} credentials: set ${Connections.envHelp(provider)}, run \`crmkit auth add ${provider.name}\` or \`crmkit auth login ${provider.name}\`, or add --sandbox to try the embedded sandbox.`,
      })
    }
    const savedUrl = baseUrl ?? saved.saved.baseUrl
    return yield* makeClient(runtime, savedUrl, saved.context, saved.credentials, saved.secrets, options.dryRun)
  })

/**
 * Builds the client a command talks through, from the first source that has
 * credentials: the embedded sandbox (`--sandbox`), the environment, or a saved profile
 * (`--profile`, default `default`). Undici is the transport.
 */
import { type Credentials, CrmClient, type CrmError, type Provider, RateLimit, TokenStore } from "@crmkit/core"
import { Effect, Layer, Option } from "effect"
import type { HttpClient } from "effect/http"
import * as Profiles from "./Profiles.ts"
import { type CliProvider, oauthCredentials } from "./providers/runtime.ts"
import { UsageError } from "./UsageError.ts"

export interface SessionOptions {
  readonly sandbox: boolean
  readonly baseUrl: string | undefined
  readonly profile: string
}

export interface Session {
  readonly client: CrmClient.CrmClient
  /** Parameters the environment, the profile or the sandbox supplies, e.g. GHL's `locationId`. */
  readonly context: Readonly<Record<string, string>>
}

type AnyCredentials = Layer.Layer<Credentials.Credentials, CrmError, TokenStore.TokenStore | HttpClient.HttpClient>

// The layers are built into the command's scope: the undici dispatcher must outlive the
// client's construction. undici is imported only by commands that send requests.
const makeClient = (
  profile: Provider.ProviderProfile,
  credentials: AnyCredentials,
  store: TokenStore.TokenStoreShape,
) =>
  Effect.promise(() => import("@effect/platform-node/NodeHttpClient")).pipe(
    Effect.flatMap((NodeHttpClient) => {
      const transport = Layer.merge(NodeHttpClient.layerUndici, Layer.succeed(TokenStore.TokenStore, store))
      return Layer.build(Layer.mergeAll(credentials, RateLimit.layerMemory, transport).pipe(Layer.provide(transport)))
    }),
    Effect.flatMap((context) => CrmClient.make(profile).pipe(Effect.provideContext(context))),
  )

const fromProfile = (provider: CliProvider, name: string) =>
  Effect.gen(function* () {
    const saved = Profiles.find(name, provider.name)
    if (saved === undefined) return undefined
    const secrets = yield* Profiles.secrets
    const secretOf = (key: string) =>
      Effect.flatMap(secrets.get(key), (found) =>
        Option.isSome(found)
          ? Effect.succeed(found.value)
          : Effect.fail(new UsageError({ message: `Profile "${name}" lost its secret: run crmkit auth again` })),
      )
    let credentials: AnyCredentials
    if (saved.kind === "oauth2") {
      const clientSecret = (yield* secretOf(Profiles.appSecretKey(provider.name, saved.clientId ?? ""))).accessToken
      const tokens = yield* secretOf(saved.storeKey)
      const app = { clientId: saved.clientId ?? "", clientSecret, tokenUrl: saved.tokenUrl, baseUrl: saved.baseUrl }
      credentials = oauthCredentials(provider, app, saved.storeKey, provider.auth.budget(app, tokens))
    } else {
      credentials = provider.auth.keyCredentials(saved.kind, (yield* secretOf(saved.storeKey)).accessToken)
    }
    Profiles.touch(saved)
    return { saved, credentials, secrets }
  }).pipe(Effect.mapError((e) => (e._tag === "TokenStoreError" ? new UsageError({ message: e.message }) : e)))

export const open = (provider: CliProvider, options: SessionOptions) =>
  Effect.gen(function* () {
    const memory = TokenStore.makeMemory()
    if (options.sandbox) {
      const server = yield* Effect.acquireRelease(
        Effect.promise(async () =>
          (await import("@crmkit/sandbox")).startSandbox({ contacts: { keap: 250, ghl: 250 } }),
        ),
        (s) => Effect.promise(() => s.close()),
      )
      const wiring = provider.sandbox(server)
      const client = yield* makeClient(provider.profile(options.baseUrl ?? wiring.baseUrl), wiring.credentials, memory)
      return { client, context: wiring.context } satisfies Session
    }
    const fromEnv = provider.credentialsFromEnv(process.env)
    if (fromEnv !== undefined) {
      const client = yield* makeClient(provider.profile(options.baseUrl), fromEnv, memory)
      return { client, context: provider.contextParameters(process.env) } satisfies Session
    }
    const saved = yield* fromProfile(provider, options.profile)
    if (saved === undefined) {
      return yield* new UsageError({
        message: `No ${provider.title} credentials: set ${provider.envHelp}, run \`crmkit auth add ${provider.name}\` or \`crmkit auth login ${provider.name}\`, or add --sandbox to try the embedded sandbox.`,
      })
    }
    const client = yield* makeClient(
      provider.profile(options.baseUrl ?? saved.saved.baseUrl),
      saved.credentials,
      saved.secrets,
    )
    const context = saved.saved.locationId === undefined ? {} : { locationId: saved.saved.locationId }
    return { client, context: { ...context, ...provider.contextParameters(process.env) } } satisfies Session
  })

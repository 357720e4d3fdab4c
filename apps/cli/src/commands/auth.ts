/**
 * `crmkit auth login | add | list | status | logout`: saved credentials per profile.
 * No command prints a secret: status shows the kind, the expiry and the last characters.
 */
import type * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { Connector, TokenStore } from "@crmkit/core"
import * as Console from "effect/Console"
import { Argument, Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Connections from "../Connections.ts"
import { connectorNamed, connectors } from "../connectors.ts"
import * as Lazy from "../Lazy.ts"
import { nodeHttp } from "../NodeBuiltins.ts"
import { render } from "../Output.ts"
import type * as ProfilesModule from "../Profiles.ts"
import { root } from "../Root.ts"
import { UsageError } from "../UsageError.ts"

const providerArgument = Argument.Literals(
  "provider",
  connectors.map((c) => c.name) as unknown as readonly [string, ...string[]],
).pipe(Argument.withDescription(connectors.map((c) => c.name).join(" or ")))
// `--profile` is the root's flag (it is read wherever it stands on the command line).

const runtimeNamed = (name: string): Effect.Effect<Connector.Runtime> => Lazy.runtime(connectorNamed(name)!)

const contextFlag = Flag.KeyValuePair("context").pipe(
  Flag.withDescription(
    `What the credential works in, as name=value (${connectors
      .flatMap((c) => c.context.map((p) => `${c.name}: ${p.name}`))
      .join(", ")})`,
  ),
  Flag.optional,
)

/** Refuses a context name the connector does not know, before anything is sent. */
const checkedContext = (connector: Connector.Connector, given: Option.Option<Record<string, string>>) =>
  Effect.gen(function* () {
    const values = Option.getOrElse(given, () => ({}))
    const known = connector.context.map((p) => p.name)
    const unknown = Object.keys(values).filter((name) => !known.includes(name))
    if (unknown.length > 0) {
      return yield* new UsageError({
        message: `${connector.title} has no context ${unknown.join(", ")}${known.length ? ` (it knows ${known.join(", ")})` : ""}`,
      })
    }
    return values
  })

/** Checks `--option name=value` against the connector's login choices and fills their defaults. */
const checkedOptions = (connector: Connector.Connector, given: Option.Option<Record<string, string>>) =>
  Effect.gen(function* () {
    const values = Option.getOrElse(given, () => ({}))
    const choices = Connections.oauthKind(connector)?.oauth?.options ?? []
    const options: Record<string, string> = {}
    for (const [name, value] of Object.entries(values)) {
      const choice = choices.find((c) => c.name === name)
      if (choice === undefined) {
        return yield* new UsageError({
          message: `${connector.title} logins take no option ${name}${choices.length ? ` (they take ${choices.map((c) => c.name).join(", ")})` : ""}`,
        })
      }
      if (choice.choices !== undefined && !choice.choices.includes(value)) {
        return yield* new UsageError({
          message: `--option ${name} must be ${choice.choices.join(" or ")}, not ${value}`,
        })
      }
      options[name] = value
    }
    for (const choice of choices)
      if (options[choice.name] === undefined && choice.default) options[choice.name] = choice.default
    return options
  })
const loadCredentials = Effect.promise(() => import("@crmkit/core/Credentials"))
const loadOAuth2 = Effect.promise(() => import("@crmkit/core/OAuth2"))

/** Reads a secret from an environment variable or standard input, never from the command line. */
const readSecret = (what: string, envName: string) =>
  Effect.gen(function* () {
    const fromEnv = process.env[envName]
    if (fromEnv) return Redacted.make(fromEnv)
    if (process.stdin.isTTY) process.stderr.write(`${what}: `)
    const text = yield* Effect.promise(
      () =>
        new Promise<string>((resolve) => {
          let data = ""
          process.stdin.setEncoding("utf8")
          process.stdin.on("data", (chunk) => {
            data += chunk
            // On a terminal the first line is the secret; a pipe is read to its end.
            if (process.stdin.isTTY && data.includes("\n")) {
              process.stdin.pause()
              resolve(data)
            }
          })
          process.stdin.on("end", () => resolve(data))
        }),
    )
    const value = text.trim()
    if (value === "")
      return yield* new UsageError({ message: `No ${what}: set ${envName} or pipe it on standard input` })
    return Redacted.make(value)
  })

/** Waits on a loopback port for the provider's redirect and returns its query. */
const loopback = (port: number) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ server: http.Server; url: string; callback: Promise<URLSearchParams> }>((resolve) => {
          let deliver: (query: URLSearchParams) => void = () => {}
          const callback = new Promise<URLSearchParams>((r) => {
            deliver = r
          })
          const server = nodeHttp().createServer((request, response) => {
            const url = new URL(request.url ?? "/", "http://127.0.0.1")
            if (url.pathname !== "/callback") {
              response.writeHead(404).end()
              return
            }
            response.writeHead(200, { "content-type": "text/html" })
            response.end("<p>crmkit: signed in. You can close this tab.</p>")
            deliver(url.searchParams)
          })
          server.listen(port, "127.0.0.1", () => {
            const address = server.address() as AddressInfo
            resolve({ server, url: `http://127.0.0.1:${address.port}/callback`, callback })
          })
        }),
    ),
    ({ server }) => Effect.promise(() => new Promise<void>((r) => server.close(() => r()))),
  )

const login = Command.make(
  "login",
  {
    provider: providerArgument,
    clientId: Flag.String("client-id").pipe(Flag.withDescription("OAuth app client id")),
    port: Flag.Int("port").pipe(
      Flag.withDescription("Loopback port for the redirect (0: any)"),
      Flag.withDefault(8976),
    ),
    scope: Flag.String("scope").pipe(Flag.withDescription("Scopes, space-separated"), Flag.optional),
    option: Flag.KeyValuePair("option").pipe(
      Flag.withDescription(
        `A login choice, as name=value (${connectors
          .flatMap((c) =>
            (Connections.oauthKind(c)?.oauth?.options ?? []).map(
              (o) => `${c.name}: ${o.name}=${o.choices?.join("|") ?? "..."}`,
            ),
          )
          .join(", ")})`,
      ),
      Flag.optional,
    ),
    context: contextFlag,
    pkce: Flag.Boolean("pkce").pipe(
      Flag.withDescription("Use PKCE (where the provider allows it)"),
      Flag.withDefault(false),
    ),
    authorizeUrl: Flag.String("authorize-url").pipe(
      Flag.withDescription("Consent page (white-label hosts, sandbox)"),
      Flag.optional,
    ),
    tokenUrl: Flag.String("token-url").pipe(Flag.withDescription("Token endpoint"), Flag.optional),
  },
  Effect.fn(function* (flags) {
    const Profiles = yield* Lazy.Profiles
    const globals = yield* root
    const runtime = yield* runtimeNamed(flags.provider)
    const provider = runtime.connector
    const flow = Connections.oauthKind(provider)?.oauth
    const oauth = runtime.oauth
    if (flow === undefined || oauth === undefined) {
      return yield* new UsageError({ message: `${provider.title} has no OAuth login` })
    }
    const options = yield* checkedOptions(provider, flags.option)
    const context = yield* checkedContext(provider, flags.context)
    const OAuth2 = yield* loadOAuth2
    const clientSecret = yield* readSecret("client secret", "CRMKIT_CLIENT_SECRET")
    const baseUrl = Option.getOrUndefined(globals.baseUrl)
    const app: Connector.OAuthApp = {
      clientId: flags.clientId,
      clientSecret,
      tokenUrl: Option.getOrUndefined(flags.tokenUrl),
      baseUrl,
      options,
    }
    const { url: redirectUri, callback } = yield* loopback(flags.port)
    const start = OAuth2.authorizationUrl({
      authorizeUrl: Option.getOrElse(flags.authorizeUrl, () => flow.authorizeUrl),
      clientId: app.clientId,
      redirectUri,
      scope: Option.getOrElse(flags.scope, () => flow.defaultScopes.join(" ")),
      pkce: flags.pkce,
    })
    yield* Console.error(
      `Open this URL to grant access:\n\n  ${start.url}\n\nWaiting for the redirect to ${redirectUri} ...`,
    )
    const query = yield* Effect.promise(() => callback).pipe(
      Effect.timeoutOrElse({
        duration: "5 minutes",
        orElse: () => Effect.fail(new UsageError({ message: "No redirect within 5 minutes" })),
      }),
    )
    if (query.get("state") !== start.state) {
      return yield* new UsageError({ message: "The redirect's state does not match: refusing it (possible forgery)" })
    }
    const code = query.get("code")
    if (code === null) {
      return yield* new UsageError({
        message: `The provider refused: ${query.get("error") ?? "no code"} ${query.get("error_description") ?? ""}`,
      })
    }
    const endpoint = {
      ...oauth.tokenEndpoint(app),
      tokenUrl: app.tokenUrl ?? oauth.tokenEndpoint(app).tokenUrl,
    }
    const tokens = yield* OAuth2.exchangeCode(
      // The code exchange sends the client credentials in the form for both providers.
      { ...endpoint, clientAuthentication: "body" },
      { code, redirectUri, codeVerifier: start.codeVerifier, extraParams: oauth.grantParams(app) },
    ).pipe(Effect.provide((yield* Effect.promise(() => import("@effect/platform-node/NodeHttpClient"))).layerUndici))
    const secrets = yield* Profiles.secrets
    const storeKey = oauth.storeKey(app, tokens, globals.profile)
    yield* secrets.set(storeKey, tokens)
    yield* secrets.set(Profiles.appSecretKey(provider.name, app.clientId), { accessToken: clientSecret })
    Profiles.save({
      name: globals.profile,
      provider: provider.name,
      kind: "oauth2",
      storeKey,
      clientId: app.clientId,
      ...(Object.keys(options).length === 0 ? {} : { options }),
      // What the login itself tells wins over what was asked.
      ...contextField({ ...context, ...oauth.contextOf(tokens) }),
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(app.tokenUrl === undefined ? {} : { tokenUrl: app.tokenUrl }),
      ...(tokens.scope === undefined ? {} : { scopes: tokens.scope.split(/\s+/) }),
      createdAt: new Date().toISOString(),
    })
    yield* Console.error(`Signed in to ${provider.title} as profile "${globals.profile}".`)
  }, Effect.scoped),
).pipe(Command.withDescription("Sign in with OAuth (authorization code, loopback redirect, state; PKCE with --pkce)"))

const add = Command.make(
  "add",
  {
    provider: providerArgument,
    kind: Flag.String("kind").pipe(
      Flag.withDescription(
        connectors
          .map(
            (c) =>
              `${Connections.keyKinds(c)
                .map((k) => k.kind)
                .join(" or ")} (${c.title})`,
          )
          .join(", "),
      ),
    ),
    context: contextFlag,
  },
  Effect.fn(function* ({ provider: name, kind, context: givenContext }) {
    const Profiles = yield* Lazy.Profiles
    const globals = yield* root
    const profile = globals.profile
    const runtime = yield* runtimeNamed(name)
    const provider = runtime.connector
    const Credentials = yield* loadCredentials
    const kinds = Connections.keyKinds(provider)
    const chosen = kinds.find((k) => k.kind === kind)
    if (chosen === undefined) {
      return yield* new UsageError({
        message: `${provider.title} keys are ${kinds.map((k) => `${k.kind} (${k.title})`).join(" or ")}, not ${kind}`,
      })
    }
    const context = yield* checkedContext(provider, givenContext)
    const key = yield* readSecret(`${provider.title} ${chosen.title}`, "CRMKIT_KEY")
    // Builds the credential once: a legacy or malformed key is refused here, not on first use.
    yield* Effect.scoped(
      Effect.asVoid(
        Effect.provide(
          Credentials.Credentials.use(() => Effect.void),
          runtime.keyCredentials(kind, key),
        ),
      ),
    )
    const storeKey = `key:${profile}:${provider.name}`
    const secrets = yield* Profiles.secrets
    yield* secrets.set(storeKey, { accessToken: key })
    const baseUrl = Option.getOrUndefined(globals.baseUrl)
    Profiles.save({
      name: profile,
      provider: provider.name,
      kind,
      storeKey,
      ...contextField(context),
      ...(baseUrl === undefined ? {} : { baseUrl }),
      createdAt: new Date().toISOString(),
    })
    yield* Console.error(
      `Saved a ${provider.title} ${chosen.title} ending ${Credentials.lastCharacters(key)} as profile "${profile}".`,
    )
  }),
).pipe(
  Command.withDescription(
    `Save a key: ${connectors
      .map(
        (c) =>
          `${c.title} ${Connections.keyKinds(c)
            .map((k) => k.kind)
            .join("/")}`,
      )
      .join(", ")} (read from CRMKIT_KEY or standard input)`,
  ),
)

/** The context a profile works in, as saved (older profiles kept a `locationId`). */
const contextText = (p: ProfilesModule.Profile) =>
  Object.entries({ ...(p.locationId === undefined ? {} : { locationId: p.locationId }), ...p.context })
    .map(([name, value]) => `${name}=${value}`)
    .join(" ")

const contextField = (context: Readonly<Record<string, string>>) =>
  Object.keys(context).length === 0 ? {} : { context }

const daysSince = (iso: string | undefined) =>
  iso === undefined ? undefined : (Date.now() - Date.parse(iso)) / 86_400_000

/** What the providers will do to a credential soon. */
export const warningsFor = (
  provider: Connector.Connector,
  profile: ProfilesModule.Profile,
  tokens: TokenStore.TokenSet | undefined,
): Array<string> => {
  const warnings: Array<string> = []
  if (tokens === undefined) return ["its secret is missing from the credentials file: add or log in again"]
  if (profile.kind === "oauth2") {
    if (tokens.refreshToken === undefined)
      warnings.push("no refresh token: it stops working when the access token expires")
    const idle = daysSince(profile.lastUsedAt ?? profile.createdAt) ?? 0
    const flow = Connections.oauthKind(provider)?.oauth
    const limit = flow?.refreshTokenDays
    if (limit !== undefined && idle > limit - 7) {
      warnings.push(
        `not used for ${Math.floor(idle)} days: the refresh token may expire after ${limit} days unused; run any command to rotate it`,
      )
    }
    // The scopes crmkit asks for by default are those its everyday commands need.
    const granted = profile.scopes
    const missing =
      granted === undefined || granted.includes("full")
        ? []
        : (flow?.defaultScopes ?? []).filter((scope) => !granted.includes(scope))
    if (missing.length > 0) {
      warnings.push(`not granted ${missing.join(", ")}: commands that need them are refused before sending`)
    }
  } else {
    const idle = daysSince(profile.lastUsedAt ?? profile.createdAt) ?? 0
    const limit = provider.credentials.find((k) => k.kind === profile.kind)?.unusedDeletedAfterDays
    if (limit !== undefined && idle > limit - 14) {
      warnings.push(`not used for ${Math.floor(idle)} days: ${provider.title} deletes keys unused for ${limit} days`)
    }
  }
  return warnings
}

const status = Command.make(
  "status",
  { profile: Flag.String("profile").pipe(Flag.withDescription("Only this profile"), Flag.optional) },
  Effect.fn(function* ({ profile }) {
    const Profiles = yield* Lazy.Profiles
    const secrets = yield* Profiles.secrets
    const Credentials = yield* loadCredentials
    const rows = []
    for (const p of Profiles.list()) {
      if (Option.isSome(profile) && p.name !== profile.value) continue
      const tokens = Option.getOrUndefined(yield* secrets.get(p.storeKey))
      rows.push({
        profile: p.name,
        provider: p.provider,
        kind: p.kind,
        secret: tokens === undefined ? "(missing)" : Credentials.lastCharacters(tokens.accessToken),
        expires: tokens?.expiresAt === undefined ? "" : new Date(tokens.expiresAt).toISOString(),
        context: contextText(p),
        warnings: warningsFor(connectorNamed(p.provider)!, p, tokens).join("; "),
      })
    }
    yield* Console.log(
      rows.length === 0
        ? "No saved credentials. Add one with `crmkit auth add` or `crmkit auth login`."
        : render(rows, "table"),
    )
  }),
).pipe(Command.withDescription("Show saved credentials (kind, expiry, last characters) and what needs attention"))

const listCommand = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const Profiles = yield* Lazy.Profiles
    const rows = Profiles.list().map((p) => ({
      profile: p.name,
      provider: p.provider,
      kind: p.kind,
      context: contextText(p),
    }))
    yield* Console.log(rows.length === 0 ? "No saved credentials." : render(rows, "table"))
  }),
).pipe(Command.withDescription("List saved profiles"))

const logout = Command.make(
  "logout",
  { provider: providerArgument },
  Effect.fn(function* ({ provider }) {
    const { profile } = yield* root
    const Profiles = yield* Lazy.Profiles
    const saved = Profiles.find(profile, provider)
    if (saved === undefined) return yield* new UsageError({ message: `No ${provider} profile named "${profile}"` })
    const secrets = yield* Profiles.secrets
    yield* secrets.remove(saved.storeKey)
    Profiles.remove(profile, provider)
    yield* Console.error(`Removed ${provider} profile "${profile}".`)
  }),
).pipe(Command.withDescription("Forget a saved credential"))

export const authCommand = Command.make("auth").pipe(
  Command.withDescription("Sign in, save keys, and check saved credentials"),
  Command.withSubcommands([login, add, listCommand, status, logout]),
)

/**
 * Saved credentials, by profile name and provider. Secrets (tokens, keys, client
 * secrets) live in the core's file TokenStore (0600, atomic rename), or in Redis when
 * several machines share them (`CRMKIT_REDIS_URL`); `profiles.json` holds only what says
 * which secret belongs where. Both files sit in the user's config folder
 * (`$CRMKIT_CONFIG_DIR`, else `$XDG_CONFIG_HOME/crmkit`, else `~/.config/crmkit`).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as TokenStore from "@crmkit/core/TokenStore"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { UsageError } from "./UsageError.ts"

export const configDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.CRMKIT_CONFIG_DIR ?? path.join(env.XDG_CONFIG_HOME ?? path.join(env.HOME ?? os.homedir(), ".config"), "crmkit")

export const Profile = Schema.Struct({
  name: Schema.String,
  provider: Schema.String,
  /** `oauth2`, or the kind of a static key (`pat`, `sak`, `pit`). */
  kind: Schema.String,
  /** TokenStore key of the token pair or key. */
  storeKey: Schema.String,
  clientId: Schema.optional(Schema.String),
  /** What the credential works in (the connector's context, e.g. GHL's `locationId`). */
  context: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  /** The login's choices (the connector's OAuth options, e.g. GHL's `userType`). */
  options: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  /** Older profiles: the GHL location, now kept in `context`. */
  locationId: Schema.optional(Schema.String),
  baseUrl: Schema.optional(Schema.String),
  authorizeUrl: Schema.optional(Schema.String),
  tokenUrl: Schema.optional(Schema.String),
  scopes: Schema.optional(Schema.Array(Schema.String)),
  createdAt: Schema.String,
  lastUsedAt: Schema.optional(Schema.String),
})
export type Profile = typeof Profile.Type

const ProfilesFile = Schema.Struct({ version: Schema.Literal(1), profiles: Schema.Array(Profile) })
const decodeProfiles = Schema.decodeUnknownSync(Schema.fromJsonString(ProfilesFile))

const profilesPath = () => path.join(configDir(), "profiles.json")

export const list = (): ReadonlyArray<Profile> =>
  fs.existsSync(profilesPath()) ? decodeProfiles(fs.readFileSync(profilesPath(), "utf8")).profiles : []

const write = (profiles: ReadonlyArray<Profile>) => {
  fs.mkdirSync(configDir(), { recursive: true, mode: 0o700 })
  const temporary = `${profilesPath()}.${process.pid}.tmp`
  fs.writeFileSync(temporary, JSON.stringify({ version: 1, profiles }, null, 2), { mode: 0o600 })
  fs.renameSync(temporary, profilesPath())
}

export const find = (name: string, provider: string): Profile | undefined =>
  list().find((p) => p.name === name && p.provider === provider)

export const save = (profile: Profile) =>
  write([...list().filter((p) => !(p.name === profile.name && p.provider === profile.provider)), profile])

export const remove = (name: string, provider: string) =>
  write(list().filter((p) => !(p.name === name && p.provider === provider)))

export const touch = (profile: Profile) => save({ ...profile, lastUsedAt: new Date().toISOString() })

/**
 * Where every profile's secrets live: the secrets file, or the Redis at
 * `CRMKIT_REDIS_URL` (encrypted with `CRMKIT_TOKEN_KEY`), open for the command's scope.
 */
export const secrets: Effect.Effect<TokenStore.TokenStoreShape, TokenStore.TokenStoreError | UsageError, Scope.Scope> =
  Effect.suspend(() => {
    const url = process.env.CRMKIT_REDIS_URL
    return url ? redisSecrets(url, process.env.CRMKIT_TOKEN_KEY) : TokenStore.makeFile(secretsPath())
  })

export const secretsPath = () => path.join(configDir(), "credentials.json")

/** The URL as it may be shown: without its password. */
const shownUrl = (url: string) => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(not a URL)"
  }
}

const redisSecrets = (url: string, key: string | undefined) =>
  Effect.gen(function* () {
    if (key === undefined || key === "") {
      return yield* new UsageError({
        message:
          'CRMKIT_REDIS_URL is set but CRMKIT_TOKEN_KEY is not: set it to a secret of at least 16 characters, the same on every machine, to encrypt the tokens kept in Redis (or to "none" to keep them unencrypted)',
      })
    }
    const TokenStoreRedis = yield* Effect.promise(() => import("@crmkit/core/TokenStoreRedis"))
    const services = yield* Layer.build(
      TokenStoreRedis.layer({ url, encryptionKey: key === "none" ? "none" : Redacted.make(key) }),
    ).pipe(
      Effect.catchTag("RedisError", (error) =>
        Effect.fail(
          new UsageError({
            message: `Could not reach the token store at ${shownUrl(url)} (CRMKIT_REDIS_URL): ${describe(error)}`,
          }),
        ),
      ),
    )
    return Context.get(services, TokenStore.TokenStore)
  })

const describe = (error: { readonly cause: unknown }) =>
  error.cause instanceof Error ? error.cause.message : String(error.cause)

/** Key of an app's client secret in the secrets file. */
export const appSecretKey = (provider: string, clientId: string) => `app:${provider}:${clientId}`

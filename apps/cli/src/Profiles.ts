/**
 * Saved credentials, by profile name and provider. Secrets (tokens, keys, client
 * secrets) live in the core's file TokenStore (0600, atomic rename); `profiles.json`
 * holds only what says which secret belongs where. Both sit in the user's config folder
 * (`$CRMKIT_CONFIG_DIR`, else `$XDG_CONFIG_HOME/crmkit`, else `~/.config/crmkit`).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as TokenStore from "@crmkit/core/TokenStore"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

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

/** The secrets file, shared by every profile. */
export const secrets = Effect.suspend(() => TokenStore.makeFile(path.join(configDir(), "credentials.json")))

/** Key of an app's client secret in the secrets file. */
export const appSecretKey = (provider: string, clientId: string) => `app:${provider}:${clientId}`

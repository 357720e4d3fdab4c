/**
 * The serialized form of a token pair, shared by the stores that write one out (file,
 * Redis): plain strings, since each store protects the whole value itself.
 */
import { Redacted, Schema } from "effect"
import type { TokenSet } from "../TokenStore.ts"

export const StoredToken = Schema.Struct({
  accessToken: Schema.String,
  refreshToken: Schema.optional(Schema.String),
  expiresAt: Schema.optional(Schema.Number),
  scope: Schema.optional(Schema.String),
  meta: Schema.optional(Schema.Record(Schema.String, Schema.Unknown)),
})
export type StoredToken = typeof StoredToken.Type

export const toStored = (tokens: TokenSet): StoredToken => ({
  accessToken: Redacted.value(tokens.accessToken),
  ...(tokens.refreshToken === undefined ? {} : { refreshToken: Redacted.value(tokens.refreshToken) }),
  ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }),
  ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
  ...(tokens.meta === undefined ? {} : { meta: tokens.meta }),
})

export const fromStored = (stored: StoredToken): TokenSet => ({
  accessToken: Redacted.make(stored.accessToken),
  refreshToken: stored.refreshToken === undefined ? undefined : Redacted.make(stored.refreshToken),
  expiresAt: stored.expiresAt,
  scope: stored.scope,
  meta: stored.meta,
})

/** Users (REST v2): the current user, and every user of the account. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type User = S.User

/** Who the credential belongs to (OpenID Connect user info). */
export const current = (): Effect.Effect<S.GetUserInfoResponse, CrmError, KeapClient> =>
  call(Ops.getUserInfo, {} as Ops.GetUserInfoInput)

/** Every user; Keap pages users at most 100 at a time. */
export const list = (options: ListOptions = {}): Stream.Stream<User, CrmError, KeapClient> =>
  streamAll<User>(Ops.listPaginatedUsers, listParams(options), Math.min(options.pageSize ?? 100, 100))

export const get = (id: KeapId): Effect.Effect<User, CrmError, KeapClient> =>
  Effect.flatMap(keapId("user_id", id), (user_id) => call(Ops.getUserById, { user_id } as Ops.GetUserByIdInput))

/** Users of a location (or, with an agency token, of the company). */
import type { CrmError } from "@crmkit/core"
import { Effect } from "effect"
import type { GhlClient } from "../GhlClient.ts"
import { type Body, type Input, location, type Output, send } from "./internal.ts"

type R<K extends Parameters<typeof send>[0]> = Effect.Effect<Output<K>, CrmError, GhlClient>

export const get = (userId: string): R<"get-user"> => send("get-user", { userId })

export const list = (locationId?: string): R<"get-user-by-location"> =>
  Effect.flatMap(location(locationId), (id) => send("get-user-by-location", { locationId: id }))

/** `GET /users/search` (agency tokens): by company, with query, role, type, paging. */
export const search = (query: Input<"search-users">): R<"search-users"> => send("search-users", query)

export const create = (body: Body<"create-user">): R<"create-user"> => send("create-user", { body })
export const update = (userId: string, body: Body<"update-user">): R<"update-user"> =>
  send("update-user", { userId, body })
export const remove = (userId: string): R<"delete-user"> => send("delete-user", { userId })

/** Businesses (companies contacts belong to). */
import type { CrmError } from "@crmkit/core"
import { Effect } from "effect"
import type { GhlClient } from "../GhlClient.ts"
import { type Body, type Input, location, type Output, send, type WithLocation } from "./internal.ts"

type R<K extends Parameters<typeof send>[0]> = Effect.Effect<Output<K>, CrmError, GhlClient>

export const list = (
  options: WithLocation<Input<"get-businesses-by-location">> = {},
): R<"get-businesses-by-location"> =>
  Effect.flatMap(location(options.locationId), (locationId) =>
    send("get-businesses-by-location", { ...options, locationId } as Input<"get-businesses-by-location">),
  )

export const get = (businessId: string): R<"get-business"> => send("get-business", { businessId })

export const create = (body: WithLocation<Body<"create-business">>): R<"create-business"> =>
  Effect.flatMap(location(body.locationId), (locationId) =>
    send("create-business", { body: { ...body, locationId } as Body<"create-business"> }),
  )

export const update = (businessId: string, body: Body<"update-business">): R<"update-business"> =>
  send("update-business", { businessId, body })

export const remove = (businessId: string): R<"delete-Business"> => send("delete-Business", { businessId })

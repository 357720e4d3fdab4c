/** Opportunities and pipelines. */
import type { CrmError } from "@crmkit/core"
import { Effect, Stream } from "effect"
import type { GhlClient } from "../GhlClient.ts"
import { type Body, type Input, location, type Output, send, streamAll, type WithLocation } from "./internal.ts"

type R<K extends Parameters<typeof send>[0]> = Effect.Effect<Output<K>, CrmError, GhlClient>

export const pipelines = (locationId?: string): R<"get-pipelines"> =>
  Effect.flatMap(location(locationId), (id) => send("get-pipelines", { locationId: id }))

export const get = (id: string): R<"get-opportunity"> => send("get-opportunity", { id })

export const create = (body: WithLocation<Body<"create-opportunity">>): R<"create-opportunity"> =>
  Effect.flatMap(location(body.locationId), (locationId) =>
    send("create-opportunity", { body: { ...body, locationId } as Body<"create-opportunity"> }),
  )

export const update = (id: string, body: Body<"update-opportunity">): R<"update-opportunity"> =>
  send("update-opportunity", { id, body })

export const updateStatus = (
  id: string,
  status: Body<"update-opportunity-status">["status"],
  lostReasonId?: string,
): R<"update-opportunity-status"> =>
  send("update-opportunity-status", {
    id,
    body: { status, ...(lostReasonId === undefined ? {} : { lostReasonId }) } as Body<"update-opportunity-status">,
  })

export const remove = (id: string): R<"delete-opportunity"> => send("delete-opportunity", { id })

export type SearchQuery = Omit<Input<"search-opportunity">, "location_id" | "startAfter" | "startAfterId" | "limit"> & {
  readonly location_id?: string | undefined
}

export type Opportunity = NonNullable<Output<"search-opportunity">["opportunities"]>[number]

/** One page of `GET /opportunities/search`. */
export const search = (query: SearchQuery & { readonly limit?: number } = {}): R<"search-opportunity"> =>
  Effect.flatMap(location(query.location_id), (location_id) =>
    send("search-opportunity", { ...query, location_id } as Input<"search-opportunity">),
  )

/** Every matching opportunity, paging with `startAfter`/`startAfterId`; filters stay on every page. */
export const searchAll = (
  query: SearchQuery = {},
  options: { readonly pageSize?: number | undefined } = {},
): Stream.Stream<Opportunity, CrmError, GhlClient> =>
  Stream.unwrap(
    Effect.map(location(query.location_id), (location_id) =>
      streamAll<Opportunity>("search-opportunity", { ...query, location_id }, options.pageSize ?? 100),
    ),
  )

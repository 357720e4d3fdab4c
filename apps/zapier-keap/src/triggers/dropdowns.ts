/** Hidden triggers that load the dropdowns live from the connected account. */
import type { CrmError } from "@crmkit/core"
import { Campaigns, catalog, type KeapClient, Opportunities, Tags, Users } from "@crmkit/keap"
import { ApiRequest, Definitions, Results } from "@crmkit/zapier-shared"
import { Effect, type Stream } from "effect"
import { run } from "../connection.ts"

// Dropdowns show at most this many choices; Keap accounts rarely have more tags or users.
const LIMIT = 1000

/** Choices from the first `LIMIT` records of a list, named by `name`. */
const choices = <A extends { readonly id?: string | null | undefined }>(
  stream: Stream.Stream<A, CrmError, KeapClient.KeapClient>,
  name: (record: A) => string | null | undefined,
) =>
  Effect.map(Results.first(stream, LIMIT), (records) =>
    records.map((record) => ({ id: String(record.id), name: name(record) || `#${record.id}` })),
  )

export const tagList = Definitions.dropdown({
  key: "tag_list",
  noun: "Tag",
  label: "List Tags",
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      choices(Tags.list({ pageSize: LIMIT }), (tag) => tag.name),
    ),
})

export const stageList = Definitions.dropdown({
  key: "stage_list",
  noun: "Stage",
  label: "List Opportunity Stages",
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      choices(Opportunities.listStages(), (stage) => stage.name),
    ),
})

export const userList = Definitions.dropdown({
  key: "user_list",
  noun: "User",
  label: "List Users",
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      choices(Users.list(), (user) => [user.given_name, user.family_name].filter(Boolean).join(" ")),
    ),
})

/** A campaign sequence is chosen as one value, `<campaign id>:<sequence id>`. */
export const sequenceList = Definitions.dropdown({
  key: "sequence_list",
  noun: "Sequence",
  label: "List Campaign Sequences",
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(Results.first(Campaigns.list(), LIMIT), (campaigns) =>
        campaigns.flatMap((campaign) => {
          const sequences = ((campaign as Record<string, unknown>).sequences ?? []) as ReadonlyArray<{
            id?: unknown
            name?: unknown
          }>
          return sequences.map((sequence) => ({
            id: `${campaign.id}:${sequence.id}`,
            name: `${campaign.name ?? campaign.id} / ${sequence.name ?? sequence.id}`,
          }))
        }),
      ),
    ),
})

export const operationList = ApiRequest.dropdown(catalog)

export const dropdowns = [tagList, stageList, userList, sequenceList, operationList]

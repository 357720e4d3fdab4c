/** Hidden triggers that load the dropdowns live from the connected location. */
import { Calendars, catalog, Locations, Opportunities, Users, Workflows } from "@crmkit/ghl"
import { ApiRequest, Definitions } from "@crmkit/zapier-shared"
import { Effect } from "effect"
import { run } from "../connection.ts"

type Named = { readonly id?: unknown; readonly name?: unknown }

const choices = (records: ReadonlyArray<Named> | undefined, name: (r: Named) => unknown = (r) => r.name) =>
  (records ?? []).map((r) => ({ id: String(r.id), name: String(name(r) ?? r.id) }))

const list = <A>(
  key: string,
  noun: string,
  label: string,
  program: Effect.Effect<A, any, any>,
  pick: (a: A) => ReadonlyArray<Named> | undefined,
) =>
  Definitions.dropdown({
    key,
    noun,
    label,
    perform: (z, bundle) =>
      run(
        z,
        bundle,
        Effect.map(program, (a) => choices(pick(a))),
      ),
  })

export const pipelineList = list(
  "pipeline_list",
  "Pipeline",
  "List Pipelines",
  Opportunities.pipelines(),
  (a) => a.pipelines as never,
)
export const userList = Definitions.dropdown({
  key: "user_list",
  noun: "User",
  label: "List Users",
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(Users.list(), (a) =>
        choices(
          (a as { users?: ReadonlyArray<Named & { firstName?: string; lastName?: string }> }).users,
          (u) =>
            [(u as { firstName?: string }).firstName, (u as { lastName?: string }).lastName]
              .filter(Boolean)
              .join(" ") || u.name,
        ),
      ),
    ),
})
export const calendarList = list(
  "calendar_list",
  "Calendar",
  "List Calendars",
  Calendars.list(),
  (a) => a.calendars as never,
)
export const workflowList = list(
  "workflow_list",
  "Workflow",
  "List Workflows",
  Workflows.list(),
  (a) => a.workflows as never,
)
export const tagList = Definitions.dropdown({
  key: "tag_list",
  noun: "Tag",
  label: "List Tags",
  // Tags are applied by name in GHL, so the name is the value.
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(Locations.tags(), (a) => (a.tags ?? []).map((t) => ({ id: String(t.name), name: String(t.name) }))),
    ),
})

/** Stages of the pipeline chosen in the same step (`pipeline_id`), or of every pipeline. */
export const stageList = Definitions.dropdown({
  key: "stage_list",
  noun: "Stage",
  label: "List Pipeline Stages",
  perform: (z, bundle) =>
    run(
      z,
      bundle,
      Effect.map(Opportunities.pipelines(), (a) => {
        const pipelines = (a.pipelines ?? []) as ReadonlyArray<{
          id?: string
          name?: string
          stages?: ReadonlyArray<Named>
        }>
        const chosen = Definitions.text(bundle, "pipeline_id")
        return pipelines
          .filter((p) => chosen === undefined || p.id === chosen)
          .flatMap((p) => choices(p.stages, (s) => (chosen === undefined ? `${p.name} / ${s.name}` : s.name)))
      }),
    ),
})

export const operationList = ApiRequest.dropdown(catalog)

export const dropdowns = [pipelineList, stageList, userList, calendarList, workflowList, tagList, operationList]

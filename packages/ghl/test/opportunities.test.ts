import { Effect, Stream } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { Contacts, Opportunities } from "../src/index.ts"
import { pitLayer, runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 5, rateLimits: false })
beforeEach(() => sandbox().stats.reset())

const run = runWith(sandbox)

describe("Opportunities service", () => {
  it("reads pipelines, creates, updates, wins, pages through and deletes opportunities", async () => {
    const out = await run(
      Effect.gen(function* () {
        const { pipelines } = yield* Opportunities.pipelines()
        const pipeline = pipelines?.[0]
        const stages = pipeline?.stages as ReadonlyArray<{ id: string }>
        const contact = yield* Contacts.create({ firstName: "Opal", email: "opal.opps@example.com" })
        const ids: string[] = []
        for (let i = 0; i < 7; i++) {
          const created = yield* Opportunities.create({
            pipelineId: pipeline?.id as string,
            name: `Deal ${i}`,
            status: "open",
            contactId: contact.contact?.id as string,
            monetaryValue: 100 * i,
          })
          ids.push(created.opportunity?.id as string)
        }
        const moved = yield* Opportunities.update(ids[0] as string, { pipelineStageId: stages[2]?.id })
        yield* Opportunities.updateStatus(ids[1] as string, "won")
        const won = yield* Opportunities.get(ids[1] as string)
        const openOnes = yield* Stream.runCollect(Opportunities.searchAll({ status: "open" }, { pageSize: 2 }))
        yield* Opportunities.remove(ids[2] as string)
        const gone = yield* Effect.flip(Opportunities.get(ids[2] as string))
        return { stages, moved, won, openOnes, gone }
      }),
    )
    expect(out.stages).toHaveLength(3)
    expect(out.moved.opportunity?.pipelineStageId).toBe(out.stages[2]?.id)
    expect(out.won.opportunity?.status).toBe("won")
    expect(out.openOnes.map((o) => o.name)).toEqual(["Deal 0", "Deal 2", "Deal 3", "Deal 4", "Deal 5", "Deal 6"])
    // 6 open deals, 2 per page: 3 pages, each carrying location_id and status.
    expect(sandbox().stats.route("GET /ghl/opportunities/search")).toBe(3)
    expect(out.gone.reason._tag).toBe("NotFound")
  })

  it("names the missing scope for a token without opportunities access", async () => {
    const error = await run(
      Effect.flip(Opportunities.pipelines()),
      pitLayer(sandbox(), { token: sandbox().credentials.ghl.readOnlyPrivateIntegrationToken }),
    )
    expect(error.reason._tag === "Forbidden" && error.reason.missingScope).toBe("opportunities.readonly")
  })
})

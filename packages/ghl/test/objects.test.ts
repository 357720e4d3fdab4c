import { Effect, Stream } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { Objects } from "../src/index.ts"
import { runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 1, rateLimits: false })
beforeEach(() => sandbox().stats.reset())

const run = runWith(sandbox)

describe("Objects service", () => {
  it("reads schemas, creates, updates, searches (searchAfter) and deletes records", async () => {
    const out = await run(
      Effect.gen(function* () {
        const { objects } = yield* Objects.schemas()
        const key = objects?.[0]?.key as string
        const detail = yield* Objects.schema(key, { fetchProperties: true })
        const ids: string[] = []
        for (const name of ["Rex", "Tom", "Kiwi", "Nemo", "Bella"]) {
          const created = yield* Objects.createRecord(key, { properties: { name, species: "pet" } })
          ids.push(created.record?.id as string)
        }
        const updated = yield* Objects.updateRecord(key, ids[0] as string, { properties: { species: "dog" } })
        const all = yield* Stream.runCollect(Objects.searchAll(key, { pageSize: 2 }))
        const deleted = yield* Objects.deleteRecord(key, ids[1] as string)
        const gone = yield* Effect.flip(Objects.getRecord(key, ids[1] as string))
        return { key, detail, updated, all, deleted, gone }
      }),
    )
    expect(out.key).toBe("custom_objects.pets")
    expect(out.detail.fields).toHaveLength(2)
    expect((out.updated.record?.properties as Record<string, unknown> | undefined)?.species).toBe("dog")
    expect(out.all.map((r) => (r.properties as Record<string, unknown>).name)).toEqual([
      "Rex",
      "Tom",
      "Kiwi",
      "Nemo",
      "Bella",
    ])
    expect(sandbox().stats.route("POST /ghl/objects/:schemaKey/records/search")).toBe(3)
    expect(out.deleted.success).toBe(true)
    expect(out.gone.reason._tag).toBe("NotFound")
  })
})

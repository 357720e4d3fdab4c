import { Effect } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { Locations } from "../src/index.ts"
import { runWith, useSandbox } from "./support.ts"

const sandbox = useSandbox({ contacts: 3, rateLimits: false })
beforeEach(() => sandbox().stats.reset())

const run = runWith(sandbox)

describe("Locations service", () => {
  it("manages tags, custom values and custom fields of the default location", async () => {
    const out = await run(
      Effect.gen(function* () {
        const tag = yield* Locations.createTag("Newsletter")
        const renamed = yield* Locations.updateTag(tag.tag?.id as string, "Monthly newsletter")
        const tags = yield* Locations.tags()
        yield* Locations.deleteTag(tag.tag?.id as string)
        const value = yield* Locations.createCustomValue({ name: "Support phone", value: "+1 555 0100" })
        const values = yield* Locations.customValues()
        const fields = yield* Locations.customFields({ model: "contact" })
        const field = yield* Locations.createCustomField({ name: "Budget", dataType: "MONETORY" } as never)
        const fetched = yield* Locations.getCustomField(field.customField?.id as string)
        const afterDelete = yield* Effect.flip(Locations.getTag(tag.tag?.id as string))
        return { renamed, tags, value, values, fields, field, fetched, afterDelete }
      }),
    )
    expect(out.renamed.tag?.name).toBe("Monthly newsletter")
    expect(out.tags.tags?.map((t) => t.name)).toEqual(["Monthly newsletter"])
    expect(out.values.customValues?.map((v) => v.value)).toEqual(["+1 555 0100"])
    expect(out.fields.customFields?.map((f) => f.name)).toEqual(["Favorite color", "Lead score"])
    expect(out.fetched.customField?.name).toBe("Budget")
    expect(out.afterDelete.reason._tag).toBe("NotFound")
    expect(sandbox().stats.route("POST /ghl/locations/:locationId/tags")).toBe(1)
  })

  it("refuses a custom value without its value before sending", async () => {
    const error = await run(Effect.flip(Locations.createCustomValue({ name: "x" } as never)))
    expect(error.reason._tag).toBe("Validation")
    expect(sandbox().stats.requests).toBe(0)
  })
})

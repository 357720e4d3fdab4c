/** Tag categories (REST v2): list and create. */
import { type CrmError, CrmErrors } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type ListOptions, listParams, streamAll } from "./internal.ts"

export type TagCategory = S.TagCategory

export const list = (options: ListOptions = {}): Stream.Stream<TagCategory, CrmError, KeapClient> =>
  streamAll<TagCategory>(Ops.listTagCategories, listParams(options), options.pageSize)

export const create = (category: S.CreateUpdateTagCategoryRequest): Effect.Effect<TagCategory, CrmError, KeapClient> =>
  category.name === undefined || category.name.trim() === ""
    ? // The spec leaves `name` optional; a category without one is useless, so it is required here.
      Effect.fail(CrmErrors.invalidInput("keap", [{ field: "body.name", message: "is required" }]))
    : call(Ops.createTagCategory, { body: category } as Ops.CreateTagCategoryInput)

/** Products (REST v2): list, get, create, delete. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Product = S.RestV2Product_Detail

export const list = (options: ListOptions = {}): Stream.Stream<S.RestV2Product_List, CrmError, KeapClient> =>
  streamAll<S.RestV2Product_List>(Ops.listProducts, listParams(options), options.pageSize)

export const get = (id: KeapId): Effect.Effect<Product, CrmError, KeapClient> =>
  Effect.flatMap(keapId("product_id", id), (product_id) => call(Ops.getProduct, { product_id } as Ops.GetProductInput))

/** Creates a product; the v2 spec types `price` as an integer. */
export const create = (product: S.CreateProductRequest_Detail): Effect.Effect<Product, CrmError, KeapClient> =>
  call(Ops.createProduct, { body: product } as Ops.CreateProductInput)

export const remove = (id: KeapId): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.flatMap(keapId("product_id", id), (product_id) =>
    Effect.asVoid(call(Ops.deleteProduct, { product_id } as Ops.DeleteProductInput)),
  )

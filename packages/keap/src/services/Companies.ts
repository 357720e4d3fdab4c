/** Companies (REST v2): list, get, create, update, delete. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Company = S.Company

export const list = (options: ListOptions = {}): Stream.Stream<Company, CrmError, KeapClient> =>
  streamAll<Company>(Ops.listCompanies, listParams(options), options.pageSize)

export const get = (id: KeapId): Effect.Effect<Company, CrmError, KeapClient> =>
  Effect.flatMap(keapId("company_id", id), (company_id) => call(Ops.getCompany, { company_id } as Ops.GetCompanyInput))

export const create = (company: S.CreateCompanyRequest): Effect.Effect<Company, CrmError, KeapClient> =>
  call(Ops.createCompany, { body: company } as Ops.CreateCompanyInput)

export const update = (id: KeapId, changes: S.UpdateCompanyRequest): Effect.Effect<Company, CrmError, KeapClient> =>
  Effect.flatMap(keapId("company_id", id), (company_id) =>
    call(Ops.updateCompany, { company_id, body: changes } as Ops.UpdateCompanyInput),
  )

export const remove = (id: KeapId): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.flatMap(keapId("company_id", id), (company_id) =>
    Effect.asVoid(call(Ops.deleteCompany, { company_id } as Ops.DeleteCompanyInput)),
  )

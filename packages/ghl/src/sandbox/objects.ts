/**
 * Custom objects: one schema (`custom_objects.pets`) and its records, kept in memory. Record
 * search pages with `pageLimit` and `searchAfter` (the last record's sort values), like contacts.
 */
import { randomBytes } from "node:crypto"
import type { SandboxClock } from "@crmkit/sandbox/clock"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import { ghlError, noLocationAccess, unprocessable } from "./errors.ts"
import { locationRoute } from "./routes.ts"
import type { GhlApiRequest, GhlRoute } from "./types.ts"

export const GHL_OBJECT_SEARCH_MAX_PAGE_LIMIT = 100

interface ObjectRecord {
  id: string
  locationId: string
  properties: Record<string, unknown>
  owner: string[]
  followers: string[]
  dateAdded: string
  dateUpdated: string
  createdAt: number
}

const newId = () => randomBytes(12).toString("hex")
const record = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {}

export function registerObjects(router: Router<GhlRoute>, locationId: string, clock: SandboxClock): void {
  const schema = {
    id: "object-pets-0000000001",
    key: "custom_objects.pets",
    labels: { singular: "Pet", plural: "Pets" },
    primaryDisplayPropertyKey: "custom_objects.pets.name",
    locationId,
    type: "USER_DEFINED",
  }
  const fields = [
    { key: "custom_objects.pets.name", name: "Name", dataType: "TEXT", locationId },
    { key: "custom_objects.pets.species", name: "Species", dataType: "TEXT", locationId },
  ]
  const records = new Map<string, ObjectRecord>()
  let lastCreatedAt = 0
  const route = locationRoute
  const knownSchema = (key: string | undefined) => key === schema.key || key === schema.id
  const view = (r: ObjectRecord) => {
    const { createdAt, ...rest } = r
    return { ...rest, searchAfter: [String(createdAt), r.id] }
  }
  const withRecord = (request: GhlApiRequest, handle: (r: ObjectRecord) => SandboxResponse): SandboxResponse => {
    if (!knownSchema(request.params.schemaKey)) return ghlError(404, "Object schema not found")
    const found = records.get(request.params.id as string)
    if (found === undefined) return ghlError(404, "Record not found")
    if (found.locationId !== request.principal.locationId) return noLocationAccess()
    return handle(found)
  }

  router
    .add(
      "GET",
      "/objects/",
      route("objects/schema.readonly", ({ ctx, principal }) => {
        if (ctx.query.get("locationId") !== principal.locationId) return noLocationAccess()
        return json(200, { objects: [schema] })
      }),
    )
    .add(
      "GET",
      "/objects/:key",
      route("objects/schema.readonly", ({ ctx, params, principal }) => {
        if (ctx.query.get("locationId") !== principal.locationId) return noLocationAccess()
        if (!knownSchema(params.key)) return ghlError(404, "Object schema not found")
        return json(200, { object: schema, fields, cache: false })
      }),
    )
    .add(
      "POST",
      "/objects/:schemaKey/records",
      route("objects/record.write", ({ ctx, params, principal }) => {
        if (!knownSchema(params.schemaKey)) return ghlError(404, "Object schema not found")
        const body = record(ctx.body)
        if (body.locationId !== principal.locationId) return noLocationAccess()
        const properties = record(body.properties)
        if (typeof properties.name !== "string" || properties.name === "")
          return unprocessable(["properties.name should not be empty"])
        const createdAt = Math.max(clock.now(), lastCreatedAt + 1)
        lastCreatedAt = createdAt
        const at = new Date(createdAt).toISOString()
        const created: ObjectRecord = {
          id: newId(),
          locationId,
          properties,
          owner: Array.isArray(body.owner) ? (body.owner as string[]) : [],
          followers: Array.isArray(body.followers) ? (body.followers as string[]) : [],
          dateAdded: at,
          dateUpdated: at,
          createdAt,
        }
        records.set(created.id, created)
        return json(201, { record: view(created) })
      }),
    )
    .add(
      "GET",
      "/objects/:schemaKey/records/:id",
      route("objects/record.readonly", (request) => withRecord(request, (r) => json(200, { record: view(r) }))),
    )
    .add(
      "PUT",
      "/objects/:schemaKey/records/:id",
      route("objects/record.write", (request) =>
        withRecord(request, (r) => {
          if (request.ctx.query.get("locationId") !== request.principal.locationId) return noLocationAccess()
          const body = record(request.ctx.body)
          Object.assign(r.properties, record(body.properties))
          r.dateUpdated = new Date(clock.now()).toISOString()
          return json(200, { record: view(r) })
        }),
      ),
    )
    .add(
      "DELETE",
      "/objects/:schemaKey/records/:id",
      route("objects/record.write", (request) =>
        withRecord(request, (r) => {
          records.delete(r.id)
          return json(200, { id: r.id, success: true })
        }),
      ),
    )
    .add(
      "POST",
      "/objects/:schemaKey/records/search",
      route("objects/record.readonly", ({ ctx, params, principal }) => {
        if (!knownSchema(params.schemaKey)) return ghlError(404, "Object schema not found")
        const body = record(ctx.body)
        const problems: string[] = []
        if (typeof body.locationId !== "string") problems.push("locationId must be a string")
        const pageLimit = body.pageLimit
        if (typeof pageLimit !== "number" || !Number.isInteger(pageLimit) || pageLimit < 1)
          problems.push("pageLimit must be a positive integer")
        else if (pageLimit > GHL_OBJECT_SEARCH_MAX_PAGE_LIMIT)
          problems.push(`pageLimit must not be greater than ${GHL_OBJECT_SEARCH_MAX_PAGE_LIMIT}`)
        if (problems.length > 0) return unprocessable(problems)
        if (body.locationId !== principal.locationId) return noLocationAccess()
        const query = typeof body.query === "string" ? body.query.toLowerCase() : ""
        const sorted = [...records.values()]
          .filter((r) => query === "" || JSON.stringify(r.properties).toLowerCase().includes(query))
          .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
        const after = Array.isArray(body.searchAfter) ? body.searchAfter.map(String) : undefined
        const start =
          after === undefined
            ? (((body.page as number | undefined) ?? 1) - 1) * (pageLimit as number)
            : sorted.findIndex(
                (r) => r.createdAt > Number(after[0]) || (r.createdAt === Number(after[0]) && r.id > (after[1] ?? "")),
              )
        const page = start < 0 ? [] : sorted.slice(start, start + (pageLimit as number))
        return json(200, { records: page.map(view), total: sorted.length })
      }),
    )
}

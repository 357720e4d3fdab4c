/**
 * Location resources: tags, custom values and custom fields, as small in-memory collections with
 * GHL's wrappers (`{tags}` / `{tag}`, `{customValues}` / `{customValue}`, ...). The custom fields
 * start with the ones the seeded contacts use.
 */
import { randomBytes } from "node:crypto"
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { GhlContactStore } from "./contactStore.ts"
import { ghlError, noLocationAccess, unprocessable } from "./errors.ts"
import type { GhlApiRequest, GhlRoute } from "./types.ts"

type Item = Record<string, unknown> & { id: string }

const newId = () => randomBytes(15).toString("base64url").replace(/[-_]/g, "x").slice(0, 20)
const record = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {}

interface CollectionSpec {
  readonly path: string
  readonly one: string
  readonly many: string
  readonly read: string
  readonly write: string
  readonly required: ReadonlyArray<string>
  readonly createStatus: number
  readonly fields: ReadonlyArray<string>
  readonly initial?: ReadonlyArray<Item>
}

function registerCollection(router: Router<GhlRoute>, locationId: string, spec: CollectionSpec): void {
  const items = new Map<string, Item>((spec.initial ?? []).map((item) => [item.id, item]))
  const guard = (scope: string, handle: (request: GhlApiRequest) => SandboxResponse): GhlRoute => ({
    auth: "api",
    access: "location",
    scope,
    handle: (request) =>
      request.params.locationId !== request.principal.locationId ? noLocationAccess() : handle(request),
  })
  const pick = (body: Record<string, unknown>) =>
    Object.fromEntries(spec.fields.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]))
  const missing = (body: Record<string, unknown>) =>
    spec.required.filter((f) => body[f] === undefined || body[f] === "").map((f) => `${f} should not be empty`)
  const notFound = () => ghlError(404, `${spec.one} not found`)

  router
    .add(
      "GET",
      spec.path,
      guard(spec.read, () => json(200, { [spec.many]: [...items.values()] })),
    )
    .add(
      "POST",
      spec.path,
      guard(spec.write, ({ ctx }) => {
        const body = record(ctx.body)
        const problems = missing(body)
        if (problems.length > 0) return unprocessable(problems)
        const item: Item = { id: newId(), locationId, ...pick(body) }
        items.set(item.id, item)
        return json(spec.createStatus, { [spec.one]: item })
      }),
    )
    .add(
      "GET",
      `${spec.path}/:id`,
      guard(spec.read, ({ params }) => {
        const item = items.get(params.id as string)
        return item === undefined ? notFound() : json(200, { [spec.one]: item })
      }),
    )
    .add(
      "PUT",
      `${spec.path}/:id`,
      guard(spec.write, ({ ctx, params }) => {
        const item = items.get(params.id as string)
        if (item === undefined) return notFound()
        const body = record(ctx.body)
        const problems = missing({ ...item, ...body })
        if (problems.length > 0) return unprocessable(problems)
        Object.assign(item, pick(body))
        return json(200, { [spec.one]: item })
      }),
    )
    .add(
      "DELETE",
      `${spec.path}/:id`,
      guard(spec.write, ({ params }) =>
        items.delete(params.id as string) ? json(200, { succeded: true }) : notFound(),
      ),
    )
}

export function registerLocations(router: Router<GhlRoute>, contacts: GhlContactStore): void {
  const locationId = contacts.locationId
  registerCollection(router, locationId, {
    path: "/locations/:locationId/tags",
    one: "tag",
    many: "tags",
    read: "locations/tags.readonly",
    write: "locations/tags.write",
    required: ["name"],
    createStatus: 200,
    fields: ["name"],
  })
  registerCollection(router, locationId, {
    path: "/locations/:locationId/customValues",
    one: "customValue",
    many: "customValues",
    read: "locations/customValues.readonly",
    write: "locations/customValues.write",
    required: ["name", "value"],
    createStatus: 201,
    fields: ["name", "value"],
  })
  registerCollection(router, locationId, {
    path: "/locations/:locationId/customFields",
    one: "customField",
    many: "customFields",
    read: "locations/customFields.readonly",
    write: "locations/customFields.write",
    required: ["name", "dataType"],
    createStatus: 201,
    fields: ["name", "dataType", "placeholder", "position", "model", "options"],
    initial: [
      {
        id: contacts.customFieldIds.favoriteColor,
        name: "Favorite color",
        dataType: "TEXT",
        model: "contact",
        locationId,
      },
      {
        id: contacts.customFieldIds.leadScore,
        name: "Lead score",
        dataType: "NUMERICAL",
        model: "contact",
        locationId,
      },
    ],
  })
}

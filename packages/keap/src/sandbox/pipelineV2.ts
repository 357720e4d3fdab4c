/**
 * Keap REST v2 opportunities, pipeline stages, companies and users, in the v2 shapes.
 *
 * Sandbox choices: three seeded stages (`1` New, `2` Qualified, `3` Won); the seeded users are
 * `1` (the admin the credentials belong to) and `2`; new ids start at 2000.
 */
import { json, noContent, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { KeapContactStore } from "./contactStore.ts"
import { invalidArgument } from "./errors.ts"
import {
  checkId,
  ISO,
  isResponse,
  type Json,
  KEAP_SANDBOX_USER_IDS,
  listPage,
  lookup,
  notFound,
  pageOf,
  requireBody,
  unknownFields,
} from "./routeHelpers.ts"
import type { KeapApiRequest, KeapRoute } from "./types.ts"

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export const KEAP_SANDBOX_USERS: readonly Json[] = [
  {
    id: "1",
    given_name: "Sandra",
    family_name: "Box",
    email_address: "owner@sandbox.example.com",
    admin: true,
    status: "Active",
  },
  {
    id: "2",
    given_name: "Sam",
    family_name: "Ple",
    email_address: "sales@sandbox.example.com",
    admin: false,
    status: "Active",
  },
]

export class KeapPipelineStore {
  readonly stages = new Map<string, Json>()
  readonly opportunities = new Map<string, Json>()
  readonly companies = new Map<string, Json>()
  #nextId = 2000

  constructor() {
    const created = new Date(0).toISOString()
    ;["New", "Qualified", "Won"].forEach((name, i) => {
      const id = String(i + 1)
      this.stages.set(id, {
        id,
        name,
        order: i + 1,
        target_number_days: 7,
        probability: [10, 50, 100][i],
        created_time: created,
        updated_time: created,
        checklist_items: [],
      })
    })
  }

  nextId(): string {
    return String(this.#nextId++)
  }
}

const OPPORTUNITY_FIELDS = new Set([
  "opportunity_title",
  "next_action_time",
  "next_action_notes",
  "opportunity_notes",
  "estimated_close_time",
  "include_in_forecast",
  "projected_revenue_low",
  "projected_revenue_high",
  "contact_id",
  "stage_id",
  "user_id",
  "custom_fields",
  "affiliate_id",
])

const COMPANY_FIELDS = new Set([
  "address",
  "notes",
  "website",
  "company_name",
  "custom_fields",
  "email_address",
  "fax_number",
  "phone_number",
])

export function registerPipelineV2(
  router: Router<KeapRoute>,
  contacts: KeapContactStore,
  store: KeapPipelineStore,
  base: string,
  now: () => number,
): void {
  const iso = () => new Date(now()).toISOString()

  // Opportunities: stored with ids; answered with the nested contact, stage and user.
  const render = (stored: Json): Json => {
    const { contact_id, stage_id, user_id, ...rest } = stored
    const contact = contacts.find(String(contact_id))?.contact
    return {
      ...rest,
      contact:
        contact === undefined
          ? null
          : {
              id: contact.id,
              first_name: contact.given_name ?? null,
              last_name: contact.family_name ?? null,
              email: contact.email_addresses[0]?.email ?? null,
            },
      stage: store.stages.get(String(stage_id)) ?? null,
      user: KEAP_SANDBOX_USERS.find((user) => user.id === user_id) ?? null,
    }
  }
  const validateOpportunity = (body: Json, creating: boolean): SandboxResponse | undefined => {
    const unknown = unknownFields(body, OPPORTUNITY_FIELDS)
    if (unknown !== undefined) return unknown
    if (creating && (typeof body.opportunity_title !== "string" || body.opportunity_title.trim() === "")) {
      return invalidArgument("opportunity_title is required", "opportunity_title")
    }
    if (creating && body.contact_id === undefined) return invalidArgument("contact_id is required", "contact_id")
    if (creating && body.stage_id === undefined) return invalidArgument("stage_id is required", "stage_id")
    if (body.contact_id !== undefined && contacts.find(String(body.contact_id)) === undefined) {
      return invalidArgument(`Contact '${body.contact_id}' not found`, "contact_id")
    }
    if (body.stage_id !== undefined && !store.stages.has(String(body.stage_id))) {
      return invalidArgument(`Stage '${body.stage_id}' not found`, "stage_id")
    }
    if (body.user_id !== undefined && !KEAP_SANDBOX_USER_IDS.has(String(body.user_id))) {
      return invalidArgument(`Unknown user '${body.user_id}'`, "user_id")
    }
    for (const field of ["next_action_time", "estimated_close_time"]) {
      if (body[field] !== undefined && !ISO.test(String(body[field]))) {
        return invalidArgument(`${field} must be an ISO-8601 date-time`, field)
      }
    }
    const low = body.projected_revenue_low
    const high = body.projected_revenue_high
    if (typeof low === "number" && typeof high === "number" && low > high) {
      return invalidArgument("projected_revenue_low exceeds projected_revenue_high", "projected_revenue_low")
    }
    return undefined
  }
  router
    .add("GET", `${base}/v2/opportunities`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        return listPage(store.opportunities.values(), ctx.query, "opportunities", {
          filter: new Set(["contact_id", "stage_id", "user_id"]),
          order: new Set(["opportunity_title", "created_time", "next_action_time"]),
          render,
        })
      },
    })
    .add("POST", `${base}/v2/opportunities`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const invalid = validateOpportunity(body, true)
        if (invalid !== undefined) return invalid
        const id = store.nextId()
        const stored = { include_in_forecast: false, ...body, id, created_time: iso(), last_updated_time: iso() }
        store.opportunities.set(id, stored)
        return json(201, render(stored))
      },
    })
    .add("GET", `${base}/v2/opportunities/:opportunity_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const found = lookup(store.opportunities, "Opportunity", "opportunity_id", params.opportunity_id as string)
        return isResponse(found) ? found : json(200, render(found))
      },
    })
    .add("PATCH", `${base}/v2/opportunities/:opportunity_id`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const found = lookup(store.opportunities, "Opportunity", "opportunity_id", params.opportunity_id as string)
        if (isResponse(found)) return found
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const invalid = validateOpportunity(body, false)
        if (invalid !== undefined) return invalid
        const updated = { ...found, ...body, id: found.id, last_updated_time: iso() }
        store.opportunities.set(String(found.id), updated)
        return json(200, render(updated))
      },
    })
    .add("DELETE", `${base}/v2/opportunities/:opportunity_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const found = lookup(store.opportunities, "Opportunity", "opportunity_id", params.opportunity_id as string)
        if (isResponse(found)) return found
        store.opportunities.delete(String(found.id))
        return noContent()
      },
    })
    .add("GET", `${base}/v2/opportunities/stages`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) =>
        pageOf(
          [...store.stages.values()].sort((a, b) => Number(a.order) - Number(b.order)),
          ctx.query,
          "stages",
        ),
    })
    .add("POST", `${base}/v2/opportunities/stages`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const unknown = unknownFields(
          body,
          new Set(["name", "order", "target_number_days", "probability", "checklist_items"]),
        )
        if (unknown !== undefined) return unknown
        if (typeof body.name !== "string" || body.name.trim() === "") return invalidArgument("name is required", "name")
        for (const field of ["order", "target_number_days", "probability"]) {
          if (!Number.isInteger(body[field])) return invalidArgument(`${field} must be an integer`, field)
        }
        if ((body.probability as number) < 0 || (body.probability as number) > 100) {
          return invalidArgument("probability must be between 0 and 100", "probability")
        }
        const id = store.nextId()
        const stage = { checklist_items: [], ...body, id, created_time: iso(), updated_time: iso() }
        store.stages.set(id, stage)
        return json(201, stage)
      },
    })

  // Companies.
  const validateCompany = (body: Json, creating: boolean): SandboxResponse | undefined => {
    const unknown = unknownFields(body, COMPANY_FIELDS)
    if (unknown !== undefined) return unknown
    if (creating && (typeof body.company_name !== "string" || body.company_name.trim() === "")) {
      return invalidArgument("company_name is required", "company_name")
    }
    const email = (body.email_address as Json | undefined)?.email
    if (email !== undefined && (typeof email !== "string" || !EMAIL.test(email))) {
      return invalidArgument(`Invalid email address '${String(email)}'`, "email_address")
    }
    return undefined
  }
  router
    .add("GET", `${base}/v2/companies`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        return listPage(store.companies.values(), ctx.query, "companies", {
          filter: new Set(["company_name"]),
          order: new Set(["company_name", "create_time"]),
        })
      },
    })
    .add("POST", `${base}/v2/companies`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const invalid = validateCompany(body, true)
        if (invalid !== undefined) return invalid
        const id = store.nextId()
        const company = { ...body, id, create_time: iso(), update_time: iso() }
        store.companies.set(id, company)
        return json(201, company)
      },
    })
    .add("GET", `${base}/v2/companies/:company_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const found = lookup(store.companies, "Company", "company_id", params.company_id as string)
        return isResponse(found) ? found : json(200, found)
      },
    })
    .add("PATCH", `${base}/v2/companies/:company_id`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const found = lookup(store.companies, "Company", "company_id", params.company_id as string)
        if (isResponse(found)) return found
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const invalid = validateCompany(body, false)
        if (invalid !== undefined) return invalid
        const updated = { ...found, ...body, id: found.id, update_time: iso() }
        store.companies.set(String(found.id), updated)
        return json(200, updated)
      },
    })
    .add("DELETE", `${base}/v2/companies/:company_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const found = lookup(store.companies, "Company", "company_id", params.company_id as string)
        if (isResponse(found)) return found
        store.companies.delete(String(found.id))
        return noContent()
      },
    })

  // Users.
  router
    .add("GET", `${base}/v2/oauth/connect/userinfo`, {
      auth: "api",
      handle: () =>
        json(200, {
          sub: "1",
          id: "1",
          keap_id: "owner@sandbox.example.com",
          email: "owner@sandbox.example.com",
          given_name: "Sandra",
          family_name: "Box",
          is_admin: true,
          tenant_id: "sandbox",
        }),
    })
    .add("GET", `${base}/v2/users`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const raw = ctx.query.get("page_size")
        if (raw !== null && (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 100)) {
          return invalidArgument("page_size must be an integer between 1 and 100", "page_size", "query")
        }
        return pageOf([...KEAP_SANDBOX_USERS], ctx.query, "users")
      },
    })
    .add("GET", `${base}/v2/users/:user_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const id = params.user_id as string
        const bad = checkId(id, "user_id")
        if (bad !== undefined) return bad
        const user = KEAP_SANDBOX_USERS.find((u) => u.id === id)
        return user === undefined ? notFound("User", id) : json(200, user)
      },
    })
}

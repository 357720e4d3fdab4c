/**
 * Keap REST v2 tag categories, campaigns (sequence membership), emails (send, list, get),
 * affiliates (list, get, create) and automations (list, get, sequence membership).
 *
 * Sandbox choices: one seeded campaign `1` "Welcome" with sequences `1` and `2`; sending an
 * email records one sent email per contact (nothing leaves the sandbox), from the seeded owner
 * unless `user_id` says otherwise; a contact without an email address is refused. One seeded
 * automation `1` "Onboarding" with sequence `1`; affiliate codes are unique (409).
 */
import { json, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import { type KeapContactStore, primaryEmail } from "./contactStore.ts"
import { invalidArgument, keapError } from "./errors.ts"
import { KEAP_SANDBOX_USERS } from "./pipelineV2.ts"
import {
  checkId,
  isResponse,
  type Json,
  KEAP_SANDBOX_USER_IDS,
  listPage,
  pageOf,
  requireBody,
  simpleFilter,
  unknownFields,
} from "./routeHelpers.ts"
import type { KeapApiRequest, KeapRoute } from "./types.ts"

export class KeapEngagementStore {
  readonly categories = new Map<string, Json>()
  readonly campaigns = new Map<string, Json>()
  /** Contact ids in each `campaign/sequence`. */
  readonly sequences = new Map<string, Set<string>>([
    ["1/1", new Set()],
    ["1/2", new Set()],
  ])
  readonly emails: Json[] = []
  readonly affiliates = new Map<string, Json>()
  readonly automations = new Map<string, Json>()
  readonly automationSequences = new Map<string, Set<string>>([["1/1", new Set()]])
  #nextId = 3000

  constructor() {
    const created = new Date(0).toISOString()
    this.campaigns.set("1", {
      id: "1",
      name: "Welcome",
      locked: false,
      date_created: created,
      published_status: true,
      sequences: [
        { id: "1", name: "Day 1" },
        { id: "2", name: "Week 1" },
      ],
    })
  }

  nextId(): string {
    return String(this.#nextId++)
  }
}

function seedAutomations(store: KeapEngagementStore): void {
  if (store.automations.size > 0) return
  store.automations.set("1", {
    id: "1",
    title: "Onboarding",
    categories: [],
    status: "PUBLISHED",
    locked: false,
    active_contacts: 0,
  })
}

export function registerEngagementV2(
  router: Router<KeapRoute>,
  contacts: KeapContactStore,
  store: KeapEngagementStore,
  base: string,
  now: () => number,
): void {
  const iso = () => new Date(now()).toISOString()

  router
    .add("GET", `${base}/v2/tags/categories`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        return listPage(store.categories.values(), ctx.query, "tag_categories", {
          filter: new Set(["name"]),
          order: new Set(["name"]),
        })
      },
    })
    .add("POST", `${base}/v2/tags/categories`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const unknown = unknownFields(body, new Set(["name", "description"]))
        if (unknown !== undefined) return unknown
        if (typeof body.name !== "string" || body.name.trim() === "") return invalidArgument("name is required", "name")
        const id = store.nextId()
        const category = { description: "", ...body, id, create_time: iso(), update_time: iso() }
        store.categories.set(id, category)
        return json(201, category)
      },
    })

  // Campaigns and their sequences.
  router.add("GET", `${base}/v2/campaigns`, {
    auth: "api",
    handle: ({ ctx }: KeapApiRequest) => {
      return listPage(store.campaigns.values(), ctx.query, "campaigns", { filter: new Set(["name"]) })
    },
  })
  // The router matches whole segments, so `{sequence_id}:addContacts` arrives as one parameter.
  router.add("POST", `${base}/v2/campaigns/:campaign_id/sequences/:sequence_action`, {
    auth: "api",
    handle: ({ ctx, params }: KeapApiRequest): SandboxResponse => {
      const campaignId = params.campaign_id as string
      const [sequenceId = "", action] = (params.sequence_action as string).split(":")
      if (action !== "addContacts" && action !== "removeContacts") {
        return keapError(404, `No route for ${ctx.method} ${ctx.pathname}`)
      }
      const adding = action === "addContacts"
      const bad = checkId(campaignId, "campaign_id") ?? checkId(sequenceId, "sequence_id")
      if (bad !== undefined) return bad
      if (!store.campaigns.has(campaignId)) {
        return keapError(404, `Campaign with id ${campaignId} not found`, [
          { domain: "campaign", resource: campaignId },
        ])
      }
      const members = store.sequences.get(`${campaignId}/${sequenceId}`)
      if (members === undefined) {
        return keapError(404, `Sequence with id ${sequenceId} not found`, [
          { domain: "sequence", resource: sequenceId },
        ])
      }
      const body = requireBody(ctx.body)
      if (isResponse(body)) return body
      const ids = body.contact_ids
      if (!Array.isArray(ids) || ids.length === 0) {
        return invalidArgument("contact_ids must be a non-empty array", "contact_ids")
      }
      if (ids.length > 1000) return invalidArgument("At most 1000 contact_ids per request", "contact_ids")
      const results: Record<string, string> = {}
      for (const id of ids) {
        if (typeof id !== "string" || checkId(id, "contact_ids", "field") !== undefined) {
          return invalidArgument(`Invalid contact id '${String(id)}'`, "contact_ids")
        }
        if (contacts.find(id) === undefined) {
          results[id] = "NOT_FOUND"
        } else if (adding) {
          members.add(id)
          results[id] = "SUCCESS"
        } else {
          results[id] = members.delete(id) ? "SUCCESS" : "NOT_IN_SEQUENCE"
        }
      }
      return json(200, adding ? { add_to_sequence_results: results } : { remove_from_sequence_results: results })
    },
  })

  // Emails.
  const sendFields = new Set([
    "contacts",
    "subject",
    "attachments",
    "user_id",
    "from_address",
    "html_content",
    "plain_content",
    "address_field",
  ])
  router
    .add("POST", `${base}/v2/emails:send`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const unknown = unknownFields(body, sendFields)
        if (unknown !== undefined) return unknown
        if (typeof body.subject !== "string" || body.subject.trim() === "") {
          return invalidArgument("subject is required", "subject")
        }
        if (body.html_content === undefined && body.plain_content === undefined) {
          return invalidArgument("html_content or plain_content is required", "plain_content")
        }
        if (!Array.isArray(body.contacts) || body.contacts.length === 0) {
          return invalidArgument("contacts must be a non-empty array", "contacts")
        }
        if (body.user_id !== undefined && !KEAP_SANDBOX_USER_IDS.has(String(body.user_id))) {
          return invalidArgument(`Unknown user '${body.user_id}'`, "user_id")
        }
        const recipients: Array<{ id: string; email: string }> = []
        for (const id of body.contacts) {
          const contact = contacts.find(String(id))?.contact
          if (contact === undefined) return invalidArgument(`Contact '${id}' not found`, "contacts")
          const email = primaryEmail(contact)
          if (email === undefined) return invalidArgument(`Contact '${id}' has no email address`, "contacts")
          recipients.push({ id: contact.id, email })
        }
        const sender = KEAP_SANDBOX_USERS.find((user) => user.id === String(body.user_id ?? "1"))
        for (const recipient of recipients) {
          store.emails.push({
            id: store.nextId(),
            subject: body.subject,
            contact_id: recipient.id,
            sent_to_address: recipient.email,
            sent_from_address: body.from_address ?? sender?.email_address,
            sent_time: iso(),
            html_content: body.html_content ?? null,
            plain_content: body.plain_content ?? null,
          })
        }
        return { status: 204 }
      },
    })
    .add("GET", `${base}/v2/emails`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const filter = simpleFilter(ctx.query.get("filter"), new Set(["contact_id", "sent_to_address"]))
        if (typeof filter !== "function") return filter
        const summaries = store.emails.filter(filter).map(({ html_content, plain_content, ...summary }) => summary)
        return pageOf(summaries, ctx.query, "emails")
      },
    })
    .add("GET", `${base}/v2/emails/:id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const id = params.id as string
        const bad = checkId(id, "id")
        if (bad !== undefined) return bad
        const email = store.emails.find((e) => e.id === id)
        return email === undefined
          ? keapError(404, `Email with id ${id} not found`, [{ domain: "email", resource: id }])
          : json(200, email)
      },
    })

  // Affiliates.
  const affiliateFields = new Set([
    "code",
    "status",
    "name",
    "contact_id",
    "parent_affiliate_id",
    "notify_on_sale",
    "notify_on_lead",
    "track_leads_days",
    "password",
    "custom_fields",
  ])
  router
    .add("GET", `${base}/v2/affiliates`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        return listPage(store.affiliates.values(), ctx.query, "affiliates", {
          filter: new Set(["code", "contact_id", "status"]),
        })
      },
    })
    .add("POST", `${base}/v2/affiliates`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const unknown = unknownFields(body, affiliateFields)
        if (unknown !== undefined) return unknown
        if (typeof body.code !== "string" || !/^[A-Za-z0-9_-]{1,40}$/.test(body.code)) {
          return invalidArgument("code must be 1-40 letters, digits, '-' or '_'", "code")
        }
        if (contacts.find(String(body.contact_id ?? "")) === undefined) {
          return invalidArgument(`Contact '${body.contact_id}' not found`, "contact_id")
        }
        if (body.parent_affiliate_id !== undefined && !store.affiliates.has(String(body.parent_affiliate_id))) {
          return invalidArgument(`Affiliate '${body.parent_affiliate_id}' not found`, "parent_affiliate_id")
        }
        const code = body.code.toLowerCase()
        if ([...store.affiliates.values()].some((a) => String(a.code).toLowerCase() === code)) {
          return keapError(409, `Affiliate code '${body.code}' is taken`, [{ domain: "affiliate", resource: "code" }])
        }
        const { password: _secret, ...visible } = body
        const id = store.nextId()
        const affiliate = { status: "ACTIVE", ...visible, id, date_created: iso() }
        store.affiliates.set(id, affiliate)
        return json(201, affiliate)
      },
    })
    .add("GET", `${base}/v2/affiliates/:id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const id = params.id as string
        const bad = checkId(id, "id")
        if (bad !== undefined) return bad
        const affiliate = store.affiliates.get(id)
        return affiliate === undefined
          ? keapError(404, `Affiliate with id ${id} not found`, [{ domain: "affiliate", resource: id }])
          : json(200, affiliate)
      },
    })

  // Automations.
  seedAutomations(store)
  router
    .add("GET", `${base}/v2/automations`, {
      auth: "api",
      handle: ({ ctx }: KeapApiRequest) => {
        const raw = ctx.query.get("page_size")
        if (raw !== null && raw !== "" && (!/^\d+$/.test(raw) || Number(raw) > 25)) {
          return invalidArgument("page_size must be an integer between 0 and 25", "page_size", "query")
        }
        return pageOf([...store.automations.values()], ctx.query, "automations")
      },
    })
    .add("GET", `${base}/v2/automations/:automation_id`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const id = params.automation_id as string
        const bad = checkId(id, "automation_id")
        if (bad !== undefined) return bad
        const automation = store.automations.get(id)
        return automation === undefined
          ? keapError(404, `Automation with id ${id} not found`, [{ domain: "automation", resource: id }])
          : json(200, automation)
      },
    })
    .add("POST", `${base}/v2/automations/:automation_id/sequences/:sequence_action`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const automationId = params.automation_id as string
        const [sequenceId = "", action] = (params.sequence_action as string).split(":")
        if (action !== "addContacts") return keapError(404, `No route for ${ctx.method} ${ctx.pathname}`)
        const bad = checkId(automationId, "automation_id") ?? checkId(sequenceId, "sequence_id")
        if (bad !== undefined) return bad
        const members = store.automationSequences.get(`${automationId}/${sequenceId}`)
        if (!store.automations.has(automationId) || members === undefined) {
          return keapError(404, `Sequence ${sequenceId} of automation ${automationId} not found`)
        }
        const body = requireBody(ctx.body)
        if (isResponse(body)) return body
        const ids = body.contact_ids
        if (!Array.isArray(ids) || ids.length === 0 || ids.length > 1000) {
          return invalidArgument("contact_ids must hold 1 to 1000 ids", "contact_ids")
        }
        const results: Record<string, string> = {}
        for (const id of ids) {
          if (contacts.find(String(id)) === undefined) results[String(id)] = "NOT_FOUND"
          else {
            members.add(String(id))
            results[String(id)] = "SUCCESS"
          }
        }
        const automation = store.automations.get(automationId) as Json
        automation.active_contacts = members.size
        return json(200, { add_to_automation_sequence_results: results })
      },
    })
}

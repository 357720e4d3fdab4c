/**
 * Generator configuration for Keap: the REST v2 spec (OpenAPI 3.1) plus the REST hooks of
 * the legacy v1 spec (Swagger 2.0). Paths are relative to the default base URL
 * `https://api.infusionsoft.com/crm/rest`. Run with `pnpm codegen` at the repository root.
 */
import { defineConfig, rules, type SpecOperation } from "@crmkit/codegen"

/** The legacy spec's snake_case ids, renamed to the v2 spec's style. */
const hookIds: Readonly<Record<string, string>> = {
  list_stored_hook_subscriptions: "listHookSubscriptions",
  create_a_hook_subscription: "createHookSubscription",
  list_hook_event_types: "listHookEventTypes",
  retrieve_a_hook_subscription: "getHookSubscription",
  update_a_hook_subscription: "updateHookSubscription",
  delete_a_hook_subscription: "deleteHookSubscription",
  verify_a_hook_subscription: "verifyHookSubscription",
  delayed_verify_a_hook_subscription: "delayedVerifyHookSubscription",
}

/** `Product Categories` → `product-categories`, `AutomationCategory` → `automation-category`. */
const slug = (value: string): string =>
  value
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")

export default defineConfig({
  provider: "keap",
  specs: [
    {
      file: "keap/v2.swagger.yml",
      name: "v2",
      // The spec's server is https://api.keap.com/crm with paths /rest/v2/...; ours ends in /crm/rest.
      path: (path) => path.replace(/^\/rest(?=\/)/, ""),
    },
    {
      file: "keap/v1-legacy-2017/swagger.yaml",
      name: "v1",
      include: (operation) => operation.path === "/hooks" || operation.path.startsWith("/hooks/"),
      path: (path) => `/v1${path}`,
      operationId: (operation) => {
        const id = hookIds[operation.operationId ?? ""]
        if (id === undefined) throw new Error(`no id for v1 operation ${operation.operationId}`)
        return id
      },
    },
  ],
  // Keap's ids are unique; a duplicate means the spec changed and must be looked at.
  duplicateIds: "error",
  resource: (operation: SpecOperation) => {
    if (operation.spec === "v1") return "hooks"
    const tag = operation.tags[0]
    if (tag === undefined) throw new Error(`untagged Keap operation ${operation.method} ${operation.path}`)
    return slug(tag)
  },
  pagination: {
    rules: [
      // v2: `page_token` → `next_page_token`, `page_size`.
      rules.cursorToken({ tokenParam: "page_token", nextToken: "next_page_token", sizeParams: ["page_size"] }),
      // v1: `limit`/`offset`.
      rules.offsetLimit({ offsetParam: "offset", limitParam: "limit" }),
    ],
    overrides: {
      // The response has two arrays (automation_ids and locked_automation_ids): the first holds the page.
      listAllAutomationIds: {
        style: "cursor-token",
        items: "automation_ids",
        params: { tokenParam: "page_token", nextToken: "next_page_token", sizeParam: "page_size" },
      },
    },
  },
})

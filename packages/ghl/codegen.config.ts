/**
 * Generator configuration for GoHighLevel (LeadConnector) API v2: the 41 `apps/*.json`
 * specs (OpenAPI 3.0, `Version` header 2021-07-28 / 2021-04-15). The `apps/v3` specs are
 * not used. Base URL: `https://services.leadconnectorhq.com`; paths as in the specs.
 * Run with `pnpm codegen` at the repository root.
 */
import { defineConfig, rules } from "@crmkit/codegen"

/** The spec files under shared/specs/ghl/apps (one resource each). */
const apps = [
  "ad-manager",
  "affiliate-manager",
  "agent-studio",
  "associations",
  "blogs",
  "brand-boards",
  "businesses",
  "calendars",
  "campaigns",
  "companies",
  "contacts",
  "conversation-ai",
  "conversations",
  "courses",
  "custom-fields",
  "custom-menus",
  "email-isv",
  "emails",
  "forms",
  "funnels",
  "invoices",
  "knowledge-base",
  "links",
  "locations",
  "marketplace",
  "medias",
  "oauth",
  "objects",
  "opportunities",
  "payments",
  "phone-system",
  "products",
  "proposals",
  "saas-api",
  "snapshots",
  "social-media-posting",
  "store",
  "surveys",
  "users",
  "voice-ai",
  "workflows",
] as const

/** POST operations that only read: safe to retry. */
const readOnlyPosts = new Set([
  "search-contacts-advanced",
  "task-search",
  "search-object-records",
  "search-opportunities-advanced",
  "get-posts",
  "filter-users-by-email",
])

export default defineConfig({
  provider: "ghl",
  specs: apps.map((name) => ({ file: `ghl/apps/${name}.json`, name })),
  // An operationId used in several spec files is prefixed with the file name: `invoices.list-invoices`.
  duplicateIds: "prefix-spec",
  resource: (operation) => operation.spec,
  // `Version` is fixed per operation (the parameter's single enum value) and goes into `headers`.
  fixedHeaders: ["Version"],
  excludeHeaders: ["Authorization"],
  /**
   * Token kinds by security scheme, after the schemes' descriptions: `Location` / `Agency` are
   * OAuth access tokens of that user type, `Location-PIT` / `Agency-PIT` Private Integration
   * Tokens of that level. The `*-Only` schemes leave the PIT out. `bearer` is described exactly
   * like `Location-Access` ("Sub-Account access token or Private Integration Token of Sub-Account").
   */
  tokenKinds: {
    bearer: ["Location", "Location-PIT"],
    "Location-Access": ["Location", "Location-PIT"],
    "Location-Access-Only": ["Location"],
    "Agency-Access": ["Agency", "Agency-PIT"],
    "Agency-Access-Only": ["Agency"],
  },
  // The connection's location and agency fill these wherever an operation takes them.
  context: { locationId: ["locationId", "location_id"], companyId: ["companyId"] },
  idempotent: ({ id, method }) => (method === "POST" && readOnlyPosts.has(id) ? true : undefined),
  pagination: {
    rules: [
      // Opaque cursor: GET /conversations/messages/export (`cursor` → `nextCursor`).
      rules.cursorToken({ tokenParam: "cursor", nextToken: "nextCursor", sizeParams: ["limit"] }),
      // Messages: `lastMessageId` from the response, while `nextPage` is true.
      rules.keyset({
        requires: ["lastMessageId"],
        cursor: { lastMessageId: "lastMessageId" },
        limitParam: "limit",
        hasMore: "nextPage",
      }),
      // Keyset `startAfterId` + `startAfter` from the response's `meta` (GET /contacts/, GET /opportunities/search).
      rules.keyset({
        requires: ["startAfterId", "startAfter"],
        cursor: { "meta.startAfterId": "startAfterId", "meta.startAfter": "startAfter" },
        limitParam: "limit",
        requireCursorInResponse: false,
      }),
      // Body `searchAfter` (sort values of the last record), e.g. POST /contacts/search beyond 10,000 records.
      rules.bodyCursor({
        cursorParam: "searchAfter",
        itemCursor: "searchAfter",
        sizeParams: ["pageLimit", "limit"],
        removeWithCursor: ["page"],
      }),
      rules.offsetLimit({ offsetParam: "skip", limitParam: "limit" }),
      rules.offsetLimit({ offsetParam: "offset", limitParam: "limit" }),
      rules.pageNumber({ pageParam: "page", sizeParams: ["pageLimit", "pageSize", "limit"], hasMore: "hasMore" }),
    ],
    overrides: {
      // GET /products/: the response declares `total` as an array too, so the records array is ambiguous.
      "products.list-invoices": {
        style: "offset-limit",
        items: "products",
        params: { offsetParam: "offset", limitParam: "limit" },
      },
      // GET /conversations/search: the next page starts after the last conversation's sort value
      // (`startAfterDate`); the spec's ConversationSchema does not declare the `sort` array the API returns.
      "search-conversation": {
        style: "keyset",
        items: "conversations",
        params: { "itemCursor.sort.0": "startAfterDate", limitParam: "limit" },
      },
      // GET /conversation-ai/agents/search: `startAfter` is the id of the last agent returned.
      "search-agent": {
        style: "keyset",
        items: "agents",
        params: { "itemCursor.id": "startAfter", limitParam: "limit" },
      },
      // GET /emails/schedule: same (`schedules` and an array `total`).
      "fetch-campaigns": {
        style: "offset-limit",
        items: "schedules",
        params: { offsetParam: "offset", limitParam: "limit" },
      },
    },
  },
})

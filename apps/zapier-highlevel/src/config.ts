/**
 * Where the app sends requests. Zapier passes the integration's environment variables
 * (`zapier-platform env:set`) as `process.env`, read on every call: production needs only
 * `CLIENT_ID` / `CLIENT_SECRET` (OAuth); tests point `GHL_BASE_URL` (and the authorize URL) at the
 * sandbox. Connections never carry a URL: the white-label option picks one of GHL's two known hosts.
 */
import { GhlConfig } from "@crmkit/ghl"
import { Definitions } from "@crmkit/zapier-shared"
import { Redacted } from "effect"

const { env } = Definitions

export const baseUrl = (): string => env("GHL_BASE_URL") ?? GhlConfig.defaults.baseUrl

/** The scopes the app asks for: what its triggers, actions and searches use. */
export const scopes = [
  "contacts.readonly",
  "contacts.write",
  "opportunities.readonly",
  "opportunities.write",
  "calendars.readonly",
  "calendars/events.readonly",
  "calendars/events.write",
  "conversations.readonly",
  "conversations.write",
  "conversations/message.write",
  "locations.readonly",
  "locations/tags.readonly",
  "locations/tags.write",
  "locations/customFields.readonly",
  "users.readonly",
  "workflows.readonly",
]

export const oauthApp = (whiteLabel: boolean) => ({
  clientId: env("CLIENT_ID") ?? "",
  clientSecret: Redacted.make(env("CLIENT_SECRET") ?? ""),
  baseUrl: baseUrl(),
  whiteLabel,
  ...(env("GHL_AUTHORIZE_URL") === undefined ? {} : { authorizeUrl: env("GHL_AUTHORIZE_URL") }),
})

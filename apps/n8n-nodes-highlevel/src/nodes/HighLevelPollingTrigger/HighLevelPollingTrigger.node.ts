import { GhlFeeds } from "@crmkit/ghl"
import { NodeErrors, Session } from "@crmkit/n8n-shared"
import {
  type IDataObject,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
  type IPollFunctions,
  NodeConnectionTypes,
} from "n8n-workflow"
import { authenticationProperty, credentials } from "../../shared/authentication.ts"
import { type Change, changedSince, type Kind } from "../../shared/Changes.ts"
import { highLevel, TOKEN_CREDENTIAL } from "../../shared/HighLevelProvider.ts"
import { loadOptions } from "../../shared/loadOptions.ts"

/**
 * For users who cannot register a webhook URL with HighLevel: checks on a schedule for
 * contacts, opportunities or appointments created or updated since the previous check.
 * The first check (at activation) watches from that moment; later checks emit what changed.
 */
export class HighLevelPollingTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: "HighLevel (crmkit) Polling Trigger",
    name: "highLevelPollingTrigger",
    icon: { light: "file:../../icons/highlevel.svg", dark: "file:../../icons/highlevel.dark.svg" },
    group: ["trigger"],
    version: 1,
    subtitle: '={{$parameter["change"] + " " + $parameter["kind"]}}',
    description: "Starts the workflow when HighLevel contacts, opportunities or appointments are created or updated",
    defaults: { name: "HighLevel Polling Trigger" },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials,
    properties: [
      authenticationProperty,
      {
        displayName: "Watch",
        name: "kind",
        type: "options",
        options: [
          { name: "Appointments", value: "appointment" },
          { name: "Contacts", value: "contact" },
          { name: "Opportunities", value: "opportunity" },
        ],
        default: "contact",
      },
      {
        displayName: "Change",
        name: "change",
        type: "options",
        options: [
          { name: "New", value: "new", description: "Created since the last check" },
          { name: "New or Updated", value: "updated", description: "Created or changed since the last check" },
        ],
        default: "new",
      },
      {
        displayName: "Calendar Name or ID",
        name: "calendarId",
        type: "options",
        typeOptions: { loadOptionsMethod: "getCalendars" },
        default: "",
        displayOptions: { show: { kind: ["appointment"] } },
        description:
          'The calendar whose appointments to watch. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
    ],
  }

  methods = { loadOptions }

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const state = this.getWorkflowStaticData("node")
    const manual = this.getMode() === "manual"
    const kind = this.getNodeParameter("kind") as Kind
    const change = this.getNodeParameter("change") as Change
    const calendarId = this.getNodeParameter("calendarId", "") as string
    // What the connector can watch, it watches (cursor, no full scans); the rest is read here.
    const feed = GhlFeeds.feeds.find((f) => f.name === feedName[kind]?.[change])
    try {
      if (feed !== undefined) {
        const cursor = manual || typeof state.cursor !== "string" ? undefined : state.cursor
        const page = await Session.withSession(this, highLevel, TOKEN_CREDENTIAL, (session) =>
          session.run(feed.poll(cursor, { limit: manual ? 5 : undefined })),
        )
        if (manual)
          return page.records.length === 0 ? null : [this.helpers.returnJsonArray(page.records as Array<IDataObject>)]
        state.cursor = page.cursor
        // The first check (n8n runs one at activation) starts watching from there.
        if (cursor === undefined || page.records.length === 0) return null
        return [this.helpers.returnJsonArray(page.records as Array<IDataObject>)]
      }
      const now = new Date().toISOString()
      const since = manual ? undefined : typeof state.lastCheckedAt === "string" ? state.lastCheckedAt : now
      const records = await Session.withSession(this, highLevel, TOKEN_CREDENTIAL, (session) =>
        changedSince(session, kind, change, since, { calendarId, sample: 5 }),
      )
      if (!manual) state.lastCheckedAt = now
      return records.length === 0 ? null : [this.helpers.returnJsonArray(records as Array<IDataObject>)]
    } catch (error) {
      throw NodeErrors.toNodeError(this.getNode(), error)
    }
  }
}

/** The connector's feed for a kind and change, where it has one. */
const feedName: Partial<Record<Kind, Partial<Record<Change, string>>>> = {
  contact: { new: "contacts.created", updated: "contacts.updated" },
  opportunity: { new: "opportunities.created" },
}

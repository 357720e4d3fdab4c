/**
 * Polling feeds: "what changed since I last looked", for hosts that poll (n8n polling
 * triggers, Zapier polling triggers). One cursor strategy per resource, chosen by the
 * provider, that never scans the whole resource: the feed asks the API for records
 * changed after the cursor, and returns the cursor to keep.
 */
import type { Effect } from "effect"
import type { CrmError } from "./CrmError.ts"

export interface FeedPage {
  /** Changed records, oldest first, each once. */
  readonly records: ReadonlyArray<unknown>
  /** What to pass next time; opaque to hosts (store it as is). */
  readonly cursor: string
}

export interface Feed<R = never> {
  /** Stable id, e.g. `contacts.updated`. */
  readonly name: string
  readonly title: string
  readonly description: string
  readonly resource: string
  readonly change: "created" | "updated"
  /**
   * Records changed after `cursor`. Without a cursor (the first poll), returns the most
   * recent records (at most `limit`) and a cursor at now, so a new trigger does not
   * replay history.
   */
  readonly poll: (
    cursor: string | undefined,
    options?: { readonly limit?: number | undefined },
  ) => Effect.Effect<FeedPage, CrmError, R>
}

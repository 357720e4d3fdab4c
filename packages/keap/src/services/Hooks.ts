/**
 * REST hooks (v1): event keys, subscriptions (create, list, get, update, verify, delayed
 * verify, delete), a framework-neutral receiver for the `X-Hook-Secret` handshake and the
 * batched deliveries, and `hydrate` to fetch the full objects behind the delivered ids.
 *
 * Keap signs nothing: authenticity rests on the handshake. Put an unguessable token in the
 * hook URL (path or query) and check it before trusting a delivery.
 */
import { type CrmError, CrmErrors, Operation } from "@crmkit/core"
import { Effect, Schema, Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import { KeapClient } from "../KeapClient.ts"
import { call } from "./internal.ts"

export type Hook = S.RestHook

const hookKey = (key: string): Effect.Effect<string, CrmError> =>
  /^[A-Za-z0-9_-]{1,64}$/.test(key)
    ? Effect.succeed(key)
    : Effect.fail(CrmErrors.invalidInput("keap", [{ field: "key", message: `'${key}' is not a hook key` }]))

const hookUrl = (url: string): Effect.Effect<string, CrmError> => {
  try {
    const parsed = new URL(url)
    if (parsed.protocol === "https:" || parsed.protocol === "http:") return Effect.succeed(url)
  } catch {}
  return Effect.fail(CrmErrors.invalidInput("keap", [{ field: "body.hookUrl", message: "expected an http(s) URL" }]))
}

const eventKey = (key: string): Effect.Effect<string, CrmError> =>
  /^[a-zA-Z]+(\.[a-zA-Z_]+)+$/.test(key)
    ? Effect.succeed(key)
    : Effect.fail(
        CrmErrors.invalidInput("keap", [
          { field: "body.eventKey", message: `'${key}' is not an event key (noun.verb)` },
        ]),
      )

/** Event keys this account can subscribe to, e.g. `contact.add`. */
export const eventKeys = (): Effect.Effect<ReadonlyArray<string>, CrmError, KeapClient> =>
  call(Ops.listHookEventTypes, {} as Ops.ListHookEventTypesInput)

export const list = (): Effect.Effect<ReadonlyArray<Hook>, CrmError, KeapClient> =>
  call(Ops.listHookSubscriptions, {} as Ops.ListHookSubscriptionsInput)

/** The hooks that deliver `eventKey` to `hookUrl` (a host that lost the key it saved finds it again). */
export const forTarget = (
  eventKey: string,
  hookUrl: string,
): Effect.Effect<ReadonlyArray<Hook>, CrmError, KeapClient> =>
  Effect.map(list(), (hooks) => hooks.filter((hook) => hook.hookUrl === hookUrl && hook.eventKey === eventKey))

export const get = (key: string): Effect.Effect<Hook, CrmError, KeapClient> =>
  Effect.flatMap(hookKey(key), (k) => call(Ops.getHookSubscription, { key: k } as Ops.GetHookSubscriptionInput))

/**
 * Subscribes `url` to `event`. Keap POSTs an `X-Hook-Secret` to the URL at once; the hook
 * is `Verified` only if the receiver echoes it (see `handle`) or after `delayedVerify`.
 */
export const create = (event: string, url: string): Effect.Effect<Hook, CrmError, KeapClient> =>
  Effect.flatMap(Effect.all([eventKey(event), hookUrl(url)]), ([e, u]) =>
    call(Ops.createHookSubscription, { body: { eventKey: e, hookUrl: u } } as Ops.CreateHookSubscriptionInput),
  )

export const update = (key: string, event: string, url: string): Effect.Effect<Hook, CrmError, KeapClient> =>
  Effect.flatMap(Effect.all([hookKey(key), eventKey(event), hookUrl(url)]), ([k, e, u]) =>
    call(Ops.updateHookSubscription, { key: k, body: { eventKey: e, hookUrl: u } } as Ops.UpdateHookSubscriptionInput),
  )

/** Asks Keap to repeat the handshake (also reactivates an `Inactive` hook). */
export const verify = (key: string): Effect.Effect<Hook, CrmError, KeapClient> =>
  Effect.flatMap(hookKey(key), (k) => call(Ops.verifyHookSubscription, { key: k } as Ops.VerifyHookSubscriptionInput))

/** Verifies later by sending back the `X-Hook-Secret` the receiver was given. */
export const delayedVerify = (key: string, secret: string): Effect.Effect<Hook, CrmError, KeapClient> =>
  Effect.flatMap(hookKey(key), (k) =>
    call(Ops.delayedVerifyHookSubscription, {
      key: k,
      "X-Hook-Secret": secret,
    } as Ops.DelayedVerifyHookSubscriptionInput),
  )

export const remove = (key: string): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.flatMap(hookKey(key), (k) =>
    Effect.asVoid(call(Ops.deleteHookSubscription, { key: k } as Ops.DeleteHookSubscriptionInput)),
  )

// ---------------------------------------------------------------------------------------------
// Receiving

/** Keap sends at most 1,000 object keys per delivery. */
export const MAX_OBJECT_KEYS = 1000

export const ObjectKey = Schema.Struct({
  id: Schema.Union([Schema.Number, Schema.String]),
  apiUrl: Schema.optionalKey(Schema.NullOr(Schema.String)),
  timestamp: Schema.optionalKey(Schema.NullOr(Schema.String)),
})
export type ObjectKey = typeof ObjectKey.Type

export const Delivery = Schema.Struct({
  event_key: Schema.String,
  object_type: Schema.optionalKey(Schema.NullOr(Schema.String)),
  object_keys: Schema.Array(ObjectKey).check(Schema.isMaxLength(MAX_OBJECT_KEYS)),
})
export type Delivery = typeof Delivery.Type

/** What the receiver's HTTP framework should answer. */
export interface HookResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export type Received =
  /** Keap's verification request: the response echoes the secret (answer it as is). */
  | { readonly _tag: "Handshake"; readonly secret: string; readonly response: HookResponse }
  | { readonly _tag: "Delivery"; readonly delivery: Delivery; readonly response: HookResponse }
  | { readonly _tag: "Rejected"; readonly reason: string; readonly response: HookResponse }

export interface HookRequest {
  readonly method: string
  /** Header names in any case. */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: string | Uint8Array
}

const headerValue = (headers: HookRequest["headers"], name: string): string | undefined => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : (value as string | undefined)
  }
  return undefined
}

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): HookResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
})

const decodeDelivery = Schema.decodeUnknownExit(Delivery)

/**
 * Handles one request on the hook URL, whatever the HTTP framework: answers the
 * `X-Hook-Secret` handshake (200 echoing the header), parses a batched delivery (200), or
 * refuses a malformed one (400, which Keap counts as a failed attempt and retries).
 * Options: `acceptHandshake` (default true) may refuse a handshake, e.g. to verify later
 * with `delayedVerify`.
 */
export const handle = (
  request: HookRequest,
  options: { readonly acceptHandshake?: ((secret: string) => boolean) | undefined } = {},
): Received => {
  if (request.method.toUpperCase() !== "POST") {
    return { _tag: "Rejected", reason: `method ${request.method}`, response: reply(405, { error: "POST only" }) }
  }
  const secret = headerValue(request.headers, "x-hook-secret")
  if (secret !== undefined) {
    if (secret.trim() === "" || secret.length > 512) {
      return { _tag: "Rejected", reason: "empty X-Hook-Secret", response: reply(400, { error: "bad X-Hook-Secret" }) }
    }
    const accept = options.acceptHandshake?.(secret) ?? true
    return {
      _tag: "Handshake",
      secret,
      response: accept ? reply(200, {}, { "X-Hook-Secret": secret }) : reply(200, {}),
    }
  }
  const text = typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { _tag: "Rejected", reason: "body is not JSON", response: reply(400, { error: "body is not JSON" }) }
  }
  const decoded = decodeDelivery(json)
  if (decoded._tag === "Failure") {
    const reason = `not a Keap hook delivery: ${String(decoded.cause).slice(0, 300)}`
    return { _tag: "Rejected", reason, response: reply(400, { error: "not a Keap hook delivery" }) }
  }
  return {
    _tag: "Delivery",
    delivery: decoded.value,
    response: reply(200, { received: decoded.value.object_keys.length }),
  }
}

/** Reads one object of a type by the id a delivery gives. */
export type Fetcher = (id: string) => Effect.Effect<unknown, CrmError, KeapClient>

const byId =
  (operation: unknown, param: string): Fetcher =>
  (id) =>
    KeapClient.use((client) => Operation.call(client, operation as Operation.Operation, { [param]: id }))

/** Keap reads a note by id only through the list of every contact's notes (`filter=ids==`). */
const note: Fetcher = (id) =>
  Effect.flatMap(
    KeapClient.use((client) =>
      Operation.call(client, Ops.listAllNotes as unknown as Operation.Operation, { filter: `ids==${id}` }),
    ),
    (page) => {
      const found = (page as { readonly notes?: ReadonlyArray<{ readonly id?: unknown }> | null }).notes?.find(
        (n) => String(n.id) === id,
      )
      return found === undefined
        ? Effect.fail(
            new CrmErrors.CrmError({
              reason: new CrmErrors.NotFound({ provider: "keap", message: `note ${id} not found`, status: 404 }),
            }),
          )
        : Effect.succeed(found)
    },
  )

/** How each object type of the event keys (lower case) is read by id. */
const fetchers: Readonly<Record<string, Fetcher>> = {
  contact: byId(Ops.getContact, "contact_id"),
  company: byId(Ops.getCompany, "company_id"),
  // `contactGroup.applied` / `.removed` deliver the tag's id.
  contactgroup: byId(Ops.getTag, "tag_id"),
  note,
  task: byId(Ops.getTask, "task_id"),
  opportunity: byId(Ops.getOpportunity, "opportunity_id"),
  order: byId(Ops.getOrder, "order_id"),
  product: byId(Ops.getProduct, "product_id"),
  subscription: byId(Ops.getSubscription, "subscription_id"),
  user: byId(Ops.getUserById, "user_id"),
}

/** Object types `hydrate` can fetch. */
export const hydratableTypes: ReadonlyArray<string> = Object.keys(fetchers)

/** How one object type is read by id, if `hydrate` can fetch it. */
export const fetcherOf = (type: string): Fetcher | undefined =>
  Object.hasOwn(fetchers, type) ? fetchers[type] : undefined

/**
 * The full objects behind a delivery's ids, fetched through `KeapClient` (so under its
 * rate limits), `concurrency` at a time (default 4). Deleted objects are skipped; other
 * failures fail the stream.
 */
export const hydrate = (
  delivery: Delivery,
  options: { readonly concurrency?: number | undefined } = {},
): Stream.Stream<{ readonly key: ObjectKey; readonly object: unknown }, CrmError, KeapClient> => {
  const type = (delivery.object_type ?? delivery.event_key.split(".")[0] ?? "").toLowerCase()
  const fetcher = fetchers[type]
  if (fetcher === undefined) {
    return Stream.fail(
      CrmErrors.invalidInput("keap", [
        { field: "event_key", message: `cannot hydrate '${type}' objects; supported: ${hydratableTypes.join(", ")}` },
      ]),
    )
  }
  return Stream.fromIterable(delivery.object_keys).pipe(
    Stream.mapEffect(
      (key) =>
        fetcher(String(key.id)).pipe(
          Effect.map((object) => [{ key, object }] as const),
          Effect.catchIf(
            (error: CrmError) => error.reason._tag === "NotFound",
            () => Effect.succeed([] as const),
          ),
        ),
      { concurrency: options.concurrency ?? 4 },
    ),
    Stream.flatMap((found) => Stream.fromIterable(found)),
  )
}

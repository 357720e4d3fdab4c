/**
 * Receiving a provider's webhooks, framework-neutral: a request in (method, headers, raw
 * body), a response and the events out. Each connector's receiver does its provider's
 * handshake, signature check and refusals; every host (the CLI's `webhooks listen`, an
 * n8n trigger, a Zapier REST hook) only moves bytes, so they answer alike.
 */
import type { Effect } from "effect"
import type { CredentialField } from "./Connector.ts"
import type { CrmError } from "./CrmError.ts"

export interface WebhookRequest {
  readonly method: string
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The raw body: signatures are over these bytes. */
  readonly body: Uint8Array
}

export interface WebhookResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface WebhookEvent {
  /** The provider's event name (`contact.add`, `ContactCreate`). */
  readonly type: string
  /** The provider's id of the delivery or of the changed record, when it sends one. */
  readonly id?: string | undefined
  /** What the provider sent about the event: the record, or its id. */
  readonly data: unknown
}

export type Received =
  /** A subscription check the provider makes before it delivers (Keap's `X-Hook-Secret`). */
  | { readonly _tag: "Handshake"; readonly response: WebhookResponse }
  | { readonly _tag: "Delivered"; readonly response: WebhookResponse; readonly events: ReadonlyArray<WebhookEvent> }
  /** Not the provider's, tampered, stale or replayed: answered with `response`, never processed. */
  | { readonly _tag: "Refused"; readonly response: WebhookResponse; readonly reason: string }

export interface EventType {
  readonly name: string
  readonly title: string
  readonly description?: string | undefined
}

export interface WebhookReceiver<R = never> {
  /** The events the provider documents, for a host's event picker. */
  readonly events: ReadonlyArray<EventType>
  /** The events this account can subscribe to, where the API tells (it may know more than `events`). */
  readonly listEvents?: Effect.Effect<ReadonlyArray<EventType>, CrmError, R> | undefined
  /**
   * Where a person registers the delivery URL when the API cannot (`subscribe` absent), for
   * hosts to show next to the URL.
   */
  readonly setup?: string | undefined
  /** What a receiver may be given (verification keys...), each with its default. */
  readonly settings: ReadonlyArray<CredentialField>
  /** Makes a receiver with these settings; it keeps state (replay guard) across requests. */
  readonly make: (
    settings: Readonly<Record<string, string | undefined>>,
  ) => (request: WebhookRequest) => Effect.Effect<Received>
  /**
   * Registers a delivery URL for an event, where the provider's API does that (Keap REST
   * hooks). A host that answers the provider's handshake through `confirm` says so
   * (`confirmsLater`): the subscription then waits for it instead of asking for a new one.
   */
  readonly subscribe?:
    | ((
        url: string,
        event: string,
        options?: { readonly confirmsLater?: boolean | undefined },
      ) => Effect.Effect<{ readonly id: string }, CrmError, R>)
    | undefined
  readonly unsubscribe?: ((id: string) => Effect.Effect<void, CrmError, R>) | undefined
  /**
   * The subscriptions that deliver `event` to `url`, so a host that lost the id it saved
   * finds them again (and knows whether they are active).
   */
  readonly subscriptions?:
    | ((
        url: string,
        event: string,
      ) => Effect.Effect<ReadonlyArray<{ readonly id: string; readonly active: boolean }>, CrmError, R>)
    | undefined
  /**
   * Completes a handshake the host could not answer in time (Zapier cannot echo headers):
   * `handshake` is the response the receiver meant to send, `subscription` the id when the
   * host stored it yet, `hook` what it subscribed.
   */
  readonly confirm?:
    | ((
        subscription: string | undefined,
        handshake: WebhookResponse,
        hook: { readonly event: string; readonly url: string | undefined },
      ) => Effect.Effect<void, CrmError, R>)
    | undefined
  /** The full record of an event whose delivery carries only an id (Keap). */
  readonly hydrate?: ((event: WebhookEvent) => Effect.Effect<unknown, CrmError, R>) | undefined
}

/**
 * Keap REST-hook triggers. Keap verifies a hook by POSTing an `X-Hook-Secret` and expecting
 * it echoed in a response header, which a Zapier `perform` cannot set. So the hook is
 * created Unverified, and `perform` answers the handshake with Keap's delayed verification
 * (`Hooks.delayedVerify`) and returns no items. Deliveries carry ids only: `perform` fetches
 * the full records (`Hooks.hydrate`, under the client's rate limits).
 */
import type { CrmError } from "@crmkit/core"
import { Hooks, type KeapClient } from "@crmkit/keap"
import { Effect, Stream } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import { run } from "./connection.ts"
import type { Row } from "./records.ts"

export interface HookTriggerSpec {
  readonly key: string
  readonly noun: string
  readonly label: string
  /** "Triggers when ..." */
  readonly description: string
  readonly eventKey: string
  /** The full record behind one delivered key; `undefined` when it is gone. */
  readonly hydrate: (key: Hooks.ObjectKey) => Effect.Effect<Row | undefined, CrmError, KeapClient.KeapClient>
  /** Recent records, newest first, in the shape `hydrate` returns (samples and Zap testing). */
  readonly recent: (limit: number) => Effect.Effect<ReadonlyArray<Row>, CrmError, KeapClient.KeapClient>
  readonly sample: Row
}

interface SubscribeData {
  readonly key: string
  readonly eventKey: string
}

/** Zapier hands raw headers over as `Http-X-Hook-Secret`; tests and proxies may not prefix them. */
const hookSecret = (bundle: Bundle): string | undefined => {
  const headers = (bundle.rawRequest?.headers ?? {}) as Record<string, string | undefined>
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase().replace(/^http-/, "") === "x-hook-secret" && value) return value
  }
  return undefined
}

const rawBody = (bundle: Bundle): string => {
  const content = (bundle.rawRequest as { content?: unknown } | undefined)?.content
  return typeof content === "string" && content !== "" ? content : JSON.stringify(bundle.cleanedRequest ?? {})
}

/** Keap's default: fetch the object type the event names. */
export const hydrateByType = (key: Hooks.ObjectKey, eventKey: string) =>
  Effect.map(Stream.runHead(Hooks.hydrate({ event_key: eventKey, object_keys: [key] })), (found) =>
    found._tag === "Some" ? (found.value.object as Row) : undefined,
  )

export const hookTrigger = (spec: HookTriggerSpec) => {
  const perform = (z: ZObject, bundle: Bundle) =>
    run(
      z,
      bundle,
      Effect.gen(function* () {
        const secret = hookSecret(bundle)
        if (secret !== undefined) {
          const subscription = bundle.subscribeData as unknown as SubscribeData | undefined
          const key = subscription?.key ?? (yield* unverifiedHookFor(spec.eventKey, bundle.targetUrl))
          if (key !== undefined) yield* Hooks.delayedVerify(key, secret)
          return [] as Array<Row>
        }
        const received = Hooks.handle({ method: "POST", headers: {}, body: rawBody(bundle) })
        if (received._tag !== "Delivery") {
          return yield* Effect.die(new z.errors.Error(`Not a Keap hook delivery: ${received._tag}`, "Validation"))
        }
        const rows = yield* Effect.forEach(received.delivery.object_keys, spec.hydrate, { concurrency: 4 })
        return rows.filter((row): row is Row => row !== undefined)
      }),
    )

  return {
    key: spec.key,
    noun: spec.noun,
    display: { label: spec.label, description: spec.description },
    operation: {
      type: "hook" as const,
      perform,
      performList: (z: ZObject, bundle: Bundle) =>
        run(
          z,
          bundle,
          Effect.map(spec.recent(bundle.meta?.isLoadingSample ? 3 : 25), (rows) => [...rows]),
        ),
      performSubscribe: (z: ZObject, bundle: Bundle) =>
        run(
          z,
          bundle,
          Effect.map(
            Hooks.create(spec.eventKey, String(bundle.targetUrl)),
            (hook): SubscribeData => ({ key: String(hook.key), eventKey: String(hook.eventKey) }),
          ),
        ),
      performUnsubscribe: (z: ZObject, bundle: Bundle) =>
        run(
          z,
          bundle,
          Effect.as(Hooks.remove((bundle.subscribeData as unknown as SubscribeData).key), { unsubscribed: true }),
        ),
      sample: spec.sample,
    },
  }
}

/** The handshake can arrive before Zapier has stored what `performSubscribe` returned. */
const unverifiedHookFor = (eventKey: string, targetUrl: string | undefined) =>
  targetUrl === undefined
    ? Effect.succeed(undefined)
    : Effect.map(
        Hooks.forTarget(eventKey, targetUrl),
        (hooks) => hooks.find((hook) => hook.status === "Unverified")?.key ?? undefined,
      )

/**
 * `crmkit migrate follow --from keap --to ghl --state S --port N`: keeps a finished migration in
 * step while both CRMs are in use. It listens with the source connector's webhook receiver
 * (deliveries verified as `webhooks listen` does; Keap's REST hooks subscribed through its API
 * when `--subscribe` is given) and answers each batch of changes with a delta run. Keap asks
 * integrations not to poll, so nothing runs between deliveries.
 *
 * Deliveries that arrive during a run are coalesced into one more run. Changes the migration
 * itself made are not echoed back: a run compares content, so a record written by the
 * migration (or by its reverse, when both directions are followed) reads back as unchanged and
 * is not sent again.
 */
import * as fs from "node:fs"
import * as Console from "effect/Console"
import { Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as WebhookServer from "../WebhookServer.ts"
import { checkState, connectorFor, Migrate, openSides, openState, summaryLines, usage } from "./migrate.ts"
import { receiverSettings, settingFlag } from "./webhooks.ts"

/** The events of the entities a migration moves; the receiver's other events are not subscribed. */
const RECORD_EVENT = /^(contact|note|task|opportunit|compan)[a-z]*[._]?(add|edit|create|update)/i

export const followCommand = Command.make(
  "follow",
  {
    from: Flag.String("from").pipe(Flag.withDescription("Source CRM (keap, ghl)")),
    to: Flag.String("to").pipe(Flag.withDescription("Target CRM (keap, ghl)")),
    state: Flag.String("state").pipe(
      Flag.withDescription("The migration's state (a file, or postgres:// with --migration)"),
    ),
    migration: Flag.String("migration").pipe(
      Flag.withDescription("The migration's id in a shared PostgreSQL state"),
      Flag.optional,
    ),
    mapping: Flag.String("mapping").pipe(
      Flag.withDescription("Mapping file (YAML); default: the state file's name + .mapping.yaml"),
      Flag.optional,
    ),
    setting: settingFlag,
    port: Flag.Int("port").pipe(Flag.withDescription("Port the receiver listens on (127.0.0.1)"), Flag.withDefault(0)),
    subscribe: Flag.String("subscribe").pipe(
      Flag.withDescription(
        "Register this public URL (the receiver as the source CRM reaches it) for the record events, where its API can",
      ),
      Flag.optional,
    ),
  },
  Effect.fn(function* ({ from, to, state, migration, mapping, setting, port, subscribe }) {
    const M = yield* Migrate
    if (from.toLowerCase() === to.toLowerCase()) return yield* usage("--from and --to name the same CRM")
    const source = yield* connectorFor("from", from)
    const target = yield* connectorFor("to", to)
    yield* checkState(state, migration, true)
    const receiver = source.webhooks
    if (receiver === undefined) return yield* usage(`--from ${from}: ${source.connector.title} sends no webhooks`)
    if (Option.isSome(subscribe) && receiver.subscribe === undefined)
      return yield* usage(
        `--subscribe: ${source.connector.title} webhooks are registered by a person${receiver.setup ? ` (${receiver.setup})` : ""}`,
      )
    if (Option.isSome(subscribe) && !/^https?:\/\//.test(subscribe.value))
      return yield* usage(`--subscribe ${subscribe.value} is not an http(s) URL`)
    const settings = yield* receiverSettings(
      source.connector.title,
      receiver,
      Option.getOrElse(setting, () => ({})),
    )
    const mappingFile = Option.getOrElse(mapping, () => `${state}.mapping.yaml`)
    if (!fs.existsSync(mappingFile))
      return yield* usage(`no mapping file ${mappingFile}: plan and run the migration first (\`crmkit migrate plan\`)`)
    const parsed = yield* Effect.try({
      try: () => M.Mapping.parse(fs.readFileSync(mappingFile, "utf8"), mappingFile),
      catch: (e) => usage(e instanceof Error ? e.message : String(e)),
    })

    const [a, b] = yield* openSides(source, target)
    const db = yield* openState(state, migration)
    const options = {
      from: { name: source.connector.name, records: source.records!, services: a.services },
      to: { name: target.connector.name, records: target.records!, services: b.services },
      state: db,
      mapping: parsed,
      marker: Option.getOrUndefined(migration),
    }
    const runDelta = (why: string) =>
      M.Engine.run(options).pipe(
        Effect.tap((report) =>
          Console.error(`follow: ${why}: ${summaryLines(M.Engine.summary(report)).replace(/\n/g, "\nfollow:   ")}`),
        ),
        Effect.catchTag("MigrateInputError", (e) => Effect.fail(usage(e.message))),
        // A failed run (the target unreachable for longer than the retries) waits for the next delivery.
        Effect.catch((error) =>
          error._tag === "UsageError"
            ? Effect.fail(error)
            : Console.error(`follow: run failed, retried on the next delivery: ${error.message}`),
        ),
      )

    // Capacity 1, sliding: however many deliveries arrive during a run, one more run follows it.
    const wake = yield* Queue.sliding<string>(1)
    const receive = receiver.make(settings)
    const listening = yield* WebhookServer.serve(receive, port, (received) => {
      if (received._tag === "Refused") process.stderr.write(`follow: refused a delivery: ${received.reason}\n`)
      if (received._tag === "Delivered" && received.events.length > 0) {
        const types = [...new Set(received.events.map((e) => e.type))].join(", ")
        Queue.offerUnsafe(wake, `${received.events.length} change(s) (${types})`)
      }
    })
    yield* Console.error(`follow: listening for ${source.connector.name} webhooks on http://127.0.0.1:${listening}/`)

    if (Option.isSome(subscribe) && receiver.subscribe !== undefined) {
      const events = receiver.events.map((e) => e.name).filter((name) => RECORD_EVENT.test(name))
      for (const event of events) {
        const existing = receiver.subscriptions
          ? yield* receiver.subscriptions(subscribe.value, event).pipe(Effect.provideContext(a.services as never))
          : []
        if (existing.some((s) => s.active)) continue
        yield* receiver.subscribe(subscribe.value, event).pipe(Effect.provideContext(a.services as never))
      }
      yield* Console.error(`follow: subscribed ${events.join(", ")} to ${subscribe.value}`)
    }

    // Catch up first: what changed while nothing was listening.
    yield* runDelta("catch-up")
    while (true) {
      const why = yield* Queue.take(wake)
      yield* runDelta(why)
    }
  }, Effect.scoped),
).pipe(
  Command.withDescription(
    "Keep a migration in step: listen for the source's webhooks and move each batch of changes (a delta run)",
  ),
)

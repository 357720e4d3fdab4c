/**
 * A Zapier app's creates, searches, dropdowns and triggers derived from a connector's
 * runtime: its actions (fields from `Action.describe` and the hints, input checked by
 * `Action.decodeInput` before any request), its polling feeds and its webhook receiver.
 * An app only says, in small maps, which of them to show under which keys and words.
 */
import { Action, type CrmError, type Feeds, type OperationRegistry, type Webhooks } from "@crmkit/core"
import { Cause, Effect, Exit, Stream } from "effect"
import type { Bundle, ZObject } from "zapier-platform-core"
import { type Connection, snake } from "./Connection.ts"
import * as Definitions from "./Definitions.ts"
import * as Forms from "./Forms.ts"

type Row = Record<string, unknown> & { readonly id: string }
type Rec = Readonly<Record<string, unknown>>

/** A record as Zapier wants it: a string `id` when it has one. */
export const row = (record: unknown): Row => {
  const r = (record !== null && typeof record === "object" ? record : { value: record }) as Rec
  return { ...r, id: r.id === undefined || r.id === null ? "" : String(r.id) } as Row
}

/** A property path, flattening lists on the way (`pipelines.stages`: every pipeline's stages). */
export const at = (value: unknown, path: string | undefined): unknown => {
  if (path === undefined || path === "") return value
  return path.split(".").reduce<unknown>((current, part) => {
    if (Array.isArray(current)) return current.flatMap((item) => at(item, part) ?? [])
    return current !== null && typeof current === "object" ? (current as Rec)[part] : undefined
  }, value)
}

const asList = (value: unknown): ReadonlyArray<unknown> =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]

/** `"{email}"` → the Zapier field's value; other strings interpolated; objects and lists walked. */
export const fill = (template: unknown, values: Rec): unknown => {
  if (typeof template === "string") {
    const whole = /^\{(\w+)\}$/.exec(template)
    if (whole !== null) return values[whole[1]!]
    return template.replace(/\{(\w+)\}/g, (_m, key: string) => String(values[key] ?? ""))
  }
  if (Array.isArray(template)) return template.map((item) => fill(item, values))
  if (template !== null && typeof template === "object") {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fill(v, values)]))
  }
  return template
}

const thirdPerson = (sentence: string) =>
  sentence.replace(/^(\w+)/, (verb) =>
    /(s|sh|ch|x)$/.test(verb) ? `${verb}es` : /[^aeiou]y$/.test(verb) ? `${verb.slice(0, -1)}ies` : `${verb}s`,
  )

// A remark in parentheses is for the CLI's readers (`(assigned_to_user_id is required by Keap)`).
const sentence = (text: string) => {
  const plain = text.replace(/\s*\([^)]*\)\s*$/, "")
  return /[.!?]$/.test(plain) ? plain : `${plain}.`
}

export interface Words {
  readonly noun: string
  readonly label?: string | undefined
  readonly description?: string | undefined
  readonly sample?: Definitions.Sample | undefined
}

/** One action shown as a Zapier create. */
export interface CreateSpec extends Words {
  readonly key: string
  /** `resource.name` of the action. */
  readonly action: string
  /** The fields to show, in order (default: all). */
  readonly fields?: ReadonlyArray<string> | undefined
  readonly words?: Readonly<Record<string, Forms.FieldWords>> | undefined
  /** Values sent when the field is left empty (Keap's duplicate check by email); a function: at each run. */
  readonly defaults?: Readonly<Record<string, unknown>> | undefined
  /** Refused before sending unless one of these fields is given. */
  readonly atLeastOne?: ReadonlyArray<string> | undefined
  /** Where the result is, when the action's hints do not say. */
  readonly unwrap?: string | undefined
}

/** One way a search can find records: an action, its input from the search's fields. */
export interface SearchWay {
  /** The search fields (Zapier keys) this way needs. */
  readonly when: ReadonlyArray<string>
  readonly action: string
  /** The action's input; `"{key}"` stands for a search field's value. */
  readonly input: Rec
  /** Keeps records whose property (key) equals a search field (value), ignoring case. */
  readonly match?: Readonly<Record<string, string>> | undefined
  readonly unwrap?: string | undefined
}

export interface SearchSpec extends Words {
  readonly key: string
  /** A search over one action, its fields derived (`CreateSpec`'s options), or... */
  readonly action?: string | undefined
  readonly fields?: ReadonlyArray<string> | undefined
  readonly words?: Readonly<Record<string, Forms.FieldWords>> | undefined
  /** ...several ways, the first whose fields are given. */
  readonly inputFields?: ReadonlyArray<Definitions.InputField> | undefined
  readonly ways?: ReadonlyArray<SearchWay> | undefined
}

export interface FeedTriggerSpec extends Words {
  readonly key: string
  readonly feed: string
  readonly inputFields?: ReadonlyArray<Definitions.InputField> | undefined
  /** Keeps records whose property (value) equals the trigger's field (key), when given. */
  readonly match?: Readonly<Record<string, string>> | undefined
  /**
   * For "updated" feeds: the properties joined to the id, so only a change of these is new to
   * Zapier (default: the change time, so every change is).
   */
  readonly idParts?: ReadonlyArray<string> | undefined
}

/** A polling trigger over a read action, newest first. */
export interface ListTriggerSpec extends CreateSpec {
  /** The date property that orders records, newest first (default: the first `created`/`added` one). */
  readonly newest?: string | undefined
  /** For "changed" triggers: properties joined to the id, so a record changing again is new. */
  readonly idParts?: ReadonlyArray<string> | undefined
}

export interface HookTriggerSpec extends Words {
  readonly key: string
  readonly event: string
  /** Recent records (Zapier's samples and Zap tests): a list action and its input. */
  readonly recent: Source
  /** The record behind an event, when the receiver cannot fetch it (`{id}`: the event's id). */
  readonly fetch?: Source | undefined
}

/** An action (`resource.name`) or, where no action reads it yet, a catalog operation; and its input. */
export interface Source {
  readonly action?: string | undefined
  readonly operation?: string | undefined
  readonly input?: Rec | undefined
  /** Where the records are in the answer (default: the action's hint). */
  readonly unwrap?: string | undefined
}

/** Search results, first page only. */
const SEARCH_LIMIT = 10
/** The list actions' page size field. */
const PAGE_SIZE = "page_size"
/** Dropdowns show at most this many choices (reading pages as needed). */
const DROPDOWN_LIMIT = 1000
/** Zapier reads about 100 items per poll. */
const POLL_LIMIT = 100

export interface Deriver<R> {
  readonly create: (spec: CreateSpec) => ReturnType<typeof Definitions.create>
  readonly search: (spec: SearchSpec) => ReturnType<typeof Definitions.search>
  /**
   * A search for every `find` action of the connector: `find_<noun>`, its `id` field keyed
   * `<noun>_id` and a `contact` field `contact_id`, as Zapier apps name them.
   */
  /** Every `find` action as a search (samples: the app's, by noun, or the actions'). */
  readonly finds: (
    samples?: (noun: string) => Definitions.Sample | undefined,
  ) => Array<ReturnType<typeof Definitions.search>>
  readonly feedTrigger: (spec: FeedTriggerSpec) => ReturnType<typeof Definitions.pollingTrigger>
  readonly listTrigger: (spec: ListTriggerSpec) => ReturnType<typeof Definitions.pollingTrigger>
  readonly hookTrigger: (spec: HookTriggerSpec) => { readonly key: string; readonly operation: object }
  /** The hidden triggers behind every `choicesFrom` of what was derived so far. */
  readonly dropdowns: () => Array<ReturnType<typeof Definitions.dropdown>>
  readonly run: Connection<R>["run"]
  readonly action: (ref: string) => Action.Action<any, unknown, R>
  /** The actions the derived definitions run (for the scopes they need). */
  readonly used: () => ReadonlyArray<string>
  /** The records of a source (a connection test, a sample). */
  readonly read: (source: Source, limit?: number) => Effect.Effect<Array<unknown>, CrmError, R>
}

export interface Options<R> {
  /** The app's words for fields of every action, by the action's field name (e.g. `contact`). */
  readonly words?: Readonly<Record<string, Forms.FieldWords>> | undefined
  /** Actions the app adds until its connector has them (`Action.fromOperation`). */
  readonly actions?: ReadonlyArray<Action.Action<any, unknown, R>> | undefined
  /** Runs `Source.operation`s. */
  readonly registry?: OperationRegistry.Registry<R> | undefined
}

export const make = <R>(connection: Connection<R>, options: Options<R> = {}): Deriver<R> => {
  const { runtime, run } = connection
  const provider = runtime.connector.name
  const lists = new Map<string, NonNullable<Action.FieldHint["choicesFrom"]>>()
  const renamed = new Map<string, string>()
  const contextNames = runtime.connector.context.flatMap((p) => [p.name, snake(p.name)])

  const used = new Set<string>()
  const action = (ref: string) => {
    used.add(ref)
    const found = [...runtime.actions, ...(options.actions ?? [])].find(
      (a) => `${a.resource}.${a.name}` === ref || a.aliases?.includes(ref),
    )
    if (found === undefined) throw new Error(`${runtime.connector.title} has no action ${ref}`)
    return found
  }

  const formOf = (spec: { action?: string | undefined } & Pick<CreateSpec, "fields" | "words">) => {
    const description = Action.describe(action(spec.action!))
    const words = { ...options.words }
    for (const [name, own] of Object.entries(spec.words ?? {})) words[name] = { ...words[name], ...own }
    const forms = Forms.formFields(description, words, spec.fields, contextNames)
    for (const form of forms) {
      const from = form.words.choicesFrom ?? form.hint.choicesFrom
      if (from !== undefined) lists.set(Forms.dropdownKey(from), from)
      if (form.key !== form.name) renamed.set(form.name, form.key)
    }
    return { description, forms }
  }

  /** Decodes before anything is sent; a refusal names the fields in the form's words. */
  const decode = (z: ZObject, forms: ReadonlyArray<Forms.FormField>, ref: string, raw: unknown) => {
    const exit = Effect.runSyncExit(Action.decodeInput(provider, action(ref), raw))
    if (Exit.isSuccess(exit)) return exit.value
    const error = Cause.squash(exit.cause) as CrmError
    const issues = error.reason._tag === "Validation" ? (error.reason.fields ?? []) : []
    return Definitions.invalid(
      z,
      issues.length === 0 ? error.message : `Invalid input: ${Forms.issuesText(forms, issues)}`,
    )
  }

  /** Runs an action: one answer, or the first `limit` records of a stream. */
  const perform = (ref: string, input: unknown, limit: number) => {
    const definition = action(ref)
    return definition._tag === "Single"
      ? definition.run(input)
      : Effect.map(Stream.runCollect(Stream.take(definition.run(input), limit)), (items) => Array.from(items))
  }

  const unwrapOf = (ref: string, own: string | undefined) => own ?? action(ref).hints?.unwrap

  /** The records of a source: an action's (unwrapped), or an operation's (every page up to `limit`). */
  const records = (source: Source, values: Rec, limit: number): Effect.Effect<Array<unknown>, CrmError, R> => {
    const input = fill(source.input ?? {}, values)
    if (source.action !== undefined) {
      const ref = source.action
      return Effect.map(perform(ref, input, limit), (answer) => [...asList(at(answer, unwrapOf(ref, source.unwrap)))])
    }
    const registry = options.registry
    if (registry === undefined || source.operation === undefined) {
      return Effect.die(new Error("a source names an action, or an operation with `registry` given"))
    }
    const id = source.operation
    return Effect.flatMap(registry.lookup(id), (operation) =>
      operation.pagination === undefined
        ? Effect.map(registry.call(operation, input), (answer) => [...asList(at(answer, source.unwrap))])
        : Effect.map(Stream.runCollect(Stream.take(registry.stream(operation, input), limit)), (items) =>
            Array.from(items),
          ),
    )
  }

  const labelOf = (ref: string, words: Words, fallback: (d: Action.Description) => string) => {
    const description = Action.describe(action(ref))
    return {
      label: words.label ?? Forms.titleCase(description.hints?.label ?? fallback(description)),
      description: words.description ?? sentence(thirdPerson(description.hints?.label ?? description.description)),
    }
  }

  const singularOf = (resource: string) => resource.replace(/ies$/, "y").replace(/s$/, "")
  /** A record of a resource, or of the resource a noun names: the sample of its `get`, `find`, then any action. */
  const resourceSample = (resource: string | undefined, noun?: string): unknown => {
    const all = [...runtime.actions, ...(options.actions ?? [])].filter((a) =>
      resource !== undefined ? a.resource === resource : Forms.titleCase(singularOf(a.resource)) === noun,
    )
    const order = ["get", "find", "list", "create"]
    return [...all]
      .sort((a, b) => ((order.indexOf(a.name) + 5) % 5) - ((order.indexOf(b.name) + 5) % 5))
      .find((a) => a.hints?.sample !== undefined)?.hints?.sample
  }
  /** The words' sample, the action's (`hints.sample`), a record of its resource, or a bare id. */
  const sampleOf = (ref: string | undefined, words: Words): Definitions.Sample => {
    const found = ref === undefined ? undefined : action(ref)
    const hinted = found?.hints?.sample ?? resourceSample(found?.resource, found === undefined ? words.noun : undefined)
    return words.sample ?? (hinted === undefined ? { id: "1" } : row(hinted))
  }

  const create: Deriver<R>["create"] = (spec) => {
    const { forms } = formOf(spec)
    const defaults = spec.defaults ?? {}
    return Definitions.create({
      key: spec.key,
      noun: spec.noun,
      ...labelOf(spec.action, spec, (d) => `${d.name} ${spec.noun}`),
      inputFields: forms.map((form) => Forms.inputField(form, defaults)),
      sample: sampleOf(spec.action, spec),
      perform: (z, bundle) => {
        const raw = Forms.toInput(z, forms, bundle.inputData, defaults)
        const given = spec.atLeastOne
        if (given?.every((name) => raw[name] === undefined)) {
          const labels = forms.filter((f) => given.includes(f.name)).map((f) => f.label)
          return Definitions.invalid(z, `Give at least one of: ${labels.join(", ")}.`)
        }
        const input = decode(z, forms, spec.action, raw)
        const path = unwrapOf(spec.action, spec.unwrap)
        return run(
          z,
          bundle,
          Effect.map(perform(spec.action, input, 1), (answer) => {
            const inner = at(answer, path)
            const first = Array.isArray(inner) ? inner[0] : inner
            // The answer's other plain values stay (GHL's `new` of an upsert).
            const plain = Object.entries((path === undefined ? {} : answer) as Rec).filter(
              ([, v]) => v === null || typeof v !== "object",
            )
            const result =
              first !== null && typeof first === "object" ? first : { result: first ?? "SUCCESS", input: raw }
            return { ...Object.fromEntries(plain), ...row(result) }
          }),
        )
      },
    })
  }

  const results = (ref: string, input: unknown, path: string | undefined, limit = SEARCH_LIMIT) =>
    Effect.map(perform(ref, input, limit), (answer) => asList(at(answer, path)).slice(0, limit).map(row)).pipe(
      // A record that is not there is an empty result, not a failure.
      Effect.catchIf(
        (error: CrmError) => error.reason._tag === "NotFound",
        () => Effect.succeed([] as Array<Row>),
      ),
    )

  const search: Deriver<R>["search"] = (spec) => {
    if (spec.ways === undefined) {
      const { forms } = formOf(spec)
      const ref = spec.action!
      return Definitions.search({
        key: spec.key,
        noun: spec.noun,
        ...labelOf(ref, spec, () => `Find ${spec.noun}`),
        inputFields: forms.map((form) => Forms.inputField(form)),
        sample: sampleOf(ref, spec),
        perform: (z, bundle) => {
          // First page only: a page of the search's size, unless a smaller one is asked for.
          const paged = forms.some((form) => form.name === PAGE_SIZE)
          const raw = Forms.toInput(z, forms, bundle.inputData, paged ? { [PAGE_SIZE]: SEARCH_LIMIT } : {})
          const input = decode(z, forms, ref, raw)
          const limit = typeof raw[PAGE_SIZE] === "number" ? Math.min(raw[PAGE_SIZE], SEARCH_LIMIT) : SEARCH_LIMIT
          return run(z, bundle, results(ref, input, unwrapOf(ref, undefined), limit))
        },
      })
    }
    const ways = spec.ways
    const fields = spec.inputFields ?? []
    return Definitions.search({
      key: spec.key,
      noun: spec.noun,
      label: spec.label ?? `Find ${spec.noun}`,
      description: spec.description ?? `Finds a ${spec.noun.toLowerCase()}.`,
      inputFields: fields,
      sample: sampleOf(undefined, spec),
      perform: (z, bundle) => {
        const values = Object.fromEntries(fields.map((f) => [f.key, Definitions.text(bundle, f.key)]))
        const way = ways.find((w) => w.when.every((key) => values[key] !== undefined))
        if (way === undefined) {
          const labels = fields.map((f) => String(f.label ?? f.key))
          return Definitions.invalid(z, `Give ${labels.join(" or ")} to search by.`)
        }
        const { forms } = formOf({ action: way.action })
        const input = decode(z, forms, way.action, fill(way.input, values))
        const matches = (record: Row) =>
          Object.entries(way.match ?? {}).every(
            ([property, key]) => String(record[property] ?? "").toLowerCase() === String(values[key]).toLowerCase(),
          )
        return run(
          z,
          bundle,
          Effect.map(results(way.action, input, unwrapOf(way.action, way.unwrap)), (rows) => rows.filter(matches)),
        )
      },
    })
  }

  const finds: Deriver<R>["finds"] = (samples = () => undefined) =>
    [...runtime.actions, ...(options.actions ?? [])]
      .filter((a) => a.name === "find")
      .map((found) => {
        const singular = found.resource.replace(/ies$/, "y").replace(/s$/, "")
        const noun = Forms.titleCase(singular)
        return search({
          key: `find_${singular}`,
          action: `${found.resource}.find`,
          noun,
          words: {
            id: { key: `${singular}_id`, label: `${noun} ID` },
            contact: { key: "contact_id", label: "Contact ID" },
          },
          sample: samples(noun) ?? sampleOf(`${found.resource}.find`, { noun }),
        })
      })

  const newestFirst = (records: ReadonlyArray<Row>, field: string) =>
    [...records].sort((a, b) => (Date.parse(String(b[field] ?? "")) || 0) - (Date.parse(String(a[field] ?? "")) || 0))

  const uniqueById = (rows: ReadonlyArray<Row>) => {
    const seen = new Set<string>()
    return rows.filter((r) => !seen.has(r.id) && seen.add(r.id))
  }

  /** `contacts` → `contactId`: where a "changed" row keeps the record's own id. */
  const originalKey = (resource: string) => `${resource.replace(/ies$/, "y").replace(/s$/, "")}Id`

  const changeRow = (record: Row, resource: string, parts: ReadonlyArray<unknown>): Row => ({
    ...record,
    [originalKey(resource)]: record.id,
    id: [record.id, ...parts.map((part) => String(part ?? ""))].join("-"),
  })

  const feedTrigger: Deriver<R>["feedTrigger"] = (spec) => {
    const feed = (runtime.feeds ?? []).find((f) => f.name === spec.feed) as Feeds.Feed<R> | undefined
    if (feed === undefined) throw new Error(`${runtime.connector.title} has no feed ${spec.feed}`)
    return Definitions.pollingTrigger({
      key: spec.key,
      noun: spec.noun,
      label: spec.label ?? feed.title,
      description:
        spec.description ?? `Triggers on ${feed.description.charAt(0).toLowerCase()}${feed.description.slice(1)}.`,
      inputFields: spec.inputFields,
      sample:
        spec.sample ??
        (() => {
          const own = resourceSample(feed.resource)
          const record = own === undefined ? sampleOf(undefined, { noun: spec.noun }) : row(own)
          return feed.change === "updated"
            ? (changeRow(record, feed.resource, spec.idParts?.map((p) => record[p]) ?? [stampOf(record)]) as Row)
            : record
        })(),
      perform: (z, bundle) => {
        const wanted = Object.entries(spec.match ?? {}).flatMap(([key, property]) => {
          const value = Definitions.text(bundle, key)
          return value === undefined ? [] : [[property, value] as const]
        })
        return run(
          z,
          bundle,
          Effect.map(feed.poll(undefined, { limit: POLL_LIMIT }), (page) => {
            // Oldest first from the feed; Zapier wants the newest first, each id once.
            const rows = [...page.records]
              .reverse()
              .map(row)
              .filter((r) => wanted.every(([property, value]) => String(r[property]) === value))
            // A record changing again must be new to Zapier's dedupe: its id carries the change.
            const parts = (r: Row) => (spec.idParts === undefined ? [stampOf(r)] : spec.idParts.map((p) => r[p]))
            return uniqueById(feed.change === "updated" ? rows.map((r) => changeRow(r, feed.resource, parts(r))) : rows)
          }),
        )
      },
    })
  }

  // The record's change time, for "updated" feeds: its newest date-like property.
  const stampOf = (record: Row) =>
    Object.entries(record)
      .filter(([key, value]) => /updated|modified/i.test(key) && typeof value === "string")
      .map(([, value]) => value as string)
      .sort()
      .at(-1) ?? ""

  const listTrigger: Deriver<R>["listTrigger"] = (spec) => {
    const { forms } = formOf(spec)
    const resource = action(spec.action).resource
    return Definitions.pollingTrigger({
      key: spec.key,
      noun: spec.noun,
      label: spec.label ?? `New ${spec.noun}`,
      description:
        spec.description ??
        `Triggers when ${/^[aeiou]/i.test(spec.noun) ? "an" : "a"} ${spec.noun.toLowerCase()} is added.`,
      inputFields: forms.map((form) => Forms.inputField(form, spec.defaults)),
      sample: sampleOf(spec.action, spec),
      perform: (z, bundle) => {
        const input = decode(z, forms, spec.action, Forms.toInput(z, forms, bundle.inputData, spec.defaults))
        return run(
          z,
          bundle,
          Effect.map(perform(spec.action, input, POLL_LIMIT), (answer) => {
            const found = asList(at(answer, unwrapOf(spec.action, spec.unwrap))).map(row)
            const field = spec.newest ?? Object.keys(found[0] ?? {}).find((k) => /creat|added/i.test(k))
            const rows = field === undefined ? found : newestFirst(found, field)
            const parts = spec.idParts
            return uniqueById(
              parts === undefined
                ? rows
                : rows.map((r) =>
                    changeRow(
                      r,
                      resource,
                      parts.map((p) => r[p]),
                    ),
                  ),
            ).slice(0, POLL_LIMIT)
          }),
        )
      },
    })
  }

  const hookTrigger: Deriver<R>["hookTrigger"] = (spec) => {
    const receiver = runtime.webhooks as Webhooks.WebhookReceiver<R> | undefined
    if (receiver === undefined) throw new Error(`${runtime.connector.title} receives no webhooks`)
    const subscribe = receiver.subscribe
    const title = runtime.connector.title

    /** The record behind an event; `undefined` when it is gone. */
    const fetchRecord = (event: Webhooks.WebhookEvent): Effect.Effect<unknown, CrmError, R> => {
      if (spec.fetch !== undefined) {
        return Effect.map(records(spec.fetch, { ...(event.data as Rec), id: event.id }, 1), (found) => found.at(0))
      }
      return receiver.hydrate === undefined ? Effect.succeed(event.data) : receiver.hydrate(event)
    }

    const perform_ = (z: ZObject, bundle: Bundle) => {
      const request: Webhooks.WebhookRequest = {
        method: "POST",
        headers: Object.fromEntries(
          Object.entries((bundle.rawRequest?.headers ?? {}) as Record<string, string | undefined>).map(([n, v]) => [
            n.toLowerCase().replace(/^http-/, ""),
            v,
          ]),
        ),
        body: new TextEncoder().encode(rawBody(bundle)),
      }
      const subscription = subscriptionId(bundle)
      // The receiver's settings (a signing secret) are the trigger's fields.
      const settings = Object.fromEntries(receiver.settings.map((s) => [s.name, Definitions.text(bundle, s.name)]))
      return run(
        z,
        bundle,
        Effect.gen(function* () {
          const received = yield* receiver.make(settings)(request)
          switch (received._tag) {
            case "Handshake":
              // A Zapier `perform` cannot echo a handshake: the receiver completes it (Keap's delayed verification).
              if (receiver.confirm !== undefined) {
                yield* receiver.confirm(subscription, received.response, { event: spec.event, url: bundle.targetUrl })
              }
              return [] as Array<Row>
            case "Refused":
              return yield* Effect.die(
                new z.errors.Error(`Not a ${title} hook delivery: ${received.reason}`, "Validation"),
              )
            case "Delivered": {
              const found = yield* Effect.forEach(
                received.events,
                (event) =>
                  fetchRecord(event).pipe(
                    Effect.catchIf(
                      (error: CrmError) => error.reason._tag === "NotFound",
                      () => Effect.succeed(undefined),
                    ),
                  ),
                { concurrency: 4 },
              )
              return found.filter((record) => record !== undefined && record !== null).map(row)
            }
          }
        }),
      )
    }

    return {
      key: spec.key,
      noun: spec.noun,
      display: {
        label: spec.label ?? Forms.titleCase(spec.event),
        description: spec.description ?? `Triggers on ${title}'s ${spec.event} event.`,
      },
      operation: {
        type: "hook" as const,
        inputFields: receiver.settings.map((s) => ({
          key: s.name,
          label: s.title,
          required: s.required,
          ...(s.description === undefined ? {} : { helpText: s.description }),
          ...(s.default === undefined ? {} : { default: s.default }),
        })),
        perform: perform_,
        performList: (z: ZObject, bundle: Bundle) => {
          const limit = bundle.meta?.isLoadingSample ? 3 : 25
          return run(
            z,
            bundle,
            Effect.map(records(spec.recent, {}, limit), (found) => found.slice(0, limit).map(row)),
          )
        },
        // Where the provider's API registers hook URLs (Keap); otherwise the URL is given to the provider by hand.
        ...(subscribe === undefined
          ? {}
          : {
              performSubscribe: (z: ZObject, bundle: Bundle) =>
                run(
                  z,
                  bundle,
                  subscribe(String(bundle.targetUrl), spec.event, { confirmsLater: receiver.confirm !== undefined }),
                ),
              performUnsubscribe: (z: ZObject, bundle: Bundle) =>
                run(
                  z,
                  bundle,
                  Effect.as(receiver.unsubscribe?.(String(subscriptionId(bundle))) ?? Effect.void, {
                    unsubscribed: true,
                  }),
                ),
            }),
        sample: spec.sample ?? sampleOf(undefined, { noun: spec.noun }),
      },
    }
  }

  const dropdowns: Deriver<R>["dropdowns"] = () =>
    [...lists].map(([key, from]) =>
      Definitions.dropdown({
        key,
        noun: Forms.titleCase(key.replace(/_list.*$/, "")),
        label: `List ${Forms.titleCase(key.replace(/_list.*$/, ""))} Choices`,
        perform: async (z, bundle) => {
          const ref = `${from.resource}.${from.name}`
          const input = Object.fromEntries(
            Object.entries(from.input ?? {}).flatMap(([param, field]) => {
              const value = bundle.inputData[field] ?? bundle.inputData[renamed.get(field) ?? field]
              return value === undefined || value === "" ? [] : [[param, value]]
            }),
          )
          // A list that needs a field not chosen yet has no choices yet.
          const decoded = Effect.runSyncExit(Action.decodeInput(provider, action(ref), input))
          if (Exit.isFailure(decoded)) return []
          return run(
            z,
            bundle,
            Effect.map(perform(ref, decoded.value, DROPDOWN_LIMIT), (answer) =>
              asList(at(answer, from.items ?? unwrapOf(ref, undefined))).map((record) => {
                const r = record as Rec
                const id = String(r[from.value])
                return { id, name: labelText(r, from.label) ?? `#${id}` }
              }),
            ),
          )
        },
      }),
    )

  return {
    create,
    search,
    finds,
    feedTrigger,
    listTrigger,
    hookTrigger,
    dropdowns,
    run,
    action,
    read: (source, limit = 1) => records(source, {}, limit),
    used: () => [...used, ...[...lists.values()].map((from) => `${from.resource}.${from.name}`)],
  }
}

const labelText = (record: Rec, label: string | ReadonlyArray<string>) => {
  const parts = (typeof label === "string" ? [label] : label)
    .map((property) => record[property])
    .filter((value) => value !== undefined && value !== null && value !== "")
  return parts.length === 0 ? undefined : parts.map(String).join(" ")
}

/** What `performSubscribe` returned (`key`: subscriptions made before the apps were derived). */
const subscriptionId = (bundle: Bundle) => {
  const data = bundle.subscribeData as { id?: string; key?: string } | undefined
  return data?.id ?? data?.key
}

const rawBody = (bundle: Bundle): string => {
  const content = (bundle.rawRequest as { content?: unknown } | undefined)?.content
  return typeof content === "string" && content !== "" ? content : JSON.stringify(bundle.cleanedRequest ?? {})
}

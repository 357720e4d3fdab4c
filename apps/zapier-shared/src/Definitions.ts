/**
 * Builders for Zapier triggers, actions and searches, so both apps spell labels, nouns,
 * descriptions and samples the same way (Zapier's checks: title-case labels, "Triggers
 * when ..." / "Creates ..." / "Finds ..." descriptions, a one-item sample with the primary key).
 */
import type { Bundle, ZObject } from "zapier-platform-core"

export type Perform<A> = (z: ZObject, bundle: Bundle) => Promise<A>
export type Sample = Record<string, unknown> & { readonly id: string }
export type InputField = Record<string, unknown> & { readonly key: string }
export type InputFields = ReadonlyArray<
  InputField | ((z: ZObject, bundle: Bundle) => Promise<ReadonlyArray<InputField>>)
>

interface Common {
  readonly key: string
  readonly noun: string
  readonly label: string
  readonly description: string
  readonly sample: Sample
  readonly inputFields?: InputFields | undefined
  readonly outputFields?: ReadonlyArray<Record<string, unknown>> | undefined
}

const display = (spec: Common, hidden = false) => ({ label: spec.label, description: spec.description, hidden })

const extras = (spec: Common) => ({
  inputFields: [...(spec.inputFields ?? [])],
  ...(spec.outputFields === undefined ? {} : { outputFields: [...spec.outputFields] }),
  sample: spec.sample,
})

export const create = (spec: Common & { readonly perform: Perform<Record<string, unknown>> }) => ({
  key: spec.key,
  noun: spec.noun,
  display: display(spec),
  operation: { perform: spec.perform, ...extras(spec) },
})

export const search = (spec: Common & { readonly perform: Perform<ReadonlyArray<Record<string, unknown>>> }) => ({
  key: spec.key,
  noun: spec.noun,
  display: display(spec),
  operation: { perform: spec.perform, ...extras(spec) },
})

export const pollingTrigger = (
  spec: Common & { readonly perform: Perform<ReadonlyArray<Record<string, unknown>>> },
) => ({
  key: spec.key,
  noun: spec.noun,
  display: display(spec),
  operation: { type: "polling" as const, perform: spec.perform, ...extras(spec) },
})

/** A hidden trigger that fills a dynamic dropdown (`dynamic: "<key>.id.name"`). */
export const dropdown = (spec: {
  readonly key: string
  readonly noun: string
  readonly label: string
  readonly perform: Perform<ReadonlyArray<{ readonly id: string; readonly name: string }>>
}) => ({
  key: spec.key,
  noun: spec.noun,
  display: { label: spec.label, description: `Lists ${spec.noun.toLowerCase()} choices for dropdowns.`, hidden: true },
  operation: { type: "polling" as const, perform: spec.perform, sample: { id: "1", name: spec.noun } },
})

/** A text input, trimmed; `undefined` when left empty. */
export const text = (bundle: Bundle, key: string): string | undefined => {
  const value = bundle.inputData[key]
  if (value === undefined || value === null) return undefined
  const trimmed = String(value).trim()
  return trimmed === "" ? undefined : trimmed
}

/** A required input, or a clear error naming the field, before any request is sent. */
export const required = (z: ZObject, bundle: Bundle, key: string, label: string = key): string => {
  const value = text(bundle, key)
  return value === undefined ? invalid(z, `${label} is required.`) : value
}

/** A list input: Zapier sends line items as arrays, users often type comma-separated text. */
export const list = (bundle: Bundle, key: string): Array<string> => {
  const value = bundle.inputData[key]
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : String(value).split(",")
  return items.map((item) => String(item).trim()).filter((item) => item !== "")
}

/** An ISO-8601 date input, or a clear error naming the field. */
export const isoDate = (z: ZObject, bundle: Bundle, key: string, label: string = key): string | undefined => {
  const value = text(bundle, key)
  if (value === undefined) return undefined
  const at = new Date(value)
  return Number.isNaN(at.getTime()) ? invalid(z, `${label} is not a date: '${value}'.`) : at.toISOString()
}

const byKey = <T extends { readonly key: string }>(items: ReadonlyArray<T>): Record<string, T> =>
  Object.fromEntries(items.map((item) => [item.key, item]))

/**
 * A whole app definition from lists of operations, keyed as Zapier requires (`key` equals the
 * object key). `cleanInputData` drops empty inputs, so an empty optional field is never sent.
 */
export const app = (spec: {
  readonly version: string
  readonly platformVersion: string
  readonly authentication: object
  readonly triggers: ReadonlyArray<{ readonly key: string }>
  readonly creates: ReadonlyArray<{ readonly key: string }>
  readonly searches: ReadonlyArray<{ readonly key: string }>
  /** Find-or-create pairs: the search key, the create key and the label. */
  readonly searchOrCreates: ReadonlyArray<{
    readonly search: string
    readonly create: string
    readonly label: string
    readonly description: string
  }>
}) => ({
  version: spec.version,
  platformVersion: spec.platformVersion,
  authentication: spec.authentication,
  flags: { cleanInputData: true },
  triggers: byKey(spec.triggers),
  creates: byKey(spec.creates),
  searches: byKey(spec.searches),
  searchOrCreates: Object.fromEntries(
    spec.searchOrCreates.map((pair) => [
      pair.search,
      {
        key: pair.search,
        display: { label: pair.label, description: pair.description },
        search: pair.search,
        create: pair.create,
      },
    ]),
  ),
})

/** Refuses bad input with a message naming the field, before any request is sent. */
export const invalid = (z: ZObject, message: string): never => {
  throw new z.errors.Error(message, "Validation", 400)
}

/** A trimmed environment variable (Zapier's `env:set`), `undefined` when unset or blank. */
export const env = (name: string): string | undefined => {
  const value = process.env[name]
  return value === undefined || value.trim() === "" ? undefined : value.trim()
}

/** A value the OAuth redirect or the stored connection must carry. */
export const authValue = (z: ZObject, value: unknown, name: string): string =>
  typeof value === "string" && value !== "" ? value : invalid(z, `Missing ${name}.`)

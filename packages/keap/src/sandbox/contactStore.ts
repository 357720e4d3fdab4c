import type { SandboxClock } from "@crmkit/sandbox/clock"
import { VirtualCollection } from "@crmkit/sandbox/collection"
import { isoString, SEED_TAGS, type SeedPerson, seededNumberFromEmail, seedPerson } from "@crmkit/sandbox/seed"

/** Keap REST v2 contact shape (the subset the sandbox models; other writable fields are stored as sent). */
export interface KeapContact {
  readonly id: string
  readonly given_name?: string
  readonly family_name?: string
  readonly email_addresses: readonly KeapEmailAddress[]
  readonly phone_numbers: readonly KeapPhoneNumber[]
  readonly addresses: readonly KeapAddress[]
  readonly tag_ids: readonly string[]
  readonly custom_fields: readonly KeapCustomFieldValue[]
  readonly create_time: string
  readonly update_time: string
  readonly [field: string]: unknown
}

export interface KeapEmailAddress {
  readonly email: string
  readonly field: string
  readonly [field: string]: unknown
}

export interface KeapPhoneNumber {
  readonly number: string
  readonly field: string
  readonly [field: string]: unknown
}

export interface KeapAddress {
  readonly field: string
  readonly [field: string]: unknown
}

export interface KeapCustomFieldValue {
  readonly id: string
  readonly content: unknown
}

/** Seeded tags become Keap tag ids 100, 101, ... in the order of SEED_TAGS. */
export const KEAP_TAG_IDS: Readonly<Record<string, string>> = Object.fromEntries(
  SEED_TAGS.map((tag, i) => [tag, String(100 + i)]),
)

/** The two custom fields seeded contacts carry. */
export const KEAP_CUSTOM_FIELDS = { favoriteColor: "7", leadScore: "9" } as const

/** A contact custom field's metadata, as the contact model lists it. */
export interface KeapCustomField {
  readonly id: string
  readonly label: string
  readonly field_name: string
  readonly field_type: string
  readonly record_type: "CONTACT"
  readonly [field: string]: unknown
}

const SEEDED_CUSTOM_FIELDS: ReadonlyArray<KeapCustomField> = [
  {
    id: KEAP_CUSTOM_FIELDS.favoriteColor,
    label: "Favorite color",
    field_name: "favoriteColor",
    field_type: "TEXT",
    record_type: "CONTACT",
  },
  {
    id: KEAP_CUSTOM_FIELDS.leadScore,
    label: "Lead score",
    field_name: "leadScore",
    field_type: "WHOLE_NUMBER",
    record_type: "CONTACT",
  },
]

/** Email statuses a person may be mailed at (Keap's "marketable" ones). */
export const MARKETABLE_EMAIL_STATUSES: ReadonlySet<string> = new Set([
  "UNENGAGED_MARKETABLE",
  "SINGLE_OPT_IN",
  "DOUBLE_OPT_IN",
  "CONFIRMED",
])
/** The statuses an opt-in may lift (Keap documents these for the status update; others stay as they are). */
const OPT_IN_LIFTS: ReadonlySet<string> = new Set([
  "UNENGAGED_MARKETABLE",
  "UNENGAGED_NON_MARKETABLE",
  "NON_MARKETABLE",
  "MANUAL",
])

export function toKeapContact(person: SeedPerson): KeapContact {
  return {
    id: String(person.number),
    given_name: person.firstName,
    family_name: person.lastName,
    email_addresses: [{ email: person.email, field: "EMAIL1" }],
    phone_numbers: [{ number: person.phone, field: "PHONE1", type: "Mobile" }],
    addresses: [
      {
        line1: person.streetAddress,
        locality: person.city,
        region: person.state,
        postal_code: person.postalCode,
        country_code: "USA",
        field: "BILLING",
      },
    ],
    tag_ids: person.tags.map((tag) => KEAP_TAG_IDS[tag] as string),
    custom_fields: [
      { id: KEAP_CUSTOM_FIELDS.favoriteColor, content: person.favoriteColor },
      { id: KEAP_CUSTOM_FIELDS.leadScore, content: person.leadScore },
    ],
    create_time: isoString(person.createdAt),
    update_time: isoString(person.updatedAt),
  }
}

export function primaryEmail(contact: KeapContact): string | undefined {
  return (
    contact.email_addresses.find((address) => address.field === "EMAIL1")?.email ?? contact.email_addresses[0]?.email
  )
}

const emailKey = (email: string) => `email:${email.toLowerCase()}`

/** Writable contact fields, validated (see validation.ts). */
export type KeapContactFields = Readonly<Record<string, unknown>>

export interface StoredContact {
  readonly index: number
  readonly contact: KeapContact
}

/**
 * Keap contacts of the sandbox tenant. Contact id = index + 1 (Keap ids are sequential integers),
 * so id lookups are O(1) and id order is index order.
 */
export class KeapContactStore {
  readonly collection: VirtualCollection<KeapContact>
  readonly #clock: SandboxClock
  /** Called after every create, update and delete (REST hooks listen here). */
  onChange: ((event: "add" | "edit" | "delete", id: string) => void) | undefined
  /** The contact model's custom fields by id: the seeded two, then those created through the model. */
  readonly customFields = new Map<string, KeapCustomField>(SEEDED_CUSTOM_FIELDS.map((f) => [f.id, f]))
  #nextCustomFieldId = 100
  /**
   * Opt-in status per email address (lower case), kept by address as Keap does: every contact
   * with the address shows it on its `email_addresses` entry. Addresses nobody set have none.
   */
  readonly #emailStatuses = new Map<string, string>()

  constructor(seed: number, seededCount: number, clock: SandboxClock) {
    this.#clock = clock
    this.collection = new VirtualCollection<KeapContact>({
      seededCount,
      generate: (index) => toKeapContact(seedPerson(seed, index)),
      lookupKeys: (contact) => contact.email_addresses.map((address) => emailKey(address.email)),
      seededIndexForKey: (key) => {
        const number = key.startsWith("email:") ? seededNumberFromEmail(key.slice("email:".length)) : undefined
        return number === undefined ? undefined : number - 1
      },
    })
  }

  /** Resolves a contact id ("42") to the live record, if any. */
  find(id: string): StoredContact | undefined {
    if (!/^[1-9]\d{0,15}$/.test(id)) return undefined
    const index = Number(id) - 1
    const contact = this.collection.get(index)
    return contact === undefined ? undefined : { index, contact }
  }

  at(index: number): KeapContact {
    return this.collection.get(index) as KeapContact
  }

  /** Live contacts having this email address (case-insensitive) in any slot. */
  findByEmail(email: string): StoredContact[] {
    return this.collection.findByKey(emailKey(email)).map((index) => ({ index, contact: this.at(index) }))
  }

  isCustomField(id: string): boolean {
    return this.customFields.has(id)
  }

  createCustomField(fields: { readonly label: string; readonly field_type: string }): KeapCustomField {
    const id = String(this.#nextCustomFieldId++)
    const field: KeapCustomField = {
      ...fields,
      id,
      field_name: `custom${id}`,
      record_type: "CONTACT",
    }
    this.customFields.set(id, field)
    return field
  }

  emailStatus(email: string): string | undefined {
    return this.#emailStatuses.get(email.toLowerCase())
  }

  /**
   * Opts an address in (when its status allows) or out (`MANUAL`), and shows the status on every
   * contact holding it. Returns the address's status.
   */
  setEmailOptIn(email: string, optedIn: boolean): string {
    const key = email.toLowerCase()
    const current = this.#emailStatuses.get(key)
    const status = optedIn ? (current === undefined || OPT_IN_LIFTS.has(current) ? "SINGLE_OPT_IN" : current) : "MANUAL"
    if (status !== current) {
      this.#emailStatuses.set(key, status)
      for (const found of this.findByEmail(key))
        this.update(found.index, { email_addresses: found.contact.email_addresses })
    }
    return status
  }

  /** Addresses as stored: an `opt_in_reason` opts the address in; the status is the address's. */
  #withStatuses(addresses: unknown): ReadonlyArray<KeapEmailAddress> {
    if (!Array.isArray(addresses)) return []
    return addresses.map((entry: Record<string, unknown>): KeapEmailAddress => {
      const { opt_in_reason, is_opt_in: _shown, email_opt_status: _status, ...rest } = entry
      const key = typeof rest.email === "string" ? rest.email.toLowerCase() : ""
      if (typeof opt_in_reason === "string" && opt_in_reason !== "") {
        const current = this.#emailStatuses.get(key)
        if (current === undefined || OPT_IN_LIFTS.has(current)) this.#emailStatuses.set(key, "SINGLE_OPT_IN")
      }
      const status = this.#emailStatuses.get(key)
      const address = rest as KeapEmailAddress
      return status === undefined
        ? address
        : { ...address, email_opt_status: status, is_opt_in: MARKETABLE_EMAIL_STATUSES.has(status) }
    })
  }

  create(fields: KeapContactFields): StoredContact {
    const now = new Date(this.#clock.now()).toISOString()
    const { index, record } = this.collection.insert((index) => ({
      email_addresses: [],
      phone_numbers: [],
      addresses: [],
      tag_ids: [],
      custom_fields: [],
      ...fields,
      ...(fields.email_addresses === undefined ? {} : { email_addresses: this.#withStatuses(fields.email_addresses) }),
      id: String(index + 1),
      create_time: now,
      update_time: now,
    }))
    this.onChange?.("add", record.id)
    return { index, contact: record }
  }

  /**
   * Applies fields to a contact. With a mask, only masked fields change and a masked field missing
   * from `fields` is cleared (AIP-134 semantics); without one, every given field is replaced.
   */
  update(index: number, fields: KeapContactFields, mask?: readonly string[]): KeapContact {
    const current = this.at(index)
    const next: Record<string, unknown> = { ...current }
    for (const name of mask ?? Object.keys(fields)) {
      if (name in fields) next[name] = fields[name]
      else if (Array.isArray(current[name])) next[name] = []
      else delete next[name]
    }
    if (Array.isArray(next.email_addresses)) next.email_addresses = this.#withStatuses(next.email_addresses)
    const updated = {
      ...next,
      id: current.id,
      create_time: current.create_time,
      update_time: new Date(this.#clock.now()).toISOString(),
    } as KeapContact
    this.collection.update(index, updated)
    this.onChange?.("edit", updated.id)
    return updated
  }

  delete(index: number): boolean {
    const id = this.collection.get(index)?.id
    const deleted = this.collection.delete(index)
    if (deleted && id !== undefined) this.onChange?.("delete", id)
    return deleted
  }
}

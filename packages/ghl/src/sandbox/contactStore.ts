import type { SandboxClock } from "@crmkit/sandbox/clock"
import { VirtualCollection } from "@crmkit/sandbox/collection"
import {
  ALPHANUMERIC,
  hash32,
  isoString,
  Rng,
  type SeedPerson,
  seededCreatedAt,
  seededNumberFromEmail,
  seedPerson,
} from "@crmkit/sandbox/seed"
import { GhlIdCodec } from "./ids.ts"

/** GHL contact shape (the fields of GetContectByIdSchema the sandbox models). */
export interface GhlContact {
  readonly id: string
  readonly locationId: string
  readonly firstName?: string | null
  readonly lastName?: string | null
  readonly name?: string | null
  readonly email?: string | null
  readonly phone?: string | null
  readonly tags: readonly string[]
  readonly dateAdded: string
  readonly dateUpdated: string
  readonly customFields: readonly GhlCustomFieldValue[]
  readonly source?: string | null
  readonly [field: string]: unknown
}

export interface GhlCustomFieldValue {
  readonly id: string
  readonly value: unknown
}

export interface StoredGhlContact {
  readonly index: number
  readonly contact: GhlContact
}

/** Ids of the two custom fields seeded contacts carry (deterministic per seed). */
export function ghlCustomFieldIds(seed: number): { favoriteColor: string; leadScore: string } {
  const rng = new Rng(hash32(seed, 0xcf))
  return { favoriteColor: rng.string(20, ALPHANUMERIC), leadScore: rng.string(20, ALPHANUMERIC) }
}

export function fullName(firstName: unknown, lastName: unknown): string | null {
  const name = [firstName, lastName].filter((part) => typeof part === "string" && part.length > 0).join(" ")
  return name.length > 0 ? name : null
}

const emailKey = (email: string) => `email:${email.toLowerCase()}`

/**
 * Contacts of the sandbox location. `dateAdded` strictly increases with the index (new contacts get
 * max(now, last + 1 ms)), so "dateAdded ascending" is index order and needs no sorting.
 */
export class GhlContactStore {
  readonly collection: VirtualCollection<GhlContact>
  readonly ids: GhlIdCodec
  readonly customFieldIds: { favoriteColor: string; leadScore: string }
  readonly #clock: SandboxClock
  readonly #locationId: string
  #lastCreatedAt: number
  /**
   * The location's "Allow Duplicate Contact" setting: when false (GHL's default), creating a
   * contact whose email another contact has is refused with the existing contact's id.
   */
  allowDuplicateContact = false

  constructor(seed: number, seededCount: number, locationId: string, clock: SandboxClock) {
    this.#clock = clock
    this.#locationId = locationId
    this.ids = new GhlIdCodec(seed)
    this.customFieldIds = ghlCustomFieldIds(seed)
    this.#lastCreatedAt = seededCount > 0 ? seededCreatedAt(seed, seededCount - 1) : 0
    this.collection = new VirtualCollection<GhlContact>({
      seededCount,
      generate: (index) => this.#fromSeed(seedPerson(seed, index), index),
      lookupKeys: (contact) =>
        typeof contact.email === "string" && contact.email !== "" ? [emailKey(contact.email)] : [],
      seededIndexForKey: (key) => {
        const number = key.startsWith("email:") ? seededNumberFromEmail(key.slice("email:".length)) : undefined
        return number === undefined ? undefined : number - 1
      },
    })
  }

  get locationId(): string {
    return this.#locationId
  }

  find(id: string): StoredGhlContact | undefined {
    const index = this.ids.decode(id)
    if (index === undefined) return undefined
    const contact = this.collection.get(index)
    return contact === undefined ? undefined : { index, contact }
  }

  at(index: number): GhlContact {
    return this.collection.get(index) as GhlContact
  }

  findByEmail(email: string): StoredGhlContact[] {
    return this.collection.findByKey(emailKey(email)).map((index) => ({ index, contact: this.at(index) }))
  }

  /** Phone lookups are rare (upsert without email): a scan, cached per phone until the next write. */
  findByPhone(phone: string): StoredGhlContact[] {
    const view = this.collection.query({ cacheKey: `phone==${phone}`, where: (contact) => contact.phone === phone })
    const found: StoredGhlContact[] = []
    for (let position = 0; position < view.length; position++) {
      const index = view.at(position)
      found.push({ index, contact: this.at(index) })
    }
    return found
  }

  create(fields: Readonly<Record<string, unknown>>): StoredGhlContact {
    const createdAt = Math.max(this.#clock.now(), this.#lastCreatedAt + 1)
    this.#lastCreatedAt = createdAt
    const timestamp = new Date(createdAt).toISOString()
    const { index, record } = this.collection.insert((index) => {
      const contact: Record<string, unknown> = { tags: [], customFields: [], ...fields }
      return {
        ...contact,
        id: this.ids.encode(index),
        locationId: this.#locationId,
        name: fullName(contact.firstName, contact.lastName),
        email: typeof contact.email === "string" ? contact.email.toLowerCase() : (contact.email ?? null),
        dateAdded: timestamp,
        dateUpdated: timestamp,
      } as GhlContact
    })
    return { index, contact: record }
  }

  /**
   * Replaces the given fields; custom fields are merged by id and do-not-disturb settings by
   * channel (GHL updates only the fields sent).
   */
  update(index: number, fields: Readonly<Record<string, unknown>>): GhlContact {
    const current = this.at(index)
    const next: Record<string, unknown> = { ...current, ...fields }
    if (Array.isArray(fields.customFields)) {
      const merged = new Map(current.customFields.map((field) => [field.id, field.value]))
      for (const field of fields.customFields as GhlCustomFieldValue[]) merged.set(field.id, field.value)
      next.customFields = [...merged].map(([id, value]) => ({ id, value }))
    }
    const dnd = fields.dndSettings
    if (
      typeof dnd === "object" &&
      dnd !== null &&
      typeof current.dndSettings === "object" &&
      current.dndSettings !== null
    )
      next.dndSettings = { ...(current.dndSettings as Record<string, unknown>), ...(dnd as Record<string, unknown>) }
    if (typeof next.email === "string") next.email = next.email.toLowerCase()
    const updated = {
      ...next,
      id: current.id,
      locationId: current.locationId,
      dateAdded: current.dateAdded,
      name: fullName(next.firstName, next.lastName),
      dateUpdated: new Date(this.#clock.now()).toISOString(),
    } as GhlContact
    this.collection.update(index, updated)
    return updated
  }

  delete(index: number): boolean {
    return this.collection.delete(index)
  }

  #fromSeed(person: SeedPerson, index: number): GhlContact {
    return {
      id: this.ids.encode(index),
      locationId: this.#locationId,
      firstName: person.firstName,
      lastName: person.lastName,
      name: `${person.firstName} ${person.lastName}`,
      email: person.email,
      phone: person.phone,
      tags: person.tags,
      dateAdded: isoString(person.createdAt),
      dateUpdated: isoString(person.updatedAt),
      customFields: [
        { id: this.customFieldIds.favoriteColor, value: person.favoriteColor },
        { id: this.customFieldIds.leadScore, value: person.leadScore },
      ],
      source: person.source,
      type: "lead",
      dnd: false,
      address1: person.streetAddress,
      city: person.city,
      state: person.stateCode,
      postalCode: person.postalCode,
      country: "US",
    }
  }
}

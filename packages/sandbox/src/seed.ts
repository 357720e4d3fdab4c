/**
 * Deterministic seeded data.
 *
 * Records are never generated up front: record #i is a pure function of (seed, i), so a sandbox
 * configured with a million contacts costs no memory until a record is changed (changes live in an
 * overlay, see collection.ts). Each record gets its own small PRNG seeded from hash(seed, i), which
 * gives O(1) random access.
 */

/** One murmur3-style mixing step; folds the high bits too, so values above 2^32 still matter. */
function mix(hash: number, part: number): number {
  let h = Math.imul(hash ^ (part >>> 0), 0x85ebca6b) ^ Math.floor(part / 0x1_0000_0000)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/**
 * Mixes up to four integers into a well-distributed 32-bit unsigned hash. Fixed arity on purpose:
 * it runs several times per generated record, and rest parameters would allocate.
 */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  return mix(mix(mix(mix(0x9e3779b9, a), b), c), d) >>> 0
}

/** FNV-1a hash of a string, used to derive per-purpose seeds and short query fingerprints. */
export function hashString(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32: a tiny, fast, seedable PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  const rng = new Rng(seed)
  return () => rng.float()
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0"))
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"))

/**
 * `new Date(ms).toISOString()` for years 1970-9999, several times faster: scanning a million
 * virtual records formats two million timestamps. (Civil-from-days algorithm by Howard Hinnant.)
 */
export function isoString(ms: number): string {
  const days = Math.floor(ms / 86_400_000)
  let rest = ms - days * 86_400_000
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const dayOfEra = z - era * 146_097
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  )
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  const hours = Math.floor(rest / 3_600_000)
  rest -= hours * 3_600_000
  const minutes = Math.floor(rest / 60_000)
  rest -= minutes * 60_000
  const seconds = Math.floor(rest / 1000)
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`
}

export const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
export const HEX = "0123456789abcdef"

/** mulberry32 as a class (a field and a method are faster than a closure when millions are created). */
export class Rng {
  #state: number

  constructor(seed: number) {
    this.#state = seed >>> 0
  }

  float(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.float() * maxExclusive)
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  chance(probability: number): boolean {
    return this.float() < probability
  }

  string(length: number, alphabet: string = ALPHANUMERIC): string {
    let out = ""
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)]
    return out
  }

  /** RFC 4122-shaped v4 UUID (deterministic, so only for fake identifiers). */
  uuid(): string {
    const h = this.string(32, HEX)
    const variant = HEX[8 + this.int(4)]
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
  }
}

const FIRST_NAMES: readonly string[] = (
  "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard " +
  "Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty " +
  "Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua " +
  "Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Aisha Mateo " +
  "Priya Hiroshi Fatima Lukas Sofia Chen Amara Diego"
).split(" ")

const LAST_NAMES: readonly string[] = (
  "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez " +
  "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris " +
  "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill " +
  "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Okafor Kowalski " +
  "Yamamoto Haddad Novak Petrov Silva Kaur Schmidt Dubois"
).split(" ")

const FIRST_NAMES_LOWER = FIRST_NAMES.map((name) => name.toLowerCase())
const LAST_NAMES_LOWER = LAST_NAMES.map((name) => name.toLowerCase())

const PLACES = [
  { city: "Chandler", state: "Arizona", stateCode: "AZ", postalCode: "85224", areaCode: "480" },
  { city: "Phoenix", state: "Arizona", stateCode: "AZ", postalCode: "85004", areaCode: "602" },
  { city: "Austin", state: "Texas", stateCode: "TX", postalCode: "78701", areaCode: "512" },
  { city: "Denver", state: "Colorado", stateCode: "CO", postalCode: "80202", areaCode: "303" },
  { city: "Portland", state: "Oregon", stateCode: "OR", postalCode: "97205", areaCode: "503" },
  { city: "Raleigh", state: "North Carolina", stateCode: "NC", postalCode: "27601", areaCode: "919" },
  { city: "Madison", state: "Wisconsin", stateCode: "WI", postalCode: "53703", areaCode: "608" },
  { city: "Tampa", state: "Florida", stateCode: "FL", postalCode: "33602", areaCode: "813" },
] as const

const STREETS: readonly string[] = "Main St|Oak Ave|Maple Dr|Cedar Ln|Park Blvd|1st St N|Elm St|Lakeview Rd".split("|")

/** Tag vocabulary shared by both providers (Keap maps these to numeric tag ids). */
export const SEED_TAGS = [
  "customer",
  "lead",
  "newsletter",
  "vip",
  "webinar-2024",
  "trial",
  "partner",
  "churned",
] as const

export const FAVORITE_COLORS = ["Red", "Blue", "Green", "Purple", "Orange", "Teal"] as const

export const SOURCES = ["website form", "public api", "referral", "facebook ad", "import", "webinar"] as const

/** Seeded contacts are created from 2019-01-01T00:00:00Z onwards... */
export const SEED_EPOCH_MS = Date.UTC(2019, 0, 1)
/** ...one every 30 seconds (plus jitter below the step), so creation time strictly increases with the index. */
export const SEED_STEP_MS = 30_000

/** Provider-neutral seeded person; each provider maps it to its own contact shape. */
export interface SeedPerson {
  /** 1-based number of the record (index + 1): used for Keap ids and in the email address. */
  readonly number: number
  readonly firstName: string
  readonly lastName: string
  readonly email: string
  /** E.164, in the fictional 555-01xx range. */
  readonly phone: string
  readonly createdAt: number
  readonly updatedAt: number
  readonly tags: readonly string[]
  readonly favoriteColor: string
  readonly leadScore: number
  readonly streetAddress: string
  readonly city: string
  readonly state: string
  readonly stateCode: string
  readonly postalCode: string
  readonly source: string
}

/**
 * Creation time of seeded record #index. Strictly increasing in the index (jitter < step), which lets
 * keyset pagination locate a `startAfter` timestamp by binary search instead of scanning.
 */
export function seededCreatedAt(seed: number, index: number): number {
  return SEED_EPOCH_MS + index * SEED_STEP_MS + (hash32(seed, index, 0x7a11) % (SEED_STEP_MS - 1_000))
}

/** Generates seeded person #index for the given seed. Pure: same inputs, same person. */
export function seedPerson(seed: number, index: number): SeedPerson {
  const rng = new Rng(hash32(seed, index))
  const number = index + 1
  const first = rng.int(FIRST_NAMES.length)
  const last = rng.int(LAST_NAMES.length)
  const place = rng.pick(PLACES)
  const createdAt = seededCreatedAt(seed, index)
  // Most records were edited at some point in the year after creation; some never were.
  const updatedAt = rng.chance(0.3) ? createdAt : createdAt + rng.int(365 * 86_400_000)
  const tags: string[] = []
  for (const tag of SEED_TAGS) if (rng.chance(0.2)) tags.push(tag)
  return {
    number,
    firstName: FIRST_NAMES[first] as string,
    lastName: LAST_NAMES[last] as string,
    email: `${FIRST_NAMES_LOWER[first]}.${LAST_NAMES_LOWER[last]}${number}@example.com`,
    phone: `+1${place.areaCode}55501${String(rng.int(100)).padStart(2, "0")}`,
    createdAt,
    updatedAt,
    tags,
    favoriteColor: rng.pick(FAVORITE_COLORS),
    leadScore: rng.int(101),
    streetAddress: `${100 + rng.int(9900)} ${rng.pick(STREETS)}`,
    city: place.city,
    state: place.state,
    stateCode: place.stateCode,
    postalCode: place.postalCode,
    source: rng.pick(SOURCES),
  }
}

/**
 * Recovers the record number from a seeded email (`first.last{number}@example.com`), so a lookup by
 * email finds a seeded record in O(1). Callers must still compare the full address.
 */
export function seededNumberFromEmail(email: string): number | undefined {
  const match = /^[a-z]+\.[a-z]+(\d+)@example\.com$/.exec(email)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

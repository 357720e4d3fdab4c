/**
 * A small provider-neutral model of CRM records (contact, note, task, opportunity,
 * company), the normalisation every provider's mapper applies on the way in and out
 * (emails, phones in E.164, countries in ISO 3166 alpha-2, dates in ISO 8601), and the
 * `RecordMapper` a runtime may carry: list each entity in the common model, find a
 * contact by identity, create and update each entity from the common model, and the
 * lookups a mapping between two CRMs needs.
 *
 * A value that cannot be normalised is never sent broken: the record is listed as
 * `Skipped` with the field and the value, and the caller reports it.
 */
import type { Effect, Stream } from "effect"
import { parsePhoneNumberFromString } from "libphonenumber-js"
import type { CrmError } from "./CrmError.ts"

export interface Address {
  readonly line1?: string | undefined
  readonly line2?: string | undefined
  readonly city?: string | undefined
  readonly region?: string | undefined
  readonly postalCode?: string | undefined
  /** ISO 3166-1 alpha-2 (`US`). */
  readonly country?: string | undefined
}

export type FieldValue = string | number | boolean | null

/** Channels a contact may have consented to, or opted out of, being contacted on. */
export const OPT_IN_CHANNELS = ["email", "sms", "call"] as const
export type OptInChannel = (typeof OPT_IN_CHANNELS)[number]

/**
 * Marketing consent per channel: `true` may be contacted (Keap: a marketable email status; GHL:
 * do-not-disturb inactive), `false` opted out (Keap: an opt-out status; GHL: do-not-disturb
 * active); a channel the CRM says nothing about is absent.
 */
export type OptIn = Readonly<Partial<Record<OptInChannel, boolean>>>

export interface Contact {
  /** The record's id in its own CRM. */
  readonly id: string
  readonly givenName?: string | undefined
  readonly familyName?: string | undefined
  /** Lower-cased and trimmed; the first is the primary address. */
  readonly emails: ReadonlyArray<string>
  /** E.164; the first is the primary number. */
  readonly phones: ReadonlyArray<string>
  readonly addresses: ReadonlyArray<Address>
  readonly companyName?: string | undefined
  /** The company record the contact belongs to, by its id in the same CRM (GHL: business; Keap: company). */
  readonly companyId?: string | undefined
  /** Tag names (not ids). */
  readonly tags: ReadonlyArray<string>
  /** Custom field values by the field's name in its CRM. */
  readonly customFields: Readonly<Record<string, FieldValue>>
  /** The owner (assigned user), by email. */
  readonly ownerEmail?: string | undefined
  /** Consent per channel, where the CRM exposes it; absent when it states none. */
  readonly optIn?: OptIn | undefined
  /** The id of the record this one was copied from, when a migration marked it (see `RecordMapper`). */
  readonly sourceId?: string | undefined
  /** ISO 8601. */
  readonly updatedAt?: string | undefined
}

export interface Note {
  readonly id: string
  /** The contact's id in the same CRM. */
  readonly contactId: string
  readonly title?: string | undefined
  readonly body: string
  readonly updatedAt?: string | undefined
}

export interface Task {
  readonly id: string
  readonly contactId: string
  readonly title: string
  readonly body?: string | undefined
  /** ISO 8601. */
  readonly dueDate?: string | undefined
  readonly completed: boolean
  readonly ownerEmail?: string | undefined
  readonly updatedAt?: string | undefined
}

export type OpportunityStatus = "open" | "won" | "lost" | "abandoned"

export interface Opportunity {
  readonly id: string
  readonly contactId: string
  readonly name: string
  readonly value?: number | undefined
  readonly status: OpportunityStatus
  /** Pipeline and stage by name. */
  readonly pipeline: string
  readonly stage: string
  readonly ownerEmail?: string | undefined
  readonly updatedAt?: string | undefined
}

export interface Company {
  readonly id: string
  readonly name: string
  readonly email?: string | undefined
  readonly phone?: string | undefined
  readonly website?: string | undefined
  readonly address?: Address | undefined
  readonly updatedAt?: string | undefined
}

export type Entity = "contact" | "note" | "task" | "opportunity" | "company"

/** A value that could not be normalised. */
export interface Problem {
  readonly field: string
  readonly value: string
  readonly message: string
}

/** A record as listed: normalised, or skipped with the reasons. */
export type Listed<A> =
  | { readonly _tag: "Ok"; readonly record: A }
  | {
      readonly _tag: "Skipped"
      readonly entity: Entity
      readonly id: string
      readonly problems: ReadonlyArray<Problem>
    }

export const ok = <A>(record: A): Listed<A> => ({ _tag: "Ok", record })

/**
 * Custom field types both sides can name: each mapper translates them to and from its CRM's
 * own (`dataType`). A mapping asking to create a target field names one of these.
 */
export const FIELD_TYPES = [
  "text",
  "large-text",
  "number",
  "decimal",
  "money",
  "date",
  "phone",
  "email",
  "url",
] as const
export type FieldType = (typeof FIELD_TYPES)[number]

export interface CustomFieldDefinition {
  readonly id: string
  readonly name: string
  /** The CRM's own type name (`NUMERICAL`, `WHOLE_NUMBER`, ...). */
  readonly dataType?: string | undefined
  /** The common type, when the CRM's has one. */
  readonly type?: FieldType | undefined
}

/** A custom field to create: its name and common type. */
export interface NewCustomField {
  readonly name: string
  readonly type: FieldType
}

export interface Named {
  readonly id: string
  readonly name: string
}

export interface User {
  readonly id: string
  readonly email: string
  readonly name?: string | undefined
}

export interface Pipeline {
  readonly id: string
  readonly name: string
  readonly stages: ReadonlyArray<Named>
}

/** What a mapping between two CRMs needs to know of each. */
export interface Lookups {
  readonly customFields: ReadonlyArray<CustomFieldDefinition>
  readonly tags: ReadonlyArray<Named>
  readonly users: ReadonlyArray<User>
  readonly pipelines: ReadonlyArray<Pipeline>
  /** Whether the CRM accepts two contacts with the same email or phone (GHL's "Allow Duplicate Contact"). */
  readonly allowDuplicateContacts: boolean
  /** How many emails and phones a contact holds (GHL: one each); more are reported, not sent. */
  readonly contactSlots: { readonly emails: number; readonly phones: number }
  /** The consent channels a contact holds (Keap: email; GHL: email, sms, call); absent: none. */
  readonly optInChannels?: ReadonlyArray<OptInChannel> | undefined
  /** Whether a contact links to a company record (`Contact.companyId`); otherwise only the name is carried. */
  readonly companyLinks?: boolean | undefined
  /** Whether a contact holds a company name of its own (GHL); false: only through its company record (Keap). */
  readonly companyNames?: boolean | undefined
  /**
   * The record kinds besides contacts the CRM holds; absent: all of them. A migration reads none of
   * a kind its source lacks, and reports those of a kind its target lacks as skipped.
   */
  readonly holds?: ReadonlyArray<HeldKind> | undefined
}

/** Record kinds besides contacts a CRM may or may not hold (`Lookups.holds`). */
export type HeldKind = "company" | "note" | "task" | "opportunity"

export interface ListOptions {
  /** Only records updated at or after this ISO 8601 time, where the CRM can filter on it. */
  readonly updatedSince?: string | undefined
}

/**
 * The common model of one CRM. Custom fields are named in the CRM's own words and tags
 * by name; the mapper resolves them against `lookups` (load once, pass to each call).
 * Writes return the record as the CRM now holds it.
 */
export interface RecordMapper<R> {
  readonly lookups: () => Effect.Effect<Lookups, CrmError, R>
  readonly contacts: (lookups: Lookups, options?: ListOptions) => Stream.Stream<Listed<Contact>, CrmError, R>
  readonly getContact: (id: string, lookups: Lookups) => Effect.Effect<Listed<Contact> | undefined, CrmError, R>
  /** Contacts the CRM holds with this email or phone (its own duplicate search). */
  readonly findContacts: (
    identity: { readonly email?: string | undefined; readonly phone?: string | undefined },
    lookups: Lookups,
  ) => Effect.Effect<ReadonlyArray<Contact>, CrmError, R>
  /**
   * Creates a contact; `sourceId` is written as a marker the mapper reads back (`Contact.sourceId`).
   * `companyId` links it to that company record where the CRM can; `optIn` sets the channels it holds.
   */
  readonly createContact: (contact: Contact, lookups: Lookups) => Effect.Effect<Contact, CrmError, R>
  /** Replaces the given fields (tags and custom fields are set to the given ones). */
  readonly updateContact: (id: string, contact: Contact, lookups: Lookups) => Effect.Effect<Contact, CrmError, R>

  readonly notes: (lookups: Lookups, options?: ListOptions) => Stream.Stream<Listed<Note>, CrmError, R>
  readonly notesOf: (contactId: string) => Effect.Effect<ReadonlyArray<Note>, CrmError, R>
  readonly createNote: (note: Note, lookups: Lookups) => Effect.Effect<Note, CrmError, R>
  readonly updateNote: (id: string, note: Note, lookups: Lookups) => Effect.Effect<Note, CrmError, R>

  readonly tasks: (lookups: Lookups, options?: ListOptions) => Stream.Stream<Listed<Task>, CrmError, R>
  readonly tasksOf: (contactId: string, lookups: Lookups) => Effect.Effect<ReadonlyArray<Task>, CrmError, R>
  readonly createTask: (task: Task, lookups: Lookups) => Effect.Effect<Task, CrmError, R>
  readonly updateTask: (id: string, task: Task, lookups: Lookups) => Effect.Effect<Task, CrmError, R>

  readonly opportunities: (lookups: Lookups, options?: ListOptions) => Stream.Stream<Listed<Opportunity>, CrmError, R>
  readonly createOpportunity: (opportunity: Opportunity, lookups: Lookups) => Effect.Effect<Opportunity, CrmError, R>
  readonly updateOpportunity: (
    id: string,
    opportunity: Opportunity,
    lookups: Lookups,
  ) => Effect.Effect<Opportunity, CrmError, R>

  readonly companies: (lookups: Lookups, options?: ListOptions) => Stream.Stream<Listed<Company>, CrmError, R>
  readonly createCompany: (company: Company, lookups: Lookups) => Effect.Effect<Company, CrmError, R>
  readonly updateCompany: (id: string, company: Company, lookups: Lookups) => Effect.Effect<Company, CrmError, R>

  /**
   * Creates a contact custom field (a mapping asked for it) and returns its definition; absent
   * when the CRM cannot. The caller adds it to the lookups it passes on.
   */
  readonly createCustomField?: (
    field: NewCustomField,
    lookups: Lookups,
  ) => Effect.Effect<CustomFieldDefinition, CrmError, R>
}

// --- Normalisation ------------------------------------------------------------------------

export type Normalised<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly problem: Problem }

const good = <A>(value: A): Normalised<A> => ({ ok: true, value })
const bad = (field: string, value: string, message: string): Normalised<never> => ({
  ok: false,
  problem: { field, value, message },
})

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Lower-cased and trimmed, or a problem when it is not an address. */
export const email = (value: string, field = "email"): Normalised<string> => {
  const text = value.trim().toLowerCase()
  return EMAIL.test(text) ? good(text) : bad(field, value, "not an email address")
}

/**
 * E.164 (`+14155550100`), read in `defaultCountry` (alpha-2) when it has no country code;
 * a problem when it is not a valid number there.
 */
export const phone = (value: string, defaultCountry = "US", field = "phone"): Normalised<string> => {
  const parsed = parsePhoneNumberFromString(value.trim(), defaultCountry.toUpperCase() as never)
  return parsed?.isValid()
    ? good(parsed.number)
    : bad(field, value, `not a valid phone number (read in ${defaultCountry})`)
}

// ISO 3166-1: alpha-2 followed by alpha-3, for every officially assigned code.
const ISO_3166 =
  "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW AXALA AZAZE BABIH BBBRB BDBGD " +
  "BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN BOBOL BQBES BRBRA BSBHS BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN " +
  "CCCCK CDCOD CFCAF CGCOG CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE DEDEU " +
  "DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB " +
  "GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG " +
  "HMHMD HNHND HRHRV HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM JOJOR JPJPN " +
  "KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU " +
  "LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE MFMAF MGMDG MHMHL MKMKD MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR " +
  "MTMLT MUMUS MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL NRNRU NUNIU NZNZL " +
  "OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB " +
  "RURUS RWRWA SASAU SBSLB SCSYC SDSDN SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD STSTP " +
  "SVSLV SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON TRTUR TTTTO TVTUV TWTWN " +
  "TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF " +
  "ZMZMB ZWZWE XKXKX"

const alpha2To3 = new Map<string, string>()
const alpha3To2 = new Map<string, string>()
for (const pair of ISO_3166.split(" ")) {
  alpha2To3.set(pair.slice(0, 2), pair.slice(2))
  alpha3To2.set(pair.slice(2), pair.slice(0, 2))
}
// Names people type where a code belongs.
const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  "UNITED STATES": "US",
  "UNITED STATES OF AMERICA": "US",
  USA: "US",
  "UNITED KINGDOM": "GB",
  UK: "GB",
  CANADA: "CA",
  AUSTRALIA: "AU",
  GERMANY: "DE",
  FRANCE: "FR",
}

/** ISO 3166-1 alpha-2 from an alpha-2 or alpha-3 code (or a common name), or a problem. */
export const country = (value: string, field = "country"): Normalised<string> => {
  const text = value.trim().toUpperCase()
  if (text.length === 2 && alpha2To3.has(text)) return good(text)
  if (text.length === 3 && alpha3To2.has(text)) return good(alpha3To2.get(text) as string)
  const named = COUNTRY_NAMES[text]
  return named === undefined ? bad(field, value, "not an ISO 3166 country code") : good(named)
}

/** ISO 3166-1 alpha-3 of an alpha-2 code (what Keap wants), or undefined. */
export const alpha3 = (alpha2: string): string | undefined => alpha2To3.get(alpha2.toUpperCase())

/** ISO 8601 (UTC) from a date string or epoch milliseconds, or a problem. */
export const date = (value: string | number, field = "date"): Normalised<string> => {
  const time = typeof value === "number" ? value : Date.parse(value)
  return Number.isFinite(time) ? good(new Date(time).toISOString()) : bad(field, String(value), "not a date")
}

/**
 * Collects normalisation results: `take` returns the value or records the problem, and
 * `listed` gives `Ok` or `Skipped` at the end.
 */
export const collector = (entity: Entity, id: string) => {
  const problems: Array<Problem> = []
  return {
    take: <A>(result: Normalised<A>): A | undefined => {
      if (result.ok) return result.value
      problems.push(result.problem)
      return undefined
    },
    listed: <A>(record: A): Listed<A> =>
      problems.length === 0 ? ok(record) : { _tag: "Skipped", entity, id, problems },
  }
}

/** Trimmed text, or undefined when empty. */
export const text = (value: unknown): string | undefined => {
  if (typeof value !== "string" && typeof value !== "number") return undefined
  const t = String(value).trim()
  return t === "" ? undefined : t
}

/** The marker tag a migration writes into a target that has no better place for the source id. */
export const SOURCE_MARKER_PREFIX = "crmkit-source:"

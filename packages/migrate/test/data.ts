/** Test data in the Keap sandbox, made through Keap's API: duplicates, bad phones, notes, tasks, opportunities. */
import { Contacts, Notes, Opportunities, Tasks } from "@crmkit/keap"
import { Effect } from "effect"
import type { Engine } from "../src/index.ts"

export interface Made {
  /** Source contacts sharing an email (after normalisation) with an earlier one. */
  readonly emailDuplicates: number
  /** Source contacts without email sharing a phone with an earlier one. */
  readonly phoneDuplicates: number
  readonly badPhones: number
  /** Every note, those below included. */
  readonly notes: number
  /** Pairs of notes with the same title and text on one contact: no content hash tells the two apart. */
  readonly repeatedNotePairs: number
  /** Notes on email duplicates: they land on the contact the duplicate merges into. */
  readonly notesOnDuplicates: number
  readonly tasks: number
  readonly opportunities: number
}

const rng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

/**
 * On top of `seeded` seeded contacts (ids 1..seeded): `emailDuplicates` contacts repeating a seeded
 * email in other case and with spaces, `phonePairs` pairs of email-less contacts sharing a phone,
 * `badPhones` contacts whose phone is no number, and notes, tasks and opportunities on random contacts;
 * then, optionally, `repeatedNotePairs` pairs of identical notes on one contact each, and one note on
 * each of the first `notesOnDuplicates` email duplicates.
 * `concurrency` requests at once (default 1); the data does not depend on it, only the ids that
 * Keap gives the contacts made here do.
 */
export const makeKeapData = (
  keap: Engine.Side,
  seeded: number,
  counts: {
    emailDuplicates: number
    phonePairs: number
    badPhones: number
    notes: number
    tasks: number
    opportunities: number
    repeatedNotePairs?: number
    notesOnDuplicates?: number
  },
  options: { readonly concurrency?: number } = {},
): Promise<Made> =>
  Effect.runPromise(
    Effect.provideContext(
      Effect.gen(function* () {
        const random = rng(seeded)
        const pick = () => 1 + Math.floor(random() * seeded)
        // Random picks drawn up front, in a fixed order, so that the data is the same at any concurrency.
        const picks = (n: number) => Array.from({ length: n }, pick)
        const each = <A>(items: ReadonlyArray<A>, make: (item: A, i: number) => Effect.Effect<unknown, unknown, any>) =>
          Effect.forEach(items, make, { concurrency: options.concurrency ?? 1, discard: true })
        const range = (n: number) => Array.from({ length: n }, (_, i) => i)
        const emailDuplicates: Array<string> = []
        yield* each(picks(counts.emailDuplicates), (original, i) =>
          Effect.gen(function* () {
            const contact = yield* Contacts.get(original)
            const email = (contact.email_addresses?.[0]?.email ?? "").toUpperCase()
            const made = yield* Contacts.create({
              given_name: "Dup",
              family_name: `Email${i}`,
              email_addresses: [{ email, field: "EMAIL1" }],
            } as never)
            emailDuplicates[i] = String(made.id)
          }),
        )
        // The first of a pair is made before the second: which one is the duplicate does not vary.
        for (const copy of [0, 1])
          yield* each(range(counts.phonePairs), (i) =>
            Contacts.create({
              given_name: "Dup",
              family_name: `Phone${i}-${copy}`,
              phone_numbers: [{ number: `+44 20 7946 ${String(100 + i).padStart(4, "0")}`, field: "PHONE1" }],
            } as never),
          )
        yield* each(range(counts.badPhones), (i) =>
          Contacts.create({
            given_name: "Bad",
            family_name: `Phone${i}`,
            email_addresses: [{ email: `bad.phone${i}@example.org`, field: "EMAIL1" }],
            phone_numbers: [{ number: i % 2 === 0 ? "12345" : "call me maybe", field: "PHONE1" }],
          } as never),
        )
        // Children only on seeded contacts, which all migrate.
        yield* each(picks(counts.notes), (contact, i) =>
          Notes.create(contact, { title: `Call ${i}`, text: `Spoke about plan ${i % 7}.`, user_id: "1" } as never),
        )
        yield* each(picks(counts.tasks), (contact, i) =>
          Tasks.create({
            title: `Follow up ${i}`,
            description: `Task ${i}`,
            contact_id: String(contact),
            assigned_to_user_id: "1",
            due_time: new Date(Date.UTC(2027, 0, 1 + (i % 28))).toISOString(),
          } as never),
        )
        yield* each(picks(counts.opportunities), (contact, i) =>
          Opportunities.create({
            opportunity_title: `Deal ${i}`,
            contact_id: String(contact),
            stage_id: String(1 + (i % 3)),
            projected_revenue_high: 100 * (i + 1),
          } as never),
        )
        const repeatedNotePairs = counts.repeatedNotePairs ?? 0
        const repeatedOn = picks(repeatedNotePairs)
        for (const _copy of [0, 1])
          yield* each(repeatedOn, (contact, i) =>
            Notes.create(contact, { title: `Voicemail ${i}`, text: "Left a voicemail.", user_id: "1" } as never),
          )
        const notesOnDuplicates = Math.min(counts.notesOnDuplicates ?? 0, emailDuplicates.length)
        yield* each(emailDuplicates.slice(0, notesOnDuplicates), (contact, i) =>
          Notes.create(Number(contact), { title: `Duplicate ${i}`, text: "Wrote in twice.", user_id: "1" } as never),
        )
        return {
          emailDuplicates: counts.emailDuplicates,
          phoneDuplicates: counts.phonePairs,
          badPhones: counts.badPhones,
          notes: counts.notes + 2 * repeatedNotePairs + notesOnDuplicates,
          repeatedNotePairs,
          notesOnDuplicates,
          tasks: counts.tasks,
          opportunities: counts.opportunities,
        }
      }),
      keap.services,
    ),
  )

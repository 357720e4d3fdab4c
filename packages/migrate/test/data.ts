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
  readonly notes: number
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
 * `badPhones` contacts whose phone is no number, and notes, tasks and opportunities on random contacts.
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
  },
): Promise<Made> =>
  Effect.runPromise(
    Effect.provideContext(
      Effect.gen(function* () {
        const random = rng(seeded)
        const pick = () => 1 + Math.floor(random() * seeded)
        for (let i = 0; i < counts.emailDuplicates; i++) {
          const original = yield* Contacts.get(pick())
          const email = (original.email_addresses?.[0]?.email ?? "").toUpperCase()
          yield* Contacts.create({
            given_name: "Dup",
            family_name: `Email${i}`,
            email_addresses: [{ email, field: "EMAIL1" }],
          } as never)
        }
        for (let i = 0; i < counts.phonePairs; i++) {
          for (const copy of [0, 1]) {
            yield* Contacts.create({
              given_name: "Dup",
              family_name: `Phone${i}-${copy}`,
              phone_numbers: [{ number: `+44 20 7946 ${String(100 + i).padStart(4, "0")}`, field: "PHONE1" }],
            } as never)
          }
        }
        for (let i = 0; i < counts.badPhones; i++) {
          yield* Contacts.create({
            given_name: "Bad",
            family_name: `Phone${i}`,
            email_addresses: [{ email: `bad.phone${i}@example.org`, field: "EMAIL1" }],
            phone_numbers: [{ number: i % 2 === 0 ? "12345" : "call me maybe", field: "PHONE1" }],
          } as never)
        }
        // Children only on seeded contacts, which all migrate.
        for (let i = 0; i < counts.notes; i++) {
          yield* Notes.create(pick(), { title: `Call ${i}`, text: `Spoke about plan ${i % 7}.`, user_id: "1" } as never)
        }
        for (let i = 0; i < counts.tasks; i++) {
          yield* Tasks.create({
            title: `Follow up ${i}`,
            description: `Task ${i}`,
            contact_id: String(pick()),
            assigned_to_user_id: "1",
            due_time: new Date(Date.UTC(2027, 0, 1 + (i % 28))).toISOString(),
          } as never)
        }
        for (let i = 0; i < counts.opportunities; i++) {
          yield* Opportunities.create({
            opportunity_title: `Deal ${i}`,
            contact_id: String(pick()),
            stage_id: String(1 + (i % 3)),
            projected_revenue_high: 100 * (i + 1),
          } as never)
        }
        return {
          emailDuplicates: counts.emailDuplicates,
          phoneDuplicates: counts.phonePairs,
          badPhones: counts.badPhones,
          notes: counts.notes,
          tasks: counts.tasks,
          opportunities: counts.opportunities,
        }
      }),
      keap.services,
    ),
  )

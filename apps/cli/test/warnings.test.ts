/** What `crmkit auth status` warns about, from the saved profile alone (no request). */

import { connector as ghl } from "@crmkit/ghl/connector"
import { connector as keap } from "@crmkit/keap/connector"
import { describe, expect, it } from "vitest"
import { oauthKind } from "../src/Connections.ts"
import { warningsFor } from "../src/commands/auth.ts"
import type { Profile } from "../src/Profiles.ts"

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString()
const tokens = { accessToken: "x", refreshToken: "y" } as never

const profile = (fields: Partial<Profile>): Profile =>
  ({ name: "default", provider: "ghl", kind: "oauth2", storeKey: "k", createdAt: daysAgo(1), ...fields }) as Profile

describe("auth status warnings", () => {
  it("names the default scopes a GHL token was not granted", () => {
    const warnings = warningsFor(ghl, profile({ scopes: ["contacts.readonly", "contacts.write"] }), tokens)
    expect(warnings.join(";")).toMatch(/not granted opportunities\.readonly, opportunities\.write, locations\.readonly/)
    expect(warningsFor(ghl, profile({ scopes: [...(oauthKind(ghl)?.oauth?.defaultScopes ?? [])] }), tokens)).toEqual([])
  })

  it("warns before GHL deletes an unused key and before a Keap refresh token lapses", () => {
    const pit = profile({ kind: "pit", lastUsedAt: daysAgo(80) })
    expect(warningsFor(ghl, pit, tokens).join(";")).toMatch(
      /not used for 80 days: HighLevel deletes keys unused for 90/,
    )
    const oauth = profile({ provider: "keap", lastUsedAt: daysAgo(40) })
    expect(warningsFor(keap, oauth, tokens).join(";")).toMatch(/refresh token may expire after 45 days/)
    const noRefresh = warningsFor(keap, profile({ provider: "keap" }), { accessToken: "x" } as never)
    expect(noRefresh.join(";")).toMatch(/no refresh token/)
  })
})

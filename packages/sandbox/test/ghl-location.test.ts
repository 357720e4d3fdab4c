import { describe, expect, it } from "vitest"
import { pitHeaders, readJson, useSandbox } from "./support.ts"

describe("GHL location", () => {
  const sandbox = useSandbox()

  it("GET /locations/:locationId answers the token's location and refuses others", async () => {
    const s = sandbox()
    const own = await fetch(`${s.ghl.baseUrl}/locations/${s.credentials.ghl.locationId}`, { headers: pitHeaders(s) })
    expect(own.status).toBe(200)
    expect((await readJson(own)).location).toMatchObject({
      id: s.credentials.ghl.locationId,
      companyId: s.credentials.ghl.companyId,
      name: "Sandbox Location",
    })
    const other = await fetch(`${s.ghl.baseUrl}/locations/someoneElsesLocation0`, { headers: pitHeaders(s) })
    expect(other.status).toBe(403)
  })
})

/** The Keap node's dropdowns, loaded live from the sandbox through the shared session. */

import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { hostContext } from "@crmkit/n8n-shared/testing"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import type { ILoadOptionsFunctions } from "n8n-workflow"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Keap } from "../src/nodes/Keap/Keap.node.ts"
import { KeapTrigger } from "../src/nodes/KeapTrigger/KeapTrigger.node.ts"

const loadOptions = new Keap().methods.loadOptions as Record<
  string,
  (this: ILoadOptionsFunctions) => Promise<Array<{ name: string; value: unknown }>>
>

let sandbox: SandboxServer
beforeAll(async () => {
  sandbox = await startSandbox({ simulators: { keap: keapSimulator({ contacts: 5 }) } })
})
afterAll(() => sandbox.close())

const context = () =>
  hostContext({
    parameters: {},
    credentialType: "crmkitKeapApi",
    credentials: {
      keyType: "pat",
      apiKey: sandbox.credentials.keap.personalAccessToken,
      baseUrl: sandbox.keap.baseUrl,
    },
    authHeaders: { "X-Keap-API-Key": sandbox.credentials.keap.personalAccessToken },
  }) as unknown as ILoadOptionsFunctions

describe("Keap dropdowns", () => {
  it("has a dropdown for each list the actions' fields name", () => {
    expect(Object.keys(loadOptions).length).toBeGreaterThan(1)
  })

  for (const method of Object.keys(loadOptions)) {
    it(`${method} lists named options`, async () => {
      const options = await loadOptions[method]!.call(context())
      expect(options.length, method).toBeGreaterThan(0)
      for (const option of options) expect(option).toMatchObject({ name: expect.any(String), value: expect.anything() })
    })
  }

  it("the trigger's event list comes from Keap's event keys", async () => {
    const events = await new KeapTrigger().methods.loadOptions.getEvents.call(context())
    expect(events).toContainEqual({ name: "Contact Add", value: "contact.add", description: "contact.add" })
  })
})

/** The HighLevel node's dropdowns, loaded live from the sandbox through the shared session. */

import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { hostContext } from "@crmkit/n8n-shared/testing"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import type { ILoadOptionsFunctions } from "n8n-workflow"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HighLevel } from "../src/nodes/HighLevel/HighLevel.node.ts"

const loadOptions = new HighLevel().methods.loadOptions as Record<
  string,
  (this: ILoadOptionsFunctions) => Promise<Array<{ name: string; value: unknown }>>
>

let sandbox: SandboxServer
beforeAll(async () => {
  sandbox = await startSandbox({ simulators: { ghl: ghlSimulator({ contacts: 5 }) } })
  // The location starts without tags: make one.
  const created = await fetch(`${sandbox.ghl.baseUrl}/locations/${sandbox.credentials.ghl.locationId}/tags`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${sandbox.credentials.ghl.privateIntegrationToken}`,
      Version: "2021-07-28",
      "content-type": "application/json",
    },
    body: JSON.stringify({ name: "vip" }),
  })
  expect(created.status).toBeLessThan(300)
})
afterAll(() => sandbox.close())

const load = (method: string, parameters: Record<string, unknown> = {}) =>
  loadOptions[method]!.call(
    hostContext({
      parameters,
      credentialType: "crmkitHighLevelApi",
      credentials: {
        token: sandbox.credentials.ghl.privateIntegrationToken,
        locationId: sandbox.credentials.ghl.locationId,
        baseUrl: sandbox.ghl.baseUrl,
      },
      authHeaders: { Authorization: `Bearer ${sandbox.credentials.ghl.privateIntegrationToken}` },
    }) as unknown as ILoadOptionsFunctions,
  )

describe("HighLevel dropdowns", () => {
  for (const method of Object.keys(loadOptions)) {
    it(`${method} lists named options`, async () => {
      const options = await load(method)
      expect(options.length, method).toBeGreaterThan(0)
      for (const option of options) expect(option).toMatchObject({ name: expect.any(String), value: expect.anything() })
    })
  }

  it("the stage dropdown lists only the chosen pipeline's stages", async () => {
    const [pipelines, stages] = ["choicesPipelinesListPipelinesIdName", "choicesPipelinesListStagesIdName"]
    expect(Object.keys(loadOptions)).toEqual(expect.arrayContaining([pipelines, stages]))
    const all = await load(stages!)
    const one = await load(stages!, { pipelineId: (await load(pipelines!))[0]?.value })
    expect(one.length).toBeGreaterThan(0)
    expect(one.length).toBeLessThanOrEqual(all.length)
  })
})

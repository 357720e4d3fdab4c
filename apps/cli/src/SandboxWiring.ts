/**
 * The embedded sandbox's credential for each simulator. Temporary: the simulators move
 * into their provider packages and describe this themselves.
 */
import type { SandboxServer } from "@crmkit/sandbox"
import * as Redacted from "effect/Redacted"

export interface SandboxConnection {
  readonly baseUrl: string
  readonly kind: string
  readonly secret: Redacted.Redacted<string>
  readonly context: Readonly<Record<string, string>>
}

export const connection = (provider: string, server: SandboxServer): SandboxConnection =>
  provider === "keap"
    ? {
        baseUrl: server.keap.baseUrl,
        kind: "pat",
        secret: Redacted.make(server.credentials.keap.personalAccessToken),
        context: {},
      }
    : {
        baseUrl: server.ghl.baseUrl,
        kind: "pit",
        secret: Redacted.make(server.credentials.ghl.privateIntegrationToken),
        context: { locationId: server.credentials.ghl.locationId },
      }

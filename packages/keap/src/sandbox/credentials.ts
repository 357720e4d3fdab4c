import { ALPHANUMERIC, hash32, Rng } from "@crmkit/sandbox/seed"

/** Fake Keap credentials the sandbox accepts. Deterministic per seed, so they can be printed and reused. */
export interface KeapCredentials {
  readonly oauthApp: {
    readonly clientId: string
    readonly clientSecret: string
    /** Registered redirect URI; loopback URIs (http://127.0.0.1:PORT/...) are accepted too. */
    readonly redirectUri: string
  }
  /** Personal Access Token, sent as `X-Keap-API-Key`. */
  readonly personalAccessToken: string
  /** Service Account Key, sent as `X-Keap-API-Key`. */
  readonly serviceAccountKey: string
}

export function keapCredentials(seed: number): KeapCredentials {
  const rng = new Rng(hash32(seed, 0x6b656170))
  return {
    oauthApp: {
      clientId: rng.string(48, ALPHANUMERIC),
      clientSecret: rng.string(32, ALPHANUMERIC),
      redirectUri: "https://app.example.com/oauth/keap/callback",
    },
    personalAccessToken: `KeapAK-${rng.string(48, ALPHANUMERIC)}`,
    serviceAccountKey: `KeapAK-${rng.string(48, ALPHANUMERIC)}`,
  }
}

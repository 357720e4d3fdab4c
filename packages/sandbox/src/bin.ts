#!/usr/bin/env node
/**
 * crmkit-sandbox: runs the sandbox until SIGINT/SIGTERM.
 *
 *   crmkit-sandbox --port 4010 --seed 42 --contacts 500 [--keap-contacts N] [--ghl-contacts N]
 *                  [--no-rate-limits] [--latency 50] [--retry-after] [--json]
 *
 * The credentials it prints are fake, sandbox-only values.
 */
import { parseArgs } from "node:util"
import { startSandbox } from "./Sandbox.ts"

const USAGE = `Usage: crmkit-sandbox [options]
  --port <n>            TCP port on 127.0.0.1 (default 0 = any free port)
  --seed <n>            data and credential seed (default 42)
  --contacts <n>        seeded contacts per provider (default 250)
  --keap-contacts <n>   seeded Keap contacts (overrides --contacts)
  --ghl-contacts <n>    seeded GHL contacts (overrides --contacts)
  --no-rate-limits      never answer 429 (headers still report usage)
  --latency <ms>        delay added to every provider request
  --retry-after         send Retry-After on 429 responses
  --json                print the URLs and credentials as one JSON line
  -h, --help            show this help`

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new Error(`--${name} expects a non-negative integer, got "${value}"`)
  return Number(value)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      seed: { type: "string" },
      contacts: { type: "string" },
      "keap-contacts": { type: "string" },
      "ghl-contacts": { type: "string" },
      "rate-limits": { type: "boolean", default: true },
      latency: { type: "string" },
      "retry-after": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowNegative: true,
    strict: true,
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const contacts = integer(values.contacts, "contacts")
  const sandbox = await startSandbox({
    port: integer(values.port, "port"),
    seed: integer(values.seed, "seed"),
    contacts: {
      keap: integer(values["keap-contacts"], "keap-contacts") ?? contacts,
      ghl: integer(values["ghl-contacts"], "ghl-contacts") ?? contacts,
    },
    rateLimits: values["rate-limits"],
    latencyMs: integer(values.latency, "latency"),
    retryAfterHeader: values["retry-after"],
  })

  const { keap, ghl } = sandbox.credentials
  if (values.json) {
    const summary = {
      url: sandbox.url,
      keap: { baseUrl: sandbox.keap.baseUrl, tokenUrl: sandbox.keap.tokenUrl, authorizeUrl: sandbox.keap.authorizeUrl },
      ghl: {
        baseUrl: sandbox.ghl.baseUrl,
        tokenUrl: sandbox.ghl.tokenUrl,
        locationTokenUrl: sandbox.ghl.locationTokenUrl,
        authorizeUrl: sandbox.ghl.authorizeUrl,
      },
      credentials: sandbox.credentials,
    }
    process.stdout.write(`${JSON.stringify(summary)}\n`)
  } else {
    process.stdout.write(
      [
        `crmkit sandbox listening on ${sandbox.url} (seed ${sandbox.seed}; fake, sandbox-only credentials)`,
        "",
        "Keap",
        `  API base URL          ${sandbox.keap.baseUrl}   (v1: /v1/contacts, v2: /v2/contacts)`,
        `  token URL             ${sandbox.keap.tokenUrl}`,
        `  authorize URL         ${sandbox.keap.authorizeUrl}`,
        `  OAuth client id       ${keap.oauthApp.clientId}`,
        `  OAuth client secret   ${keap.oauthApp.clientSecret}`,
        `  OAuth redirect URI    ${keap.oauthApp.redirectUri} (or any http://127.0.0.1 loopback URI)`,
        `  PAT (X-Keap-API-Key)  ${keap.personalAccessToken}`,
        `  SAK (X-Keap-API-Key)  ${keap.serviceAccountKey}`,
        "",
        "GoHighLevel",
        `  API base URL          ${sandbox.ghl.baseUrl}   (send Version: 2021-07-28)`,
        `  token URL             ${sandbox.ghl.tokenUrl}`,
        `  authorize URL         ${sandbox.ghl.authorizeUrl}`,
        `  OAuth client id       ${ghl.oauthApp.clientId}`,
        `  OAuth client secret   ${ghl.oauthApp.clientSecret}`,
        `  OAuth redirect URI    ${ghl.oauthApp.redirectUri} (or any http://127.0.0.1 loopback URI)`,
        `  company id            ${ghl.companyId}`,
        `  location id           ${ghl.locationId}`,
        `  PIT (contacts r/w)    ${ghl.privateIntegrationToken}`,
        `  PIT (read-only)       ${ghl.readOnlyPrivateIntegrationToken}`,
        `  legacy v1 API key     ${ghl.legacyApiKey} (refused by design)`,
        "",
        `Admin: ${sandbox.url}/__sandbox/stats, POST|DELETE ${sandbox.url}/__sandbox/faults, POST ${sandbox.url}/__sandbox/clock`,
        "Press Ctrl+C to stop.",
        "",
      ].join("\n"),
    )
  }

  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nreceived ${signal}, stopping\n`)
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`failed to stop cleanly: ${String(error)}\n`)
        process.exit(1)
      },
    )
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`crmkit-sandbox: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`)
  process.exit(2)
})

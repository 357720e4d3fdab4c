/** Runs the built `crmkit` binary as a subprocess, as users and scripts do. */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import type { SandboxServer } from "@crmkit/sandbox"

export const bin = path.join(import.meta.dirname, "..", "dist", "crmkit.mjs")
// No test reads the developer's own saved credentials.
const emptyConfig = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-config-"))

const environment = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  CRMKIT_CONFIG_DIR: emptyConfig,
  ...env,
})

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const crmkit = (args: ReadonlyArray<string>, env: Record<string, string> = {}, input?: string): Run => {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    ...(input === undefined ? {} : { input }),
    env: environment(env),
    timeout: 60_000,
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** A running Node process (a crmkit entry and its arguments); `done` resolves when it exits. */
export const nodeProcess = (argv: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, argv, { env: environment(env) })
  const done = new Promise<Run>((resolve, reject) => {
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })
  return { child, done }
}

/** A running crmkit process, for tests that signal it; `done` resolves when it exits. */
export const crmkitProcess = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  nodeProcess([bin, ...args], env)

/** Without blocking this process: for a sandbox the test itself serves. */
export const crmkitAsync = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Run> =>
  crmkitProcess(args, env).done

export interface SandboxSummary {
  readonly url: string
  readonly seed: number
  readonly simulators: Readonly<
    Record<
      string,
      {
        readonly title: string
        readonly endpoints: Readonly<Record<string, string>>
        readonly connection: {
          readonly baseUrl: string
          readonly credential: { readonly kind: string; readonly secret: string }
        }
        readonly credentials: Readonly<Record<string, unknown>>
      }
    >
  >
}

/** `crmkit sandbox --port 0 --json` as a child process: the sandbox as a user starts it. */
export const sandboxProcess = (children: Array<ReturnType<typeof spawn>>, args: ReadonlyArray<string> = []) =>
  new Promise<SandboxSummary>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "sandbox", "--port", "0", "--json", ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    })
    children.push(child)
    let out = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk
      if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0]!) as SandboxSummary)
    })
    child.on("exit", (code) => reject(new Error(`sandbox exited ${code}`)))
  })

/** The sandbox in its own process, with Keap's base URL and Personal Access Token. */
export const sandboxServer = async (children: Array<ReturnType<typeof spawn>>, args: ReadonlyArray<string> = []) => {
  const summary = await sandboxProcess(children, args)
  const keap = summary.simulators.keap!
  return { url: summary.url, baseUrl: keap.connection.baseUrl, apiKey: keap.connection.credential.secret, summary }
}

/**
 * `crmkit auth login <provider>` against the sandbox, the "browser" following the consent
 * redirect to the CLI's loopback callback. Resolves once the login exited.
 */
export const loginWith = async (
  children: Array<ReturnType<typeof spawn>>,
  login: {
    readonly provider: "keap" | "ghl"
    readonly baseUrl: string
    readonly authorizeUrl: string
    readonly tokenUrl: string
    readonly clientId: string
    /** What the person picks on the consent page (the GHL sandbox: `user_type=Company` for agency level). */
    readonly consent?: Readonly<Record<string, string>> | undefined
  },
  env: Record<string, string>,
  extraArgs: ReadonlyArray<string> = [],
) => {
  const child = spawn(
    process.execPath,
    [
      bin,
      "--base-url",
      login.baseUrl,
      "auth",
      "login",
      login.provider,
      "--client-id",
      login.clientId,
      "--port",
      "0",
      "--authorize-url",
      login.authorizeUrl,
      "--token-url",
      login.tokenUrl,
      ...extraArgs,
    ],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  )
  children.push(child)
  let stderr = ""
  const consentUrl = await new Promise<string>((resolve) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk
      const url = /(http:\/\/\S+\/oauth\/\w+\?\S+)/.exec(stderr)?.[1]
      if (url) resolve(url)
    })
  })
  const consent = new URL(consentUrl)
  for (const [name, value] of Object.entries(login.consent ?? {})) consent.searchParams.set(name, value)
  const page = await (await fetch(consent)).text()
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
  return { consentUrl, page, code, stderr }
}

export const loginKeap = (
  children: Array<ReturnType<typeof spawn>>,
  server: { readonly url: string; readonly baseUrl: string },
  env: Record<string, string>,
  clientId: string,
  extraArgs: ReadonlyArray<string> = [],
) =>
  loginWith(
    children,
    {
      provider: "keap",
      baseUrl: server.baseUrl,
      authorizeUrl: `${server.url}/keap/app/oauth/authorize`,
      tokenUrl: `${server.url}/keap/token`,
      clientId,
    },
    env,
    extraArgs,
  )

/** The environment that points both CRMs' clients at a sandbox the test serves. */
export const sandboxEnv = (sandbox: SandboxServer): Record<string, string> => ({
  KEAP_BASE_URL: sandbox.keap.baseUrl,
  KEAP_API_KEY: sandbox.credentials.keap.personalAccessToken,
  GHL_BASE_URL: sandbox.ghl.baseUrl,
  GHL_ACCESS_TOKEN: sandbox.credentials.ghl.privateIntegrationToken,
  GHL_LOCATION_ID: sandbox.credentials.ghl.locationId,
})

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

/** Polls `condition` (a child's output, a sandbox counter) until it holds; fails naming `what`. */
export const waitFor = async (what: string, condition: () => boolean, timeoutMs = 60_000) => {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

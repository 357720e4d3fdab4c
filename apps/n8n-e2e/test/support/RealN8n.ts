/**
 * A real n8n 2.x for end-to-end tests: the version scripts/ensure-n8n.sh installs, a fresh
 * user folder, and our packages installed the way users install community nodes (npm, under
 * `<user folder>/.n8n/nodes/node_modules`). Fails loudly when n8n or a built package is missing.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const repoRoot = resolve(import.meta.dirname, "../../../..")
export const N8N_VERSION = "2.41.1"

const n8nBin = (): string => {
  const bin = process.env.CRMKIT_N8N_BIN ?? join(repoRoot, `.cache/n8n-${N8N_VERSION}/node_modules/n8n/bin/n8n`)
  const ready = join(repoRoot, `.cache/n8n-${N8N_VERSION}/.ready`)
  if (!existsSync(bin) || (process.env.CRMKIT_N8N_BIN === undefined && !existsSync(ready))) {
    throw new Error(`n8n ${N8N_VERSION} is not installed at ${bin}: run scripts/ensure-n8n.sh (scripts/test.sh does)`)
  }
  return bin
}

export interface Workflow {
  readonly id: string
  readonly name: string
  readonly nodes: ReadonlyArray<Record<string, unknown>>
  readonly connections: Record<string, unknown>
  readonly active?: boolean
}

export interface Credential {
  readonly id: string
  readonly name: string
  readonly type: string
  readonly data: Record<string, unknown>
}

export interface NodeRun {
  readonly error?: { readonly message?: string } | undefined
  readonly data?: { readonly main: ReadonlyArray<ReadonlyArray<{ readonly json: Record<string, unknown> }>> }
}

export interface ExecutionResult {
  readonly status: string
  readonly runData: Readonly<Record<string, ReadonlyArray<NodeRun>>>
  /** The items a node output (first run, first output). */
  readonly items: (node: string) => ReadonlyArray<Record<string, unknown>>
}

/** The run data `--rawOutput` prints: a JSON object that may have log lines before and after it. */
const runJson = (out: string): unknown => {
  const start = out.search(/^\{$/m)
  if (start >= 0) {
    for (let end = out.lastIndexOf("\n}"); end > start; end = out.lastIndexOf("\n}", end - 1)) {
      try {
        return JSON.parse(out.slice(start, end + 2))
      } catch {
        // a log line after the JSON: try the previous closing brace
      }
    }
  }
  throw new Error(`n8n execute printed no run data:\n${out.slice(0, 4000)}`)
}

/** A port nothing listens on now (asked of the OS in a child, so that the constructor stays synchronous). */
const freePortSync = (): number =>
  Number(
    execFileSync(process.execPath, [
      "-e",
      "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })",
    ]).toString(),
  )

export class RealN8n {
  readonly userFolder: string
  readonly bin: string
  /** n8n starts a task broker on 5679 even with runners off: each instance gets its own port, so that
   * another n8n on the machine (or a test's leftover) cannot make this one exit. */
  readonly brokerPort = freePortSync()
  #server: ChildProcess | undefined
  #serverLog = ""

  constructor() {
    this.bin = n8nBin()
    this.userFolder = mkdtempSync(join(tmpdir(), "crmkit-n8n-"))
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      // vitest sets NODE_ENV=test, under which n8n prints no run data.
      NODE_ENV: "production",
      VITEST: undefined,
      VITEST_POOL_ID: undefined,
      VITEST_WORKER_ID: undefined,
      N8N_USER_FOLDER: this.userFolder,
      N8N_DIAGNOSTICS_ENABLED: "false",
      N8N_RUNNERS_ENABLED: "false",
      N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
      N8N_VERSION_NOTIFICATIONS_ENABLED: "false",
      N8N_PERSONALIZATION_ENABLED: "false",
      N8N_SECURE_COOKIE: "false",
      ...extra,
    }
  }

  /** Packs each package (as `pnpm publish` would) and npm-installs the tarballs into the nodes folder. */
  installPackages(packageDirs: ReadonlyArray<string>): void {
    const nodesDir = join(this.userFolder, ".n8n/nodes")
    mkdirSync(nodesDir, { recursive: true })
    writeFileSync(join(nodesDir, "package.json"), JSON.stringify({ name: "installed-nodes", private: true }))
    const tarballs = packageDirs.map((dir) => {
      if (!existsSync(join(dir, "dist"))) throw new Error(`${dir} is not built: run pnpm build first`)
      const out = execFileSync("pnpm", ["pack", "--pack-destination", this.userFolder], { cwd: dir, encoding: "utf8" })
      const tarball = out.trim().split("\n").pop() ?? ""
      return tarball.startsWith("/") ? tarball : join(this.userFolder, tarball)
    })
    // No network needed: the packages have no runtime dependencies and n8n provides n8n-workflow.
    execFileSync(
      "npm",
      ["install", "--omit=peer", "--offline", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs],
      {
        cwd: nodesDir,
        stdio: "pipe",
      },
    )
  }

  // Asynchronous on purpose: the sandbox answers from this very process.
  #run(args: ReadonlyArray<string>): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [this.bin, ...args], { env: this.env(), stdio: ["ignore", "pipe", "pipe"] })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk) => {
        stdout += String(chunk)
      })
      child.stderr.on("data", (chunk) => {
        stderr += String(chunk)
      })
      child.on("error", reject)
      child.on("close", (code) => {
        if (code === 0) resolvePromise(stdout)
        else
          reject(
            new Error(`n8n ${args.join(" ")} exited with ${code}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`),
          )
      })
    })
  }

  async importCredentials(credentials: ReadonlyArray<Credential>): Promise<void> {
    const file = join(this.userFolder, "credentials.json")
    writeFileSync(file, JSON.stringify(credentials))
    await this.#run(["import:credentials", `--input=${file}`])
  }

  async importWorkflows(workflows: ReadonlyArray<Workflow>): Promise<void> {
    const file = join(this.userFolder, "workflows.json")
    writeFileSync(file, JSON.stringify(workflows.map((w) => ({ active: false, settings: {}, pinData: {}, ...w }))))
    await this.#run(["import:workflow", `--input=${file}`])
  }

  async publish(workflowId: string): Promise<void> {
    await this.#run(["publish:workflow", `--id=${workflowId}`])
  }

  /** `n8n execute --id X --rawOutput`: runs the workflow from its Manual Trigger. */
  async execute(workflowId: string): Promise<ExecutionResult> {
    const out = await this.#run(["execute", `--id=${workflowId}`, "--rawOutput"])
    const run = runJson(out) as {
      status: string
      data: { resultData: { runData: Record<string, ReadonlyArray<NodeRun>> } }
    }
    const runData = run.data.resultData.runData
    return {
      status: run.status,
      runData,
      items: (node) => {
        const first = runData[node]?.[0]
        if (first === undefined) throw new Error(`node "${node}" did not run; ran: ${Object.keys(runData).join(", ")}`)
        if (first.error !== undefined) throw new Error(`node "${node}" failed: ${first.error.message}`)
        return (first.data?.main[0] ?? []).map((item) => item.json)
      },
    }
  }

  /** `n8n start` on a free port, resolved when its health endpoint answers. */
  async start(port: number): Promise<string> {
    const url = `http://127.0.0.1:${port}`
    this.#server = spawn(process.execPath, [this.bin, "start"], {
      env: this.env({ N8N_PORT: String(port), N8N_LISTEN_ADDRESS: "127.0.0.1", WEBHOOK_URL: `${url}/` }),
      stdio: ["ignore", "pipe", "pipe"],
    })
    this.#server.stdout?.on("data", (chunk) => {
      this.#serverLog += String(chunk)
    })
    this.#server.stderr?.on("data", (chunk) => {
      this.#serverLog += String(chunk)
    })
    const deadline = Date.now() + 180_000
    while (Date.now() < deadline) {
      if (this.#server.exitCode !== null) throw new Error(`n8n start exited:\n${this.#serverLog}`)
      try {
        const health = await fetch(`${url}/healthz/readiness`)
        if (health.ok && /activated|Editor is now accessible/i.test(this.#serverLog)) return url
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 500))
    }
    throw new Error(`n8n start did not become ready in 180 s:\n${this.#serverLog}`)
  }

  /**
   * Deactivates a workflow in the running n8n the way the editor does (owner account, then
   * the internal REST API): the CLI's `unpublish:workflow` only edits the database.
   */
  async deactivate(url: string, workflowId: string): Promise<void> {
    const headers = { "content-type": "application/json", "browser-id": "crmkit-e2e" }
    const setup = await fetch(`${url}/rest/owner/setup`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        email: "owner@example.org",
        firstName: "Test",
        lastName: "Owner",
        password: "Sandbox-only-1",
      }),
    })
    if (!setup.ok) throw new Error(`owner setup failed: ${setup.status} ${await setup.text()}`)
    const cookie = (setup.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
    const response = await fetch(`${url}/rest/workflows/${workflowId}/deactivate`, {
      method: "POST",
      headers: { ...headers, cookie },
      body: "{}",
    })
    if (!response.ok) throw new Error(`deactivate failed: ${response.status} ${await response.text()}`)
  }

  get serverLog(): string {
    return this.#serverLog
  }

  async stop(): Promise<void> {
    const server = this.#server
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r))
      server.kill("SIGTERM")
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))])
      if (server.exitCode === null) server.kill("SIGKILL")
    }
    this.#server = undefined
  }

  dispose(): void {
    rmSync(this.userFolder, { recursive: true, force: true })
  }
}

/**
 * `pnpm bench`: writes bench/results/latest.json and latest.md.
 *  1. Records per second against a sandbox enforcing Keap's OAuth windows and GHL's
 *     100-per-10-seconds window, as a ratio of the ceiling those windows allow, with 429s.
 *  2. Per-request overhead of the core's pipeline against a bare fetch loop, as a ratio.
 *  3. Peak RSS of a process streaming 100,000 and 1,000,000 records.
 *  4. CLI start-up; 5. the MCP server's tool list and per-call cost.
 *  6. A Keap -> HighLevel migration: records per second against the ceiling of the slower
 *     side's windows, and peak memory for 10,000 and 100,000 contacts (bench/migrate.ts).
 * `node bench/run.ts <section>...` (or `pnpm bench <section>...`) measures only those
 * sections and records them into the results, keeping the other sections' numbers.
 */
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Pagination, TokenStore } from "@crmkit/core"
import { GhlAuth, GhlClient } from "@crmkit/ghl"
import { connector as ghlConnector } from "@crmkit/ghl/connector"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { KeapAuth, KeapClient } from "@crmkit/keap"
import { connector as keapConnector } from "@crmkit/keap/connector"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { Audit, Policy, Tools } from "@crmkit/mcp"
import { startSandbox } from "@crmkit/sandbox"
import { Effect, Exit, Layer, Redacted, Scope, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { migrate, migrateMarkdown } from "./migrate.ts"
import { keapContactPages, unthrottledKeap } from "./support.ts"

const here = path.dirname(new URL(import.meta.url).pathname)
const log = (text: string) => process.stderr.write(`${text}\n`)

/** Fastest completion the windows allow for n requests: full windows back to back. */
const ceilingSeconds = (requests: number, limit: number, windowSeconds: number) =>
  (Math.ceil(requests / limit) - 1) * windowSeconds

async function throughput() {
  const sandbox = await startSandbox({
    simulators: { keap: keapSimulator({ contacts: 40_000 }), ghl: ghlSimulator({ contacts: 30_000 }) },
  })
  try {
    // Keap, OAuth: 25/s spike, 1,500/min, 150,000/day; pages of 100, one after another.
    const app: KeapAuth.OAuthApp = {
      clientId: sandbox.credentials.keap.oauthApp.clientId,
      clientSecret: Redacted.make(sandbox.credentials.keap.oauthApp.clientSecret),
      tokenUrl: sandbox.keap.tokenUrl,
    }
    const tokens = await Effect.runPromise(
      KeapAuth.exchangeCode(
        app,
        sandbox.keap.issueAuthorizationCode(),
        sandbox.credentials.keap.oauthApp.redirectUri,
      ).pipe(Effect.provide(FetchHttpClient.layer)),
    )
    const keapPages = 300
    sandbox.stats.reset()
    let started = performance.now()
    const keapRecords = await Effect.runPromise(
      KeapClient.KeapClient.use((keap) =>
        Pagination.items(keap, { method: "GET", path: "/v2/contacts" }, keapContactPages(100)).pipe(
          Stream.take(keapPages * 100),
          Stream.runCount,
        ),
      ).pipe(
        Effect.provide(
          KeapClient.layerWithMemoryRateLimits({ baseUrl: sandbox.keap.baseUrl }).pipe(
            Layer.provide(KeapAuth.layerOAuth(app)),
            Layer.provide(TokenStore.layerMemory({ [KeapAuth.storeKey(app.clientId)]: tokens })),
            Layer.provide(FetchHttpClient.layer),
          ),
        ),
      ),
    )
    const keapSeconds = (performance.now() - started) / 1000
    const keapRequests = sandbox.stats.route("GET /keap/crm/rest/v2/contacts")
    const keap429 = sandbox.stats.rateLimited
    const keapCeiling = ceilingSeconds(keapRequests, 25, 1)
    log(`keap: ${keapRecords} records, ${keapRequests} requests in ${keapSeconds.toFixed(2)} s, ${keap429} x 429`)

    // GHL, location PIT: 100 per 10 s; keyset pages of 100.
    const ghlPages = 250
    sandbox.stats.reset()
    started = performance.now()
    const ghlRecords = await Effect.runPromise(
      GhlClient.GhlClient.use((ghl) =>
        Pagination.items(
          ghl,
          { method: "GET", path: "/contacts/", query: { locationId: sandbox.credentials.ghl.locationId } },
          Pagination.keyset({
            items: "contacts",
            cursor: { "meta.startAfter": "startAfter", "meta.startAfterId": "startAfterId" },
            limitParam: "limit",
            limit: 100,
          }),
        ).pipe(Stream.take(ghlPages * 100), Stream.runCount),
      ).pipe(
        Effect.provide(
          GhlClient.layerWithMemoryRateLimits({ baseUrl: sandbox.ghl.baseUrl }).pipe(
            Layer.provide(
              GhlAuth.layerPrivateIntegrationToken(Redacted.make(sandbox.credentials.ghl.privateIntegrationToken)),
            ),
            Layer.provide(FetchHttpClient.layer),
          ),
        ),
      ),
    )
    const ghlSeconds = (performance.now() - started) / 1000
    const ghlRequests = sandbox.stats.route("GET /ghl/contacts/")
    const ghl429 = sandbox.stats.rateLimited
    const ghlCeiling = ceilingSeconds(ghlRequests, 100, 10)
    log(`ghl: ${ghlRecords} records, ${ghlRequests} requests in ${ghlSeconds.toFixed(2)} s, ${ghl429} x 429`)

    const row = (records: number, requests: number, seconds: number, ceiling: number, rateLimited: number) => ({
      records,
      requests,
      seconds: round(seconds),
      recordsPerSecond: round(records / seconds),
      ceilingRecordsPerSecond: round(records / ceiling),
      ratioOfCeiling: round(ceiling / seconds, 3),
      responses429: rateLimited,
    })
    return {
      keapOAuth: {
        windows: "25/s, 1,500/min, 150,000/day",
        ...row(keapRecords, keapRequests, keapSeconds, keapCeiling, keap429),
      },
      ghl: { windows: "100/10 s, 200,000/day", ...row(ghlRecords, ghlRequests, ghlSeconds, ghlCeiling, ghl429) },
    }
  } finally {
    await sandbox.close()
  }
}

/** Starts the sandbox in a process of its own, as a remote API would be, and reads its URLs and credentials. */
const sandboxProcess = (args: Array<string>) =>
  new Promise<{ info: any; stop: () => void }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(here, "..", "apps", "cli", "dist", "crmkit.mjs"), "sandbox", "--port", "0", "--json", ...args],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    )
    let out = ""
    child.stdout!.on("data", (d: Buffer) => {
      out += d
      const newline = out.indexOf("\n")
      if (newline >= 0) resolve({ info: JSON.parse(out.slice(0, newline)), stop: () => child.kill("SIGTERM") })
    })
    child.on("exit", (code) => reject(new Error(`sandbox exited ${code}`)))
  })

async function overhead() {
  const sandbox = await sandboxProcess(["--rate-limits=false", "--contacts", "1000"])
  try {
    const keap = sandbox.info.simulators.keap
    const baseUrl: string = keap.connection.baseUrl
    const apiKey: string = keap.credentials.personalAccessToken
    const url = (i: number) => `${baseUrl}/v2/contacts/${(i % 1000) + 1}`
    const bare = async (n: number) => {
      const t = performance.now()
      for (let i = 0; i < n; i++) {
        const res = await fetch(url(i), { headers: { "X-Keap-API-Key": apiKey, accept: "application/json" } })
        if (res.status !== 200) throw new Error(`bare fetch got ${res.status}`)
        await res.json()
      }
      return (performance.now() - t) / n
    }
    const layer = unthrottledKeap(baseUrl, apiKey)
    const core = (n: number) =>
      Effect.runPromise(
        KeapClient.KeapClient.use((keap) =>
          Effect.gen(function* () {
            const t = performance.now()
            for (let i = 0; i < n; i++) yield* keap.execute({ method: "GET", path: `/v2/contacts/${(i % 1000) + 1}` })
            return (performance.now() - t) / n
          }),
        ).pipe(Effect.provide(layer)),
      )
    await bare(500)
    await core(500)
    const bareRuns: Array<number> = []
    const coreRuns: Array<number> = []
    for (let round = 0; round < 9; round++) {
      bareRuns.push(await bare(500))
      coreRuns.push(await core(500))
    }
    const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const result = {
      requestsPerRun: 500,
      runs: 9,
      bareFetchMsPerRequest: round(median(bareRuns), 4),
      coreMsPerRequest: round(median(coreRuns), 4),
      ratio: round(median(coreRuns) / median(bareRuns), 3),
    }
    log(`overhead: bare ${result.bareFetchMsPerRequest} ms, core ${result.coreMsPerRequest} ms, ratio ${result.ratio}`)
    return result
  } finally {
    sandbox.stop()
  }
}

/**
 * The client streams in a process of its own (the sandbox serves from this one), bundled
 * with esbuild the way the CLI and the n8n and Zapier apps ship, so its RSS is the client's
 * alone. A bare fetch loop over the same pages runs beside it as the reference: Node's own
 * share of the RSS (its young generation, which V8 sizes from the machine's memory, and
 * malloc), which no client can go below.
 */
async function memory() {
  const pageSize = 1000
  const bundle = path.join(os.tmpdir(), `crmkit-stream-memory-${process.pid}.mjs`)
  execFileSync(
    path.join(here, "..", "node_modules", ".bin", "esbuild"),
    [
      path.join(here, "stream-memory.ts"),
      "--bundle",
      "--minify",
      "--platform=node",
      "--format=esm",
      `--outfile=${bundle}`,
      "--banner:js=import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      "--log-level=warning",
    ],
    { stdio: "inherit" },
  )
  const clients = [
    { client: "crmkit", script: bundle },
    { client: "bare fetch", script: path.join(here, "stream-memory-bare.ts") },
  ]
  const sandbox = await startSandbox({
    simulators: {
      keap: keapSimulator({ contacts: 1_000_000, rateLimits: false }),
      ghl: ghlSimulator({ contacts: 10, rateLimits: false }),
    },
  })
  try {
    const runs = []
    for (const flags of [[], ["--max-semi-space-size=2"]]) {
      for (const records of [100_000, 1_000_000]) {
        for (const { client, script } of clients) {
          const output = await new Promise<string>((resolve, reject) => {
            const child = spawn(
              process.execPath,
              [
                ...flags,
                script,
                sandbox.keap.baseUrl,
                sandbox.credentials.keap.personalAccessToken,
                String(records),
                String(pageSize),
              ],
              { stdio: ["ignore", "pipe", "inherit"] },
            )
            let out = ""
            child.stdout!.on("data", (d: Buffer) => (out += d))
            child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${client} exited ${code}`))))
          })
          const run = JSON.parse(output) as { records: number; seconds: number; peakRssMb: number }
          if (run.records !== records) throw new Error(`${client} streamed ${run.records} of ${records} records`)
          const nodeFlags = flags.join(" ") || "(defaults)"
          log(
            `memory ${client} ${nodeFlags}: ${run.records} records in ${run.seconds.toFixed(1)} s, peak RSS ${run.peakRssMb.toFixed(1)} MB`,
          )
          runs.push({ client, nodeFlags, records, seconds: round(run.seconds), peakRssMb: round(run.peakRssMb, 1) })
        }
      }
    }
    return { pageSize, runs }
  } finally {
    await sandbox.close()
    fs.rmSync(bundle, { force: true })
  }
}

/** `crmkit --help` against `node -e 0`: median of 15 alternating runs, after a warm-up that fills the compile cache. */
async function startup() {
  const cli = path.join(here, "..", "apps", "cli", "dist", "crmkit.mjs")
  const time = (args: Array<string>) => {
    const t = performance.now()
    execFileSync(process.execPath, args, { stdio: "ignore" })
    return performance.now() - t
  }
  time([cli, "--help"])
  const bare: Array<number> = []
  const help: Array<number> = []
  for (let i = 0; i < 15; i++) {
    bare.push(time(["-e", "0"]))
    help.push(time([cli, "--help"]))
  }
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const result = {
    nodeMs: round(median(bare), 1),
    crmkitHelpMs: round(median(help), 1),
    ratio: round(median(help) / median(bare), 2),
  }
  log(`startup: node -e 0 ${result.nodeMs} ms, crmkit --help ${result.crmkitHelpMs} ms, ratio ${result.ratio}`)
  return result
}

/**
 * The MCP server: the size of the tool list an agent is sent (all tools, and the
 * read-only default), and the time the policy check and the audit line add to a call,
 * against the call itself (Keap contacts get on the sandbox, in process).
 */
async function mcp() {
  const sandbox = await startSandbox({ simulators: { keap: keapSimulator({ contacts: 200, rateLimits: false }) } })
  // The clients live until the section ends: their undici dispatcher closes with this scope.
  const scope = Effect.runSync(Scope.make())
  try {
    const providers = await Promise.all(
      [keapConnector, ghlConnector].map(async (connector) => {
        const runtime = await connector.load()
        const [catalog, registry] = await Promise.all([runtime.catalog(), runtime.operations()])
        const services =
          connector.name === "keap"
            ? await Effect.runPromise(
                Layer.buildWithScope(
                  unthrottledKeap(sandbox.keap.baseUrl, sandbox.credentials.keap.personalAccessToken),
                  scope,
                ),
              )
            : undefined
        // A GHL connection knows its location, which the tools then leave out.
        const context: Record<string, string> = connector.name === "ghl" ? { locationId: "loc" } : {}
        return { runtime, catalog, registry, services: services as never, context }
      }),
    )
    const tools = Tools.all(providers)
    const listed = (defs: ReadonlyArray<Tools.ToolDef>) => {
      const bytes = JSON.stringify(
        defs.map((t) => ({
          name: t.name,
          description: t.description,
          inputSchema: t.inputSchema,
          annotations: t.annotations,
        })),
      ).length
      return { tools: defs.length, bytes, approxTokens: Math.round(bytes / 4) }
    }
    const readOnly = tools.filter((t) => t.subject === undefined || Policy.visible(Policy.readOnly, "agent", t.subject))
    const toolList = { all: listed(tools), readOnlyDefault: listed(readOnly) }
    log(
      `mcp: tool list ${toolList.all.bytes} bytes (~${toolList.all.approxTokens} tokens) for ${toolList.all.tools} tools`,
    )

    const get = tools.find((t) => t.name === "keap_contacts_get")!
    const policy = await Effect.runPromise(
      Policy.parse(
        'agents:\n  bench:\n    allow: ["keap:contacts:read"]\n    constraints:\n      - match: "keap:*:*"\n        when: { id: { matches: "[0-9]+" } }\n',
        "bench.yaml",
      ),
    )
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-bench-mcp-"))
    const calls = 400
    const timings = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const audit = yield* Audit.open(path.join(dir, "audit.jsonl"))
          const keapServices = providers[0]!.services
          const bare: Array<number> = []
          const checked: Array<number> = []
          const decide: Array<number> = []
          const append: Array<number> = []
          for (let i = 0; i < calls; i++) {
            const args = { id: String((i % 200) + 1) }
            // Alternate, so that both see the same machine.
            let t = performance.now()
            const target = (yield* get.target(args))!
            yield* Effect.provide(target.run, keapServices)
            bare.push(performance.now() - t)
            t = performance.now()
            const decided = Policy.decide(policy, "bench", target.subject, target.args)
            if (decided.decision !== "allow") throw new Error(decided.reason)
            decide.push(performance.now() - t)
            yield* audit.ready
            const checkedTarget = (yield* get.target(args))!
            const started = performance.now()
            yield* Effect.provide(checkedTarget.run, keapServices)
            const runMs = performance.now() - started
            const appended = performance.now()
            yield* audit.append({
              agent: "bench",
              tool: get.name,
              provider: "keap",
              operation: target.subject.operationId,
              decision: "allow",
              rule: decided.rule,
              arguments: args,
              outcome: { durationMs: runMs },
            })
            append.push(performance.now() - appended)
            checked.push(performance.now() - t)
          }
          return { bare, checked, decide, append }
        }),
      ),
    )
    const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const perCall = {
      calls,
      bareCallMs: round(median(timings.bare), 3),
      checkedCallMs: round(median(timings.checked), 3),
      addedMs: round(median(timings.checked) - median(timings.bare), 3),
      policyMs: round(median(timings.decide), 4),
      auditAppendMs: round(median(timings.append), 3),
    }
    log(`mcp: policy and audit add ${perCall.addedMs} ms per call (bare ${perCall.bareCallMs} ms)`)
    fs.rmSync(dir, { recursive: true, force: true })
    return { toolList, perCall }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await sandbox.close()
  }
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits))

const SECTIONS = ["throughput", "overhead", "memory", "startup", "mcp", "migrate"] as const
type Section = (typeof SECTIONS)[number]
const only = process.argv.slice(2)
const unknownSections = only.filter((name) => !(SECTIONS as ReadonlyArray<string>).includes(name))
if (unknownSections.length > 0) {
  process.stderr.write(`bench: no section ${unknownSections.join(", ")}; the sections are ${SECTIONS.join(", ")}\n`)
  process.exit(2)
}
const want = (name: Section) => only.length === 0 || only.includes(name)
const measured = {
  date: new Date().toISOString(),
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
  },
  commit: (() => {
    try {
      return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim()
    } catch {
      return "unknown"
    }
  })(),
  throughput: want("throughput") ? await throughput() : undefined,
  overhead: want("overhead") ? await overhead() : undefined,
  memory: want("memory") ? await memory() : undefined,
  startup: want("startup") ? await startup() : undefined,
  mcp: want("mcp") ? await mcp() : undefined,
  migrate: want("migrate") ? await migrate() : undefined,
}

/** Sections measured by a partial run, after the full run whose date and commit head the report. */
type MeasuredApart = Partial<Record<Section, { readonly date: string; readonly commit: string }>>
const resultsFile = path.join(here, "results", "latest.json")
// A partial run replaces its own sections in the recorded results and keeps the others' numbers.
const results: typeof measured & { measuredApart?: MeasuredApart } = (() => {
  if (only.length === 0 || !fs.existsSync(resultsFile)) return measured
  const previous = JSON.parse(fs.readFileSync(resultsFile, "utf8")) as typeof measured & {
    measuredApart?: MeasuredApart
  }
  const merged: typeof measured & { measuredApart: MeasuredApart } = {
    ...previous,
    measuredApart: { ...previous.measuredApart },
  }
  for (const section of SECTIONS) {
    if (!want(section)) continue
    ;(merged as Record<Section, unknown>)[section] = measured[section]
    merged.measuredApart[section] = { date: measured.date, commit: measured.commit }
  }
  return merged
})()
const apart = (section: Section): Array<string> => {
  const when = results.measuredApart?.[section]
  return when === undefined ? [] : [`Measured apart (this section alone): ${when.date}, commit ${when.commit}.`, ``]
}

const md = [
  `# crmkit benchmark`,
  ``,
  `${results.date}, commit ${results.commit}, Node ${results.machine.node}, ${results.machine.cpus} cores (${results.machine.cpuModel}). One run (a section marked "measured apart" comes from a later run of that section alone); ratios compare numbers measured in the same run.`,
  ``,
]
if (results.throughput) {
  const t = results.throughput
  md.push(
    `## 1. Throughput against the rate-limit windows (target: >= 0.95 of the ceiling, zero 429s)`,
    ``,
    ...apart("throughput"),
    `The ceiling is the fastest schedule the windows allow for the same number of requests (full windows back to back).`,
    ``,
    `| provider | windows | records | requests | seconds | records/s | ceiling records/s | ratio | 429s |`,
    `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...(["keapOAuth", "ghl"] as const).map((k) => {
      const r = t[k]
      return `| ${k} | ${r.windows} | ${r.records} | ${r.requests} | ${r.seconds} | ${r.recordsPerSecond} | ${r.ceilingRecordsPerSecond} | ${r.ratioOfCeiling} | ${r.responses429} |`
    }),
    ``,
  )
}
if (results.overhead) {
  const o = results.overhead
  md.push(
    `## 2. Pipeline overhead (target: ratio <= 1.3)`,
    ``,
    ...apart("overhead"),
    `Sequential GET /v2/contacts/{id} against the sandbox (its own process, no limits), core on undici; median of ${o.runs} alternating runs of ${o.requestsPerRun}.`,
    ``,
    `| bare fetch ms/request | core ms/request | ratio |`,
    `| ---: | ---: | ---: |`,
    `| ${o.bareFetchMsPerRequest} | ${o.coreMsPerRequest} | ${o.ratio} |`,
    ``,
  )
}
if (results.memory) {
  md.push(
    `## 3. Peak RSS while streaming (target: flat, under 150 MB)`,
    ``,
    ...apart("memory"),
    `Keap contacts through cursor pagination, pages of ${results.memory.pageSize}, each client in its own process: crmkit (Pagination.items on undici, bundled with esbuild) and, as the reference, a bare fetch loop with JSON.parse over the same pages. The ratio is crmkit's peak over the bare loop's, same flags and record count.`,
    ``,
    `| node flags | records | client | seconds | peak RSS MB | ratio to bare fetch |`,
    `| --- | ---: | --- | ---: | ---: | ---: |`,
    ...results.memory.runs.map((r) => {
      const bare = results.memory!.runs.find(
        (b) => b.client === "bare fetch" && b.nodeFlags === r.nodeFlags && b.records === r.records,
      )
      const ratio = r.client === "crmkit" && bare !== undefined ? round(r.peakRssMb / bare.peakRssMb) : ""
      return `| ${r.nodeFlags} | ${r.records} | ${r.client} | ${r.seconds} | ${r.peakRssMb} | ${ratio} |`
    }),
    ``,
  )
}
if (results.startup) {
  const s = results.startup
  md.push(
    `## 4. CLI start-up (target: crmkit --help under 3 times node -e 0)`,
    ``,
    ...apart("startup"),
    `| node -e 0 ms | crmkit --help ms | ratio |`,
    `| ---: | ---: | ---: |`,
    `| ${s.nodeMs} | ${s.crmkitHelpMs} | ${s.ratio} |`,
    ``,
  )
}
if (results.mcp) {
  const { toolList, perCall } = results.mcp
  md.push(
    `## 5. MCP server (targets: tool list under 12k tokens for both CRMs, policy and audit under 1 ms per call)`,
    ``,
    ...apart("mcp"),
    `Tool list as sent (name, description, input schema, annotations; tokens approximated as bytes / 4). Every catalog operation stays reachable through search_operations, describe_operation and call_operation.`,
    ``,
    `| list | tools | bytes | approx. tokens |`,
    `| --- | ---: | ---: | ---: |`,
    `| every tool (an agent allowed everything) | ${toolList.all.tools} | ${toolList.all.bytes} | ${toolList.all.approxTokens} |`,
    `| read-only default (no policy file) | ${toolList.readOnlyDefault.tools} | ${toolList.readOnlyDefault.bytes} | ${toolList.readOnlyDefault.approxTokens} |`,
    ``,
    `Per call, median of ${perCall.calls} alternating calls of keap_contacts_get against the sandbox in process: the bare call, and the call with the policy decision (a rule and a regex constraint) and one audit line appended and synced to disk.`,
    ``,
    `| bare call ms | with policy and audit ms | added ms | of which policy ms | of which audit line (write + fdatasync) ms |`,
    `| ---: | ---: | ---: | ---: | ---: |`,
    `| ${perCall.bareCallMs} | ${perCall.checkedCallMs} | ${perCall.addedMs} | ${perCall.policyMs} | ${perCall.auditAppendMs} |`,
    ``,
  )
}
if (results.migrate) {
  const [heading, blank, ...rest] = migrateMarkdown(results.migrate)
  md.push(heading!, blank!, ...apart("migrate"), ...rest)
}
fs.mkdirSync(path.join(here, "results"), { recursive: true })
fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`)
fs.writeFileSync(path.join(here, "results", "latest.md"), md.join("\n"))
process.stdout.write(md.join("\n"))

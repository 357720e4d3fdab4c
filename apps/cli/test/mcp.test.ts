/**
 * `crmkit mcp` driven by the official MCP client (stdio and Streamable HTTP) against a
 * sandbox served by this process, so that its request counter shows what reached the
 * CRMs: tool lists per agent, denied calls that send nothing, argument constraints,
 * confirmation with and without elicitation, per-agent budgets, bearer tokens, and a
 * hash-chained audit log with no secret in it.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { simulator as ghlSimulator } from "@crmkit/ghl/sandbox"
import { simulator as keapSimulator } from "@crmkit/keap/sandbox"
import { type SandboxServer, startSandbox } from "@crmkit/sandbox"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bin, crmkit, crmkitProcess } from "./support.ts"

let sandbox: SandboxServer
let dir: string
let env: Record<string, string>
let secrets: ReadonlyArray<string>
const clients: Array<Client> = []
const children: Array<ReturnType<typeof crmkitProcess>["child"]> = []

const TOKENS = { budgetA: "token-of-agent-a-0123456789", budgetB: "token-of-agent-b-0123456789" }

const policyFor = (location: string) => `# Who may do what
agents:
  reader:
    allow: ["keap:contacts:read", "ghl:contacts:read"]
  writer:
    allow: ["ghl:contacts:read", "ghl:contacts:write"]
    confirm: ["ghl:contacts:delete"]
    constraints:
      - match: "ghl:*:*"
        when: { locationId: { in: ["loc-1"] } }
    budget: { perMinute: 120 }
  localWriter:
    allow: ["ghl:contacts:read", "ghl:contacts:write", "keap:*:*"]
    confirm: ["ghl:contacts:delete"]
    deny: ["keap:contacts:write"]
    constraints:
      - match: "ghl:*:*"
        when: { locationId: { in: ["${location}"] }, dndSettings: { forbidden: true } }
  budgetA:
    allow: ["keap:contacts:read"]
    budget: { perMinute: 20 }
  budgetB:
    allow: ["keap:contacts:read"]
    budget: { perMinute: 50 }
audit:
  redact: ["email"]
`

const requests = () => sandbox.stats.snapshot().requests
const auditPath = () => path.join(dir, "audit.jsonl")

const connectStdio = async (agent: string, options: { elicitation?: boolean; policy?: boolean } = {}) => {
  const client = new Client(
    { name: "crmkit-test", version: "1.0.0" },
    { capabilities: options.elicitation === true ? { elicitation: {} } : {} },
  )
  const args = [bin, "mcp", "--agent", agent, "--audit", auditPath()]
  if (options.policy !== false) args.push("--policy", path.join(dir, "policy.yaml"))
  const transport = new StdioClientTransport({ command: process.execPath, args, env, stderr: "pipe" })
  const stderr: Array<string> = []
  transport.stderr?.on("data", (chunk: Buffer) => stderr.push(String(chunk)))
  await client.connect(transport)
  clients.push(client)
  return Object.assign(client, { stderr: () => stderr.join("") })
}

type ToolReply = { isError?: boolean; content: Array<{ type: string; text: string }>; structuredContent?: unknown }

const replies: Array<string> = []
const call = async (client: Client, name: string, args: Record<string, unknown>) => {
  const reply = (await client.callTool({ name, arguments: args })) as ToolReply
  replies.push(JSON.stringify(reply))
  return reply
}

const replyText = (reply: ToolReply) => reply.content.map((c) => c.text).join("\n")

const auditLines = () =>
  fs
    .readFileSync(auditPath(), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

beforeAll(async () => {
  sandbox = await startSandbox({
    simulators: { keap: keapSimulator({ contacts: 60 }), ghl: ghlSimulator({ contacts: 40 }) },
  })
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "crmkit-mcp-"))
  const location = sandbox.credentials.ghl.locationId
  fs.writeFileSync(path.join(dir, "policy.yaml"), policyFor(location))
  secrets = [
    sandbox.credentials.keap.personalAccessToken,
    sandbox.credentials.ghl.privateIntegrationToken,
    TOKENS.budgetA,
    TOKENS.budgetB,
  ]
  env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    CRMKIT_CONFIG_DIR: dir,
    KEAP_API_KEY: sandbox.credentials.keap.personalAccessToken,
    KEAP_BASE_URL: sandbox.keap.baseUrl,
    GHL_ACCESS_TOKEN: sandbox.credentials.ghl.privateIntegrationToken,
    GHL_BASE_URL: sandbox.ghl.baseUrl,
    GHL_LOCATION_ID: location,
    CRMKIT_MCP_TOKENS: `budgetA=${TOKENS.budgetA},budgetB=${TOKENS.budgetB}`,
  }
})

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
  for (const child of children) child.kill()
  await sandbox?.close()
})

describe("crmkit mcp over stdio", () => {
  it("lists only what the agent may use, with honest annotations", async () => {
    const client = await connectStdio("reader")
    const { tools } = await client.listTools()
    const names = tools.map((t) => t.name)
    expect(names).toEqual(expect.arrayContaining(["keap_contacts_list", "ghl_contacts_search", "call_operation"]))
    expect(names).not.toContain("keap_contacts_create")
    expect(names).not.toContain("keap_tags_list")
    expect(names.filter((n) => !["search_operations", "describe_operation", "call_operation"].includes(n))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(keap|ghl)_contacts_/)]),
    )
    for (const tool of tools.filter((t) => /^(keap|ghl)_/.test(t.name))) {
      expect(tool.name).toMatch(/^(keap|ghl)_contacts_/)
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(true)
    }
  })

  it("reads a page at a time, with a cursor to continue", async () => {
    const client = await connectStdio("reader")
    const first = await call(client, "keap_contacts_list", { limit: 5 })
    const page = first.structuredContent as { records: Array<{ id: string }>; nextCursor: string }
    expect(page.records).toHaveLength(5)
    const next = (await call(client, "keap_contacts_list", { limit: 5, cursor: page.nextCursor }))
      .structuredContent as {
      records: Array<{ id: string }>
    }
    expect(next.records).toHaveLength(5)
    expect(next.records.map((r) => r.id)).not.toEqual(page.records.map((r) => r.id))
    const forged = await call(client, "keap_contacts_list", { limit: 5, cursor: `${page.nextCursor}x` })
    expect(forged.isError).toBe(true)
    const huge = await call(client, "keap_contacts_list", { limit: 5000 })
    expect(huge.isError).toBe(true)
    expect(replyText(huge)).toContain("limit")
  })

  it("a denied write sends nothing, and says which rule refused it", async () => {
    const client = await connectStdio("reader")
    const before = requests()
    const reply = await call(client, "call_operation", {
      provider: "keap",
      operationId: "createContact",
      input: { body: { given_name: "Nope" } },
    })
    expect(reply.isError).toBe(true)
    expect(replyText(reply)).toMatch(/Refused by policy/)
    expect(requests()).toBe(before)
    // A hidden tool is not there at all for this agent.
    await expect(call(client, "keap_contacts_create", { given_name: "Nope" })).rejects.toThrow(/not found/)
    expect(requests()).toBe(before)
    const last = auditLines().at(-1)
    expect(last).toMatchObject({ agent: "reader", decision: expect.stringMatching(/deny/) })
  })

  it("an argument outside its constraint is refused before sending", async () => {
    const client = await connectStdio("writer")
    const before = requests()
    // The connection's location is not loc-1: the policy sees the location the call would use.
    const reply = await call(client, "ghl_contacts_create", { firstName: "Ada", email: "ada@example.org" })
    expect(reply.isError).toBe(true)
    expect(replyText(reply)).toContain("locationId")
    expect(requests()).toBe(before)
    const local = await connectStdio("localWriter")
    const dnd = await call(local, "ghl_contacts_create", { firstName: "Ada", dndSettings: {} })
    expect(dnd.isError).toBe(true)
    expect(replyText(dnd)).toContain("dndSettings")
    expect(requests()).toBe(before)
    const created = await call(local, "ghl_contacts_create", { firstName: "Ada", email: "ada@example.org" })
    expect(created.isError ?? false).toBe(false)
    expect(requests()).toBeGreaterThan(before)
  })

  it("confirm asks the person through elicitation; without it, the call is refused", async () => {
    const plain = await connectStdio("localWriter")
    const created = (await call(plain, "ghl_contacts_create", { firstName: "Temp", email: "temp@example.org" }))
      .structuredContent as { contact: { id: string } }
    const id = created.contact.id
    const before = requests()
    const refused = await call(plain, "ghl_contacts_delete", { id })
    expect(refused.isError).toBe(true)
    expect(replyText(refused)).toContain("A person must allow")
    expect(requests()).toBe(before)

    const asking = await connectStdio("localWriter", { elicitation: true })
    const asked: Array<string> = []
    let answer: "accept" | "decline" = "decline"
    asking.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message)
      return answer === "accept" ? { action: "accept", content: { allow: true } } : { action: "decline" }
    })
    const declined = await call(asking, "ghl_contacts_delete", { id })
    expect(declined.isError).toBe(true)
    expect(requests()).toBe(before)
    answer = "accept"
    const deleted = await call(asking, "ghl_contacts_delete", { id })
    expect(deleted.isError ?? false).toBe(false)
    expect(asked).toHaveLength(2)
    expect(asked[0]).toContain("ghl")
    expect(requests()).toBeGreaterThan(before)
    const decisions = auditLines().map((l) => l.decision)
    expect(decisions).toEqual(expect.arrayContaining(["confirm-unavailable", "confirm-declined", "confirm-accepted"]))
  })

  it("without a policy, serves read-only tools and says so", async () => {
    const client = await connectStdio("anyone", { policy: false })
    const { tools } = await client.listTools()
    expect(client.stderr()).toContain("no --policy: serving read-only tools")
    const actionTools = tools.filter((t) => /^(keap|ghl)_/.test(t.name))
    expect(actionTools.length).toBeGreaterThan(10)
    for (const tool of actionTools) expect(tool.annotations?.readOnlyHint, tool.name).toBe(true)
  })
})

describe("crmkit mcp over HTTP", () => {
  let url: string
  beforeAll(async () => {
    const server = crmkitProcess(
      ["mcp", "--http", "--port", "0", "--policy", path.join(dir, "policy.yaml"), "--audit", auditPath()],
      env,
    )
    children.push(server.child)
    url = await new Promise<string>((resolve, reject) => {
      let stderr = ""
      server.child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk
        const match = /listening on (\S+)/.exec(stderr)
        if (match) resolve(match[1]!)
      })
      server.child.on("exit", () => reject(new Error(`crmkit mcp --http exited: ${stderr}`)))
    })
  })

  const connectHttp = async (token: string) => {
    const client = new Client({ name: "crmkit-test", version: "1.0.0" })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    )
    clients.push(client)
    return client
  }

  it("refuses a request without a token, or with an unknown one", async () => {
    const bare = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
    expect(bare.status).toBe(401)
    const wrong = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer not-a-token-of-anyone" },
      body: "{}",
    })
    expect(wrong.status).toBe(401)
    const origin = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${TOKENS.budgetA}`,
        origin: "https://evil.example",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    })
    expect(origin.status).toBeGreaterThanOrEqual(400)
  })

  it("two agents under 100 concurrent calls each keep to their own budgets", async () => {
    const [a, b] = await Promise.all([connectHttp(TOKENS.budgetA), connectHttp(TOKENS.budgetB)])
    const run = (client: Client) =>
      Promise.all(Array.from({ length: 100 }, () => call(client, "keap_contacts_list", { limit: 1 })))
    const [repliesA, repliesB] = await Promise.all([run(a), run(b)])
    const ok = (replies: Array<ToolReply>) => replies.filter((r) => r.isError !== true).length
    expect(ok(repliesA)).toBe(20)
    expect(ok(repliesB)).toBe(50)
    const refused = repliesA.find((r) => r.isError === true)!
    expect(replyText(refused)).toContain("budget")
  })

  it("an agent's token shows that agent's tools only", async () => {
    const b = await connectHttp(TOKENS.budgetB)
    const names = (await b.listTools()).tools.map((t) => t.name)
    expect(names).toContain("keap_contacts_list")
    expect(names).not.toContain("ghl_contacts_search")
  })
})

describe("audit log and policy checks", () => {
  it("every line chains to the previous one; an edit is found and named", () => {
    const ok = crmkit(["audit", "verify", auditPath()], env)
    expect(ok.code, ok.stderr).toBe(0)
    const lines = fs.readFileSync(auditPath(), "utf8").trim().split("\n")
    expect(lines.length).toBeGreaterThan(200)
    const tampered = path.join(dir, "tampered.jsonl")
    const edited = [...lines]
    edited[3] = edited[3]!.replace(/"agent":"[^"]+"/, '"agent":"someone-else"')
    fs.writeFileSync(tampered, `${edited.join("\n")}\n`)
    const bad = crmkit(["audit", "verify", tampered], env)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/line (4|5)/)
    const shown = crmkit(["audit", "show", auditPath(), "--agent", "reader"], env)
    expect(shown.code).toBe(0)
    for (const line of shown.stdout.trim().split("\n")) expect(JSON.parse(line).agent).toBe("reader")
  })

  it("no secret in any audit line, tool result or error; personal fields named by the policy are redacted", () => {
    const text = fs.readFileSync(auditPath(), "utf8")
    for (const secret of secrets) expect(text).not.toContain(secret)
    expect(replies.length).toBeGreaterThan(200)
    expect(replies.some((r) => r.includes('"isError":true'))).toBe(true)
    for (const reply of replies) for (const secret of secrets) expect(reply).not.toContain(secret)
    expect(text).not.toContain("ada@example.org")
  })

  it("policy check prints each agent's access, and refuses a bad file with its line", () => {
    const good = crmkit(["policy", "check", path.join(dir, "policy.yaml")], env)
    expect(good.code, good.stderr).toBe(0)
    expect(good.stdout).toMatch(/agent writer[\s\S]*confirm\s+ghl_contacts_delete/)
    const badFile = path.join(dir, "bad.yaml")
    fs.writeFileSync(badFile, 'agents:\n  reader:\n    allow: ["keap:contacts:reed"]\n')
    const bad = crmkit(["policy", "check", badFile], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("bad.yaml:3")
  })
})

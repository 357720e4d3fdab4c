/**
 * n8n's community-node lint (@n8n/eslint-plugin-community-nodes) as part of the test suite,
 * so CI runs it: over each registered package's files, and over the descriptions derived
 * from each connector (nodes and credentials are functions of the connector, so the lint,
 * which reads source text, is given them rendered as the classes n8n loads). A package.json
 * with a runtime dependency must fail, so the lint is known to be looking.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, resolve } from "node:path"
import { connector } from "@crmkit/testcrm/connector"
import { ESLint, type Linter } from "eslint"
import type { ICredentialType, INodeType } from "n8n-workflow"
import { describe, expect, it } from "vitest"
import { highLevel } from "../../n8n-nodes-highlevel/src/app.ts"
import { keap } from "../../n8n-nodes-keap/src/app.ts"
import { ActionNode, App, Credentials, Triggers } from "../src/index.ts"

const apps = resolve(import.meta.dirname, "../..")
const { config } = (await import(resolve(import.meta.dirname, "../eslint.mjs"))) as { config: Array<Linter.Config> }

/** The connectors registered with n8n, each with its package. */
const registered: ReadonlyArray<{ readonly app: App.App; readonly dir: string }> = [
  { app: keap, dir: "n8n-nodes-keap" },
  { app: highLevel, dir: "n8n-nodes-highlevel" },
]

const problemsOf = (results: ReadonlyArray<ESLint.LintResult>) =>
  results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId} ${m.message}`))

/** A value as TypeScript source: identifier keys bare (the lint reads them), connection types by name. */
const source = (value: unknown, indent = ""): string => {
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === "main" ? "NodeConnectionTypes.Main" : source(v, indent))).join(", ")}]`
  }
  if (typeof value === "object" && value !== null) {
    const inner = `${indent}  `
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${source(v, inner)},`)
    return `{\n${entries.join("\n")}\n${indent}}`
  }
  return JSON.stringify(value)
}

const nodeSource = (name: string, node: INodeType) => {
  const trigger = node.description.group.includes("trigger")
  const body = [
    `  description: INodeTypeDescription = ${source(node.description, "  ")}`,
    ...(node.webhookMethods === undefined
      ? []
      : [
          "  webhookMethods = { default: { async checkExists(this: IHookFunctions) { return true }, async create(this: IHookFunctions) { return true }, async delete(this: IHookFunctions) { return true } } }",
        ]),
    trigger
      ? node.description.polling
        ? "  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> { return null }"
        : "  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> { return { noWebhookResponse: true } }"
      : "  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> { return [this.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } }))] }",
  ]
  return [
    'import { NodeConnectionTypes, type IExecuteFunctions, type IHookFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription, type IPollFunctions, type IWebhookFunctions, type IWebhookResponseData } from "n8n-workflow"',
    "",
    `export class ${name} implements INodeType {`,
    ...body,
    "}",
    "",
  ].join("\n")
}

const credentialSource = (name: string, credential: ICredentialType) =>
  [
    'import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from "n8n-workflow"',
    "",
    `export class ${name} implements ICredentialType {`,
    ...Object.entries(credential)
      .filter(([, v]) => v !== undefined)
      .map(([key, value]) => {
        const type =
          key === "properties"
            ? ": INodeProperties[]"
            : key === "authenticate"
              ? ": IAuthenticateGeneric"
              : key === "test"
                ? ": ICredentialTestRequest"
                : ""
        return `  ${key}${type} = ${source(value, "  ")}${key === "icon" ? " as const" : ""}`
      }),
    "}",
    "",
  ].join("\n")

type Manifest = {
  readonly name?: string
  readonly n8n: { readonly nodes: Array<string>; readonly credentials: Array<string> }
}

/** Lints the package as n8n loads it: each class of the manifest with its derived values written out. */
const lintDerived = async (app: App.App, manifest: Manifest, icons: string) => {
  const derivedDir = mkdtempSync(resolve(tmpdir(), `${app.connector.name}-derived-`))
  try {
    writeFileSync(resolve(derivedDir, "package.json"), JSON.stringify(manifest, null, 2))
    cpSync(icons, resolve(derivedDir, "src/icons"), { recursive: true })
    const write = (out: string, text: string) => {
      // Linted under src/; the credential check of the lint reads them where dist/ is.
      for (const root of ["src/", ""]) {
        const file = resolve(derivedDir, out.replace(/^dist\//, root).replace(/\.js$/, ".ts"))
        mkdirSync(dirname(file), { recursive: true })
        writeFileSync(file, text)
      }
    }
    const classOf = (out: string) => out.replace(/^.*\//, "").replace(/\..*$/, "")
    for (const out of manifest.n8n.nodes) {
      const name = classOf(out)
      const node = name.endsWith("PollingTrigger")
        ? new (Triggers.polling(app))()
        : name.endsWith("Trigger")
          ? new (Triggers.webhook(app))()
          : new (ActionNode.node(app))()
      write(out, nodeSource(name, node as INodeType))
    }
    for (const out of manifest.n8n.credentials) {
      const name = classOf(out)
      const credential = name.endsWith("OAuth2Api") ? new (Credentials.oauth2(app))() : new (Credentials.key(app))()
      write(out, credentialSource(name, credential))
    }
    const eslint = new ESLint({ cwd: derivedDir, overrideConfigFile: true, overrideConfig: config })
    const results = await eslint.lintFiles(["src/**/*.ts", "package.json"])
    expect(problemsOf(results)).toEqual([])
    expect(results.filter((r) => r.filePath.endsWith(".ts")).length).toBe(
      manifest.n8n.nodes.length + manifest.n8n.credentials.length,
    )
    // The lint knows the derived credentials: a node naming another one is refused.
    const [reuse] = await eslint.lintText(
      nodeSource("Other", {
        description: { ...new (ActionNode.node(app))().description, credentials: [{ name: "otherApi" }] },
      } as INodeType),
      { filePath: resolve(derivedDir, "src/nodes/Other/Other.node.ts") },
    )
    expect(reuse?.messages.map((m) => m.ruleId)).toContain("@n8n/community-nodes/no-credential-reuse")
  } finally {
    rmSync(derivedDir, { recursive: true, force: true })
  }
}

describe("n8n community-node lint", () => {
  for (const { app, dir } of registered) {
    const packageDir = resolve(apps, dir)

    it(`passes on ${dir}`, async () => {
      const results = await new ESLint({ cwd: packageDir }).lintFiles(["src/**/*.ts", "package.json"])
      expect(problemsOf(results)).toEqual([])
      expect(results.some((r) => r.filePath.endsWith("package.json"))).toBe(true)
      expect(results.filter((r) => r.filePath.endsWith(".node.ts")).length).toBeGreaterThanOrEqual(2)
    })

    it(`passes on the nodes and credentials derived from the ${app.connector.title} connector`, async () => {
      const manifest = JSON.parse(readFileSync(resolve(packageDir, "package.json"), "utf8")) as Manifest
      await lintDerived(app, manifest, resolve(packageDir, "src/icons"))
    })
  }

  it("passes on the package a third connector would be, TestCRM's", async () => {
    const testcrm = App.make(connector, await connector.load(), {
      icon: "keap",
      credentials: { keyHeaders: { "X-Api-Key": "={{$credentials.apiKey}}" }, test: { url: "/deals" } },
    })
    const keapManifest = JSON.parse(readFileSync(resolve(apps, "n8n-nodes-keap/package.json"), "utf8")) as Manifest
    await lintDerived(
      testcrm,
      {
        ...keapManifest,
        name: "@crmkit/n8n-nodes-testcrm",
        n8n: {
          ...keapManifest.n8n,
          nodes: ["dist/nodes/TestCrm/TestCrm.node.js", "dist/nodes/TestCrmTrigger/TestCrmTrigger.node.js"],
          credentials: ["dist/credentials/CrmkitTestCRMApi.credentials.js"],
        },
      },
      resolve(apps, "n8n-nodes-keap/src/icons"),
    )
  })

  it("fails a package that declares runtime dependencies", async () => {
    const packageDir = resolve(apps, "n8n-nodes-keap")
    const eslint = new ESLint({ cwd: packageDir })
    const manifest = JSON.parse(readFileSync(resolve(packageDir, "package.json"), "utf8")) as Record<string, unknown>
    const [result] = await eslint.lintText(
      JSON.stringify({ ...manifest, dependencies: { effect: "4.1.0" } }, null, 2),
      {
        filePath: resolve(packageDir, "package.json"),
      },
    )
    expect(result?.messages.map((m) => m.ruleId)).toContain("@n8n/community-nodes/no-runtime-dependencies")
  })
})

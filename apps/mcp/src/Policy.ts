/**
 * Which agent may call which tool. A policy file (YAML or JSON) lists, per agent, rules
 * `provider:resource:access` (or `provider:op:<operation id>`) to allow, confirm or deny,
 * constraints on the call's arguments and a call budget. Anything not allowed is denied.
 *
 * A file is checked strictly: an unknown key, a misspelt access word or a bad regular
 * expression is refused with its line, column and field, because a typo in a policy must
 * not silently grant or deny anything.
 */
import { readFile } from "node:fs/promises"
import { extname } from "node:path"
import { Access } from "@crmkit/core"
import { Effect, Predicate, Schema, SchemaAST, SchemaIssue } from "effect"
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml"

/** What a tool call is, as far as the policy is concerned. */
export interface Subject {
  readonly provider: string
  readonly resource: string
  readonly access: Access.Access
  /** The catalog operation id (`createContact`, `create-contact`). */
  readonly operationId: string
  readonly tool: string
}

export interface Decision {
  readonly decision: "allow" | "deny" | "confirm"
  /** The rule that decided, or `default` when none did. */
  readonly rule?: string
  /** A sentence for the agent. */
  readonly reason: string
}

export interface Budget {
  readonly perMinute?: number
  readonly perHour?: number
}

export class PolicyError extends Schema.TaggedError<PolicyError>()("PolicyError", {
  path: Schema.String,
  /** 1-based; 0 when the problem is not at a place in the file (it cannot be read). */
  line: Schema.Number,
  column: Schema.Number,
  /** The field at fault, as `agents.writer.allow[1]`; empty for the whole file. */
  field: Schema.String,
  /** What is wrong, without the place. */
  reason: Schema.String,
  /** `policy.yaml:7:5: agents.writer.allow[1]: "…" — …`. */
  message: Schema.String,
}) {}

const policyError = (path: string, line: number, column: number, field: string, reason: string) =>
  new PolicyError({
    path,
    line,
    column,
    field,
    reason,
    message: `${[path, ...(line > 0 ? [line, column] : [])].join(":")}${field === "" ? "" : `: ${field}`}: ${reason}`,
  })

// ---------------------------------------------------------------------------------------
// Rules

const accessWords = [...Access.levels, "*"] as const

/** Accesses a rule with `*` as its access grants: the others must be named. */
const grantedByWildcard: ReadonlyArray<Access.Access> = ["read", "write"]

/** A parsed rule: `provider:resource:access` or `provider:op:<operation id glob>`. */
export interface Rule {
  readonly text: string
  readonly provider: RegExp
  readonly target:
    | { readonly kind: "resource"; readonly resource: string; readonly access: Access.Access | "*" }
    | { readonly kind: "op"; readonly operation: RegExp }
}

const hasGlob = (text: string) => /[*?]/.test(text)

/** `*` is any run of characters, `?` any one character; matching ignores case. */
const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split("")
      .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
      .join("")}$`,
    "i",
  )

/** Operation ids are spelt `createContact` or `create-contact`: compare them without case and separators. */
const squash = (name: string) => name.toLowerCase().replace(/[-_\s]/g, "")

/** The rule, or why it is not one. */
export const parseRule = (text: string): Rule | string => {
  const parts = text.split(":")
  const [provider, middle, last] = parts
  if (parts.length !== 3 || provider === undefined || middle === undefined || last === undefined) {
    return `${JSON.stringify(text)} — a rule is provider:resource:access or provider:op:<operation id>`
  }
  if (parts.some((part) => part === "" || /\s/.test(part))) {
    return `${JSON.stringify(text)} — each part of a rule must be non-empty, without spaces`
  }
  if (middle === "op") {
    // `keap:op:*` would grant every operation, delete, send and money included.
    if (!/[^*?]/.test(last)) {
      return `${JSON.stringify(text)} — an op: rule must name operations (at least one character besides * and ?)`
    }
    return { text, provider: globToRegExp(provider), target: { kind: "op", operation: globToRegExp(squash(last)) } }
  }
  if (!accessWords.includes(last as (typeof accessWords)[number])) {
    return `${JSON.stringify(text)} — access must be one of ${Access.levels.join(", ")}, or *`
  }
  return {
    text,
    provider: globToRegExp(provider),
    target: { kind: "resource", resource: middle, access: last as Access.Access | "*" },
  }
}

const resourceMatches = (pattern: string, resource: string): boolean => {
  if (!hasGlob(pattern)) return Access.sameResource(pattern, resource)
  // A glob is tried on the name as written and without separators (`custom*` matches `custom-fields`).
  return globToRegExp(pattern).test(resource) || globToRegExp(squash(pattern)).test(squash(resource))
}

/**
 * Whether the rule covers the subject. A grant (allow, confirm) with `*` as its access
 * covers only reads and writes; a deny or a constraint with `*` covers every access.
 */
const covers = (rule: Rule, subject: Omit<Subject, "tool">, use: "grant" | "restrict"): boolean => {
  if (!rule.provider.test(subject.provider)) return false
  const target = rule.target
  if (target.kind === "op") return target.operation.test(squash(subject.operationId))
  if (!resourceMatches(target.resource, subject.resource)) return false
  if (target.access !== "*") return target.access === subject.access
  return use === "restrict" || grantedByWildcard.includes(subject.access)
}

// ---------------------------------------------------------------------------------------
// The file's Schema

const RuleText = Schema.String.check(
  Schema.makeFilter((text: string) => {
    const rule = parseRule(text)
    return typeof rule === "string" ? rule : undefined
  }),
)

/** A `matches` test must match the whole value: `loc-1` must not let `loc-10` through. */
const anchored = (source: string) => new RegExp(`^(?:${source})$`)

const RegExpText = Schema.String.check(
  Schema.makeFilter((text: string) => {
    try {
      anchored(text)
      return undefined
    } catch (error) {
      return `${JSON.stringify(text)} — not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`
    }
  }),
)

const Scalar = Schema.Union([Schema.String, Schema.Number, Schema.Boolean, Schema.Null])
type Scalar = typeof Scalar.Type

const Condition = Schema.Struct({
  equals: Schema.optionalKey(Scalar),
  in: Schema.optionalKey(Schema.Array(Scalar)),
  /** The whole value must match (the expression is anchored). */
  matches: Schema.optionalKey(RegExpText),
  required: Schema.optionalKey(Schema.Literal(true)),
  forbidden: Schema.optionalKey(Schema.Literal(true)),
}).check(
  Schema.makeFilter((condition) => {
    const tests = Object.keys(condition)
    if (tests.length === 0) return "a condition needs one of equals, in, matches, required, forbidden"
    if (condition.forbidden && tests.length > 1) return "forbidden cannot be combined with other tests"
    if (condition.in?.length === 0) return "in must list at least one value"
    return undefined
  }),
)
type Condition = typeof Condition.Type

const ConstraintSchema = Schema.Struct({
  match: RuleText,
  when: Schema.Record(Schema.String, Condition),
})

const Count = Schema.Number.check(Schema.isInt(), Schema.isGreaterThan(0))

const AgentSchema = Schema.Struct({
  allow: Schema.optionalKey(Schema.Array(RuleText)),
  deny: Schema.optionalKey(Schema.Array(RuleText)),
  confirm: Schema.optionalKey(Schema.Array(RuleText)),
  constraints: Schema.optionalKey(Schema.Array(ConstraintSchema)),
  budget: Schema.optionalKey(
    Schema.Struct({ perMinute: Schema.optionalKey(Count), perHour: Schema.optionalKey(Count) }),
  ),
})

/** The policy file as written. */
export const PolicyFile = Schema.Struct({
  agents: Schema.Record(Schema.String, AgentSchema),
  audit: Schema.optionalKey(Schema.Struct({ redact: Schema.optionalKey(Schema.Array(Schema.String)) })),
})
export type PolicyFile = typeof PolicyFile.Type

// ---------------------------------------------------------------------------------------
// The compiled policy

export interface Constraint {
  readonly rule: Rule
  readonly when: ReadonlyArray<readonly [path: string, condition: Condition, pattern: RegExp | undefined]>
}

export interface AgentRules {
  readonly allow: ReadonlyArray<Rule>
  readonly deny: ReadonlyArray<Rule>
  readonly confirm: ReadonlyArray<Rule>
  readonly constraints: ReadonlyArray<Constraint>
  readonly budget: Budget | undefined
}

export interface Policy {
  /** By agent name, in file order; `*` applies to every agent, on top of the agent's own. */
  readonly agents: ReadonlyMap<string, AgentRules>
  readonly audit: {
    /** Personal fields the audit log redacts, on top of its own (email, phone). */
    readonly redact: ReadonlyArray<string>
  }
}

const compileRule = (text: string): Rule => {
  const rule = parseRule(text)
  // The Schema has refused bad rules already.
  if (typeof rule === "string") throw new Error(rule)
  return rule
}

/** A policy from its already validated file. */
export const fromFile = (file: PolicyFile): Policy => ({
  agents: new Map(
    Object.entries(file.agents).map(([name, agent]) => [
      name,
      {
        allow: (agent.allow ?? []).map(compileRule),
        deny: (agent.deny ?? []).map(compileRule),
        confirm: (agent.confirm ?? []).map(compileRule),
        constraints: (agent.constraints ?? []).map((constraint) => ({
          rule: compileRule(constraint.match),
          when: Object.entries(constraint.when).map(
            ([path, condition]) =>
              [path, condition, condition.matches === undefined ? undefined : anchored(condition.matches)] as const,
          ),
        })),
        budget: agent.budget,
      },
    ]),
  ),
  audit: { redact: file.audit?.redact ?? [] },
})

/** With no policy file: every agent may read everything, and do nothing else. */
export const readOnly: Policy = fromFile({ agents: { "*": { allow: ["*:*:read"] } } })

export const agents = (policy: Policy): ReadonlyArray<string> => [...policy.agents.keys()]

export const budgetOf = (policy: Policy, agent: string): Budget | undefined =>
  policy.agents.get(agent)?.budget ?? policy.agents.get("*")?.budget

/** The agent's own rules and those for every agent (`*`). */
const rulesOf = (policy: Policy, agent: string): AgentRules => {
  const own = policy.agents.get(agent)
  const everyone = agent === "*" ? undefined : policy.agents.get("*")
  const both = [own, everyone].filter(Predicate.isNotUndefined)
  return {
    allow: both.flatMap((rules) => rules.allow),
    deny: both.flatMap((rules) => rules.deny),
    confirm: both.flatMap((rules) => rules.confirm),
    constraints: both.flatMap((rules) => rules.constraints),
    budget: own?.budget ?? everyone?.budget,
  }
}

// ---------------------------------------------------------------------------------------
// Deciding

const describe = (subject: Omit<Subject, "tool">) => `${subject.provider}:${subject.resource}:${subject.access}`

/** The decision from the rules alone, before constraints. */
const decideByRules = (rules: AgentRules, subject: Omit<Subject, "tool">): Decision => {
  const deny = rules.deny.find((rule) => covers(rule, subject, "restrict"))
  if (deny) return { decision: "deny", rule: deny.text, reason: `${describe(subject)} is denied by "${deny.text}"` }
  const confirm = rules.confirm.find((rule) => covers(rule, subject, "grant"))
  if (confirm) {
    return {
      decision: "confirm",
      rule: confirm.text,
      reason: `${describe(subject)} needs a person to confirm (rule "${confirm.text}")`,
    }
  }
  const allow = rules.allow.find((rule) => covers(rule, subject, "grant"))
  if (allow) return { decision: "allow", rule: allow.text, reason: `allowed by "${allow.text}"` }
  // Say why a broad rule did not grant a risky access, so the fix is obvious.
  const wildcard = [...rules.confirm, ...rules.allow].find(
    (rule) => rule.target.kind === "resource" && covers(rule, subject, "restrict"),
  )
  const hint = wildcard
    ? ` ("${wildcard.text}" grants only read and write: name ${subject.access} in a rule to allow it)`
    : ""
  return { decision: "deny", rule: "default", reason: `denied by default: no rule allows ${describe(subject)}${hint}` }
}

/** Looks up `a.b.c` in the arguments, then under `body.` when not at the top. */
const lookup = (args: unknown, path: string): unknown => {
  const walk = (value: unknown, keys: ReadonlyArray<string>): unknown =>
    keys.reduce<unknown>(
      (at, key) => (Predicate.isObjectOrArray(at) ? (at as Record<string, unknown>)[key] : undefined),
      value,
    )
  const keys = path.split(".")
  const top = walk(args, keys)
  return top === undefined && keys[0] !== "body" ? walk(args, ["body", ...keys]) : top
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

const absent = (value: unknown) => value === undefined || value === null

/** Why the value fails the condition, or undefined when it holds. A missing value fails every test but `forbidden`. */
const failure = (
  path: string,
  condition: Condition,
  pattern: RegExp | undefined,
  value: unknown,
): string | undefined => {
  if (condition.forbidden) return absent(value) ? undefined : `${path} must not be given`
  if (absent(value)) {
    if (condition.in) return `${path} is missing (must be one of ${condition.in.join(", ")})`
    if (condition.equals !== undefined) return `${path} is missing (must be ${show(condition.equals)})`
    if (condition.matches !== undefined) return `${path} is missing (must match /${condition.matches}/)`
    return `${path} is required`
  }
  if (condition.equals !== undefined && value !== condition.equals) {
    return `${path} ${show(value)} is not ${show(condition.equals)}`
  }
  // A list argument (tags, ids) passes when each of its items does.
  const items = Array.isArray(value) ? value : [value]
  const allowed = condition.in
  if (allowed) {
    const outside = items.find((item) => !allowed.includes(item as Scalar))
    if (outside !== undefined) return `${path} ${show(outside)} is not one of ${allowed.join(", ")}`
  }
  if (pattern) {
    const unlike = items.find((item) => Predicate.isObjectOrArray(item) || !pattern.test(String(item)))
    if (unlike !== undefined) return `${path} ${show(unlike)} does not match /${condition.matches}/`
  }
  return undefined
}

const constraintsOn = (rules: AgentRules, subject: Omit<Subject, "tool">) =>
  rules.constraints.filter((constraint) => covers(constraint.rule, subject, "restrict"))

/** Whether the agent may make this call: allow, deny, or ask a person to confirm. */
export const decide = (policy: Policy, agent: string, subject: Subject, args: unknown): Decision => {
  const rules = rulesOf(policy, agent)
  const decision = decideByRules(rules, subject)
  if (decision.decision === "deny") return decision
  for (const constraint of constraintsOn(rules, subject)) {
    for (const [path, condition, pattern] of constraint.when) {
      const why = failure(path, condition, pattern, lookup(args, path))
      if (why !== undefined) {
        return {
          decision: "deny",
          rule: constraint.rule.text,
          reason: `refused by the constraint on "${constraint.rule.text}": ${why}`,
        }
      }
    }
  }
  return decision
}

/** Whether to list the tool to the agent: some rule could allow or confirm it, and none denies it. */
export const visible = (policy: Policy, agent: string, subject: Subject): boolean =>
  decideByRules(rulesOf(policy, agent), subject).decision !== "deny"

const describeCondition = (path: string, condition: Condition) =>
  [
    condition.equals !== undefined ? `${path} = ${show(condition.equals)}` : undefined,
    condition.in ? `${path} in ${condition.in.join(", ")}` : undefined,
    condition.matches !== undefined ? `${path} matches /${condition.matches}/` : undefined,
    condition.required ? `${path} given` : undefined,
    condition.forbidden ? `${path} not given` : undefined,
  ]
    .filter(Predicate.isNotUndefined)
    .join(" and ")

/**
 * The decision for every agent in the policy and every tool, regardless of arguments;
 * constraints that will be checked on the arguments are named in the reason.
 */
export const check = (
  policy: Policy,
  subjects: ReadonlyArray<Subject>,
): ReadonlyArray<{ readonly agent: string; readonly subject: Subject; readonly decision: Decision }> =>
  agents(policy).flatMap((agent) => {
    const rules = rulesOf(policy, agent)
    return subjects.map((subject) => {
      const decision = decideByRules(rules, subject)
      const conditions =
        decision.decision === "deny"
          ? []
          : constraintsOn(rules, subject).flatMap((constraint) =>
              constraint.when.map(([path, condition]) => describeCondition(path, condition)),
            )
      return {
        agent,
        subject,
        decision:
          conditions.length === 0
            ? decision
            : { ...decision, reason: `${decision.reason}, when ${conditions.join(" and ")}` },
      }
    })
  })

// ---------------------------------------------------------------------------------------
// Reading a file

const formatLeaf = SchemaIssue.makeFormatterStandardSchemaV1()

interface Problem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly reason: string
  /** An unknown key is reported at the key, anything else at the value. */
  readonly atKey: boolean
}

/** Flattens a Schema issue into one problem per bad field. */
const problems = (issue: SchemaIssue.Issue, input: unknown, path: ReadonlyArray<PropertyKey> = []): Array<Problem> => {
  switch (issue._tag) {
    case "Pointer":
      return problems(issue.issue, input, [...path, ...issue.path])
    case "Composite":
      return issue.issues.flatMap((inner) => problems(inner, input, path))
    case "UnexpectedKey": {
      const known = SchemaAST.isObjects(issue.ast) ? issue.ast.propertySignatures.map((p) => String(p.name)) : []
      return [
        { path, reason: `unknown key${known.length > 0 ? ` (expected one of ${known.join(", ")})` : ""}`, atKey: true },
      ]
    }
    case "MissingKey":
      return [{ path, reason: "missing", atKey: false }]
    case "InvalidType":
    case "AnyOf": {
      const expected = formatLeaf(issue).issues[0]?.message.replace(/^Expected /, "") ?? "another value"
      return [{ path, reason: `expected ${expected}, got ${show(valueAt(input, path))}`, atKey: false }]
    }
    default:
      return formatLeaf(issue).issues.map((entry) => ({
        path: [...path, ...(entry.path ?? []).map((key) => (typeof key === "object" ? key.key : key))],
        reason: entry.message,
        atKey: false,
      }))
  }
}

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (at, key) => (Predicate.isObjectOrArray(at) ? (at as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  )

/** `agents.writer.allow[1]`, `constraints[0].when["body.email"]`. */
const fieldName = (path: ReadonlyArray<PropertyKey>) =>
  path
    .map((key, index) =>
      typeof key === "number"
        ? `[${key}]`
        : /^[A-Za-z_*][\w*-]*$/.test(String(key))
          ? `${index === 0 ? "" : "."}${String(key)}`
          : `[${JSON.stringify(String(key))}]`,
    )
    .join("")

/** The start of the YAML node at the path: the key or the value; the nearest existing parent when it is missing. */
const offsetOf = (root: unknown, path: ReadonlyArray<PropertyKey>, atKey: boolean): number => {
  let node = root as Node | null
  let offset = node?.range?.[0] ?? 0
  for (const [index, key] of path.entries()) {
    const last = index === path.length - 1
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key),
      )
      if (!pair) return offset
      const keyNode = pair.key as Node
      const valueNode = pair.value as Node | null
      if (last && atKey) return keyNode.range?.[0] ?? offset
      node = valueNode
      offset = valueNode?.range?.[0] ?? keyNode.range?.[0] ?? offset
    } else if (isSeq(node)) {
      const item = node.items[Number(key)] as Node | undefined
      if (!item) return offset
      node = item
      offset = item.range?.[0] ?? offset
    } else {
      return offset
    }
  }
  return offset
}

/**
 * Where JSON text stops being JSON. `JSON.parse` does not say (Node 24 quotes a snippet), and
 * a person fixing a file needs the line.
 */
const jsonErrorOffset = (text: string): number => {
  let at = 0
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text.charAt(at))) at++
  }
  const expect = (char: string) => {
    space()
    if (text.charAt(at) !== char) throw at
    at++
  }
  const string = () => {
    expect('"')
    while (at < text.length) {
      const char = text.charAt(at)
      if (char === '"') {
        at++
        return
      }
      if (char < " ") throw at
      if (char === "\\") {
        at++
        const escaped = /^(["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(text.slice(at, at + 5))
        if (!escaped) throw at
        at += escaped[0].length
      } else at++
    }
    throw at
  }
  const items = (close: string, item: () => void) => {
    at++
    space()
    if (text.charAt(at) === close) {
      at++
      return
    }
    for (;;) {
      item()
      space()
      const char = text.charAt(at)
      if (char === close) {
        at++
        return
      }
      if (char !== ",") throw at
      at++
    }
  }
  const value = (): void => {
    space()
    const char = text.charAt(at)
    if (char === "{") {
      items("}", () => {
        string()
        expect(":")
        value()
      })
    } else if (char === "[") {
      items("]", value)
    } else if (char === '"') {
      string()
    } else {
      const word = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(at, at + 400))
      if (!word) throw at
      at += word[0].length
    }
  }
  try {
    value()
    space()
    return at < text.length ? at : 0
  } catch (offset) {
    return typeof offset === "number" ? offset : 0
  }
}

const syntax = (path: string, lineCounter: LineCounter, offset: number, reason: string) => {
  const { line, col } = lineCounter.linePos(offset)
  return policyError(path, line, col, "", reason)
}

/** Reads a policy from its text; `path` names it in errors and gives its format (by extension). */
export const parse = (text: string, path: string): Effect.Effect<Policy, PolicyError> =>
  Effect.gen(function* () {
    const format = extname(path).toLowerCase()
    if (![".yaml", ".yml", ".json"].includes(format)) {
      return yield* policyError(path, 0, 0, "", "a policy file must end in .yaml, .yml or .json")
    }
    const lineCounter = new LineCounter()
    // The YAML parser also gives JSON files their line numbers, and refuses duplicate keys in both.
    const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
    let input: unknown
    if (format === ".json") {
      try {
        input = JSON.parse(text)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        return yield* syntax(path, lineCounter, jsonErrorOffset(text), `not valid JSON: ${message.split("\n")[0]}`)
      }
    }
    const [yamlError] = document.errors
    if (yamlError) {
      return yield* syntax(
        path,
        lineCounter,
        yamlError.pos[0],
        `not valid ${format === ".json" ? "JSON" : "YAML"}: ${yamlError.message}`,
      )
    }
    if (format !== ".json") input = document.toJS()
    const file = yield* Schema.decodeUnknownEffect(PolicyFile)(input, {
      errors: "all",
      onExcessProperty: "error",
    }).pipe(
      Effect.mapError((error) => {
        const found = problems(error.issue, input).map((problem) => ({
          ...problem,
          offset: offsetOf(document.contents, problem.path, problem.atKey),
        }))
        // The first problem in the file is the one a person reads first.
        const first = found.sort((a, b) => a.offset - b.offset)[0]
        const { line, col } = lineCounter.linePos(first?.offset ?? 0)
        return policyError(path, line, col, fieldName(first?.path ?? []), first?.reason ?? error.message)
      }),
    )
    return fromFile(file)
  })

/** Reads and checks a policy file. */
export const load = (path: string): Effect.Effect<Policy, PolicyError> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (error) =>
      policyError(path, 0, 0, "", `cannot read: ${error instanceof Error ? error.message : String(error)}`),
  }).pipe(Effect.flatMap((text) => parse(text, path)))

import { fileURLToPath } from "node:url"
import type { Access } from "@crmkit/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Policy from "../src/Policy.ts"

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

const subject = (
  provider: string,
  resource: string,
  access: Access.Access,
  operationId = `${access}-${resource}`,
): Policy.Subject => ({ provider, resource, access, operationId, tool: `${provider}_${operationId}` })

/** Parses text that must be accepted. */
const policyOf = (text: string, path = "policy.yaml") => Effect.runSync(Policy.parse(text, path))

/** Parses text that must be refused, and returns the error. */
const refusal = (text: string, path = "policy.yaml") => Effect.runSync(Effect.flip(Policy.parse(text, path)))

describe("Policy file", () => {
  it.effect("accepts the example as written", () =>
    Effect.gen(function* () {
      const policy = yield* Policy.load(fixture("policy.yaml"))
      assert.deepStrictEqual(Policy.agents(policy), ["reader", "writer"])
      assert.deepStrictEqual(Policy.budgetOf(policy, "writer"), { perMinute: 120 })
      assert.strictEqual(Policy.budgetOf(policy, "reader"), undefined)
      assert.deepStrictEqual(policy.audit.redact, [])
    }),
  )

  it.effect("reads JSON by extension", () =>
    Effect.gen(function* () {
      const policy = yield* Policy.load(fixture("policy.json"))
      assert.deepStrictEqual(Policy.agents(policy), ["reader", "sender"])
      assert.deepStrictEqual(Policy.budgetOf(policy, "sender"), { perHour: 10 })
      assert.deepStrictEqual(policy.audit.redact, ["birthday"])
    }),
  )

  it("refuses a bad access word with its line, column and field", () => {
    const error = refusal(
      [
        "agents:",
        "  reader:",
        '    allow: ["keap:contacts:read"]',
        "  writer:",
        "    allow:",
        '      - "ghl:contacts:read"',
        '      - "ghl:contacts:wrte"',
      ].join("\n"),
    )
    assert.strictEqual(error._tag, "PolicyError")
    assert.strictEqual(error.line, 7)
    assert.strictEqual(error.column, 9)
    assert.strictEqual(error.field, "agents.writer.allow[1]")
    assert.strictEqual(
      error.message,
      'policy.yaml:7:9: agents.writer.allow[1]: "ghl:contacts:wrte" — access must be one of read, write, delete, send, money, or *',
    )
  })

  it("refuses an unknown key at the key", () => {
    const error = refusal(["agents:", "  writer:", '    allow: ["ghl:contacts:read"]', "    alow: []"].join("\n"))
    assert.strictEqual(error.line, 4)
    assert.strictEqual(error.column, 5)
    assert.strictEqual(error.field, "agents.writer.alow")
    assert.match(error.reason, /^unknown key \(expected one of allow, deny, confirm, constraints, budget\)$/)
  })

  it("refuses an unknown key at the top and inside a condition", () => {
    assert.strictEqual(refusal("agents: {}\naudits: {}\n").field, "audits")
    const error = refusal(
      [
        "agents:",
        "  writer:",
        "    constraints:",
        '      - match: "ghl:*:*"',
        "        when:",
        "          locationId: { is: loc-1 }",
      ].join("\n"),
    )
    assert.strictEqual(error.line, 6)
    assert.strictEqual(error.field, "agents.writer.constraints[0].when.locationId.is")
  })

  it("refuses a wrong type, naming what was expected and found", () => {
    const error = refusal(["agents:", "  reader:", '    allow: "keap:contacts:read"'].join("\n"))
    assert.strictEqual(error.line, 3)
    assert.strictEqual(error.column, 12)
    assert.strictEqual(error.field, "agents.reader.allow")
    assert.match(error.reason, /^expected .*array.*, got "keap:contacts:read"$/)

    const budget = refusal(["agents:", "  reader:", "    budget: { perMinute: fast }"].join("\n"))
    assert.strictEqual(budget.field, "agents.reader.budget.perMinute")
    assert.strictEqual(budget.line, 3)

    const count = refusal(["agents:", "  reader:", "    budget: { perHour: 1.5 }"].join("\n"))
    assert.strictEqual(count.field, "agents.reader.budget.perHour")
  })

  it("refuses a bad regular expression", () => {
    const error = refusal(
      [
        "agents:",
        "  writer:",
        '    allow: ["ghl:contacts:write"]',
        "    constraints:",
        '      - match: "ghl:contacts:write"',
        '        when: { "body.email": { matches: "[a-z" } }',
      ].join("\n"),
    )
    assert.strictEqual(error.line, 6)
    assert.strictEqual(error.field, 'agents.writer.constraints[0].when["body.email"].matches')
    assert.match(error.reason, /^"\[a-z" — not a valid regular expression/)
  })

  it("refuses a missing agents key, bad YAML, duplicate keys, a catch-all op: rule and other extensions", () => {
    assert.strictEqual(refusal("audit: { redact: [email] }\n").field, "agents")
    const yaml = refusal("agents:\n  reader:\n    allow: [unclosed\n")
    assert.match(yaml.reason, /^not valid YAML/)
    assert.isAbove(yaml.line, 0)
    const duplicate = refusal("agents:\n  reader: {}\n  reader: {}\n")
    assert.strictEqual(duplicate.line, 3)
    const op = refusal('agents:\n  x:\n    allow: ["keap:op:*"]\n')
    assert.match(op.reason, /an op: rule must name operations/)
    assert.match(refusal('agents:\n  x:\n    allow: ["keap:contacts"]\n').reason, /a rule is provider:resource:access/)
    assert.match(refusal("agents: {}", "policy.toml").message, /^policy\.toml: a policy file must end in/)
  })

  it("names a missing key and a value of the wrong kind", () => {
    const missing = refusal(["agents:", "  a:", "    constraints:", '      - match: "ghl:*:*"'].join("\n"))
    assert.strictEqual(missing.field, "agents.a.constraints[0].when")
    assert.strictEqual(missing.reason, "missing")
    const kind = refusal(
      ["agents:", "  a:", "    constraints:", '      - match: "ghl:*:*"', "        when: { a: { equals: [1] } }"].join(
        "\n",
      ),
    )
    assert.strictEqual(kind.field, "agents.a.constraints[0].when.a.equals")
    assert.strictEqual(kind.reason, "expected string | number | boolean | null, got [1]")
    assert.match(
      refusal(["agents:", "  a:", "    constraints:", '      - match: "ghl:*:*"', "        when: { a: {} }"].join("\n"))
        .reason,
      /a condition needs one of/,
    )
  })

  it("refuses bad JSON with its line", () => {
    const error = refusal('{\n  "agents": {\n    "reader": { "allow": ["keap:contacts:read",] }\n  }\n}\n', "p.json")
    assert.strictEqual(error.line, 3)
    assert.match(error.reason, /^not valid JSON/)
    const field = refusal('{\n  "agents": {\n    "reader": { "allow": ["keap:contacts:raed"] }\n  }\n}\n', "p.json")
    assert.strictEqual(field.line, 3)
    assert.strictEqual(field.field, "agents.reader.allow[0]")
  })

  it.effect("names the path when the file cannot be read", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Policy.load("/nonexistent/policy.yaml"))
      assert.strictEqual(error.line, 0)
      assert.match(error.message, /^\/nonexistent\/policy\.yaml: cannot read/)
    }),
  )
})

describe("Policy decisions", () => {
  const example = policyOf(
    [
      "agents:",
      "  reader:",
      '    allow: ["keap:contacts:read", "ghl:contacts:read"]',
      "  writer:",
      '    allow: ["ghl:contacts:read", "ghl:contacts:write"]',
      '    confirm: ["ghl:contacts:delete"]',
      "    constraints:",
      '      - match: "ghl:*:*"',
      '        when: { locationId: { in: ["loc-1"] } }',
      "    budget: { perMinute: 120 }",
    ].join("\n"),
  )

  it("denies by default", () => {
    const decision = Policy.decide(example, "reader", subject("ghl", "contacts", "delete"), {})
    assert.deepStrictEqual(decision, {
      decision: "deny",
      rule: "default",
      reason: "denied by default: no rule allows ghl:contacts:delete",
    })
    assert.strictEqual(Policy.decide(example, "stranger", subject("keap", "contacts", "read"), {}).decision, "deny")
  })

  it("allows, confirms and checks constraints as in the example", () => {
    assert.deepStrictEqual(Policy.decide(example, "reader", subject("keap", "Contact", "read"), {}), {
      decision: "allow",
      rule: "keap:contacts:read",
      reason: 'allowed by "keap:contacts:read"',
    })
    const confirm = Policy.decide(example, "writer", subject("ghl", "contacts", "delete"), { locationId: "loc-1" })
    assert.strictEqual(confirm.decision, "confirm")
    assert.strictEqual(confirm.rule, "ghl:contacts:delete")
    assert.match(confirm.reason, /needs a person to confirm/)
    const refused = Policy.decide(example, "writer", subject("ghl", "contacts", "write"), { locationId: "loc-2" })
    assert.deepStrictEqual(refused, {
      decision: "deny",
      rule: "ghl:*:*",
      reason: 'refused by the constraint on "ghl:*:*": locationId "loc-2" is not one of loc-1',
    })
    // The constraint also holds for a call that needs confirming.
    assert.strictEqual(
      Policy.decide(example, "writer", subject("ghl", "contacts", "delete"), { locationId: "loc-2" }).decision,
      "deny",
    )
  })

  it("deny beats confirm beats allow", () => {
    const policy = policyOf(
      [
        "agents:",
        "  a:",
        '    allow: ["ghl:*:*", "ghl:contacts:delete", "ghl:notes:delete"]',
        '    confirm: ["ghl:contacts:delete", "ghl:notes:delete", "ghl:tags:write"]',
        '    deny: ["ghl:notes:delete", "ghl:opportunities:*"]',
      ].join("\n"),
    )
    const decisionOf = (resource: string, access: Access.Access) =>
      Policy.decide(policy, "a", subject("ghl", resource, access), {}).decision
    assert.strictEqual(decisionOf("notes", "delete"), "deny")
    assert.strictEqual(decisionOf("contacts", "delete"), "confirm")
    assert.strictEqual(decisionOf("tags", "write"), "confirm")
    assert.strictEqual(decisionOf("contacts", "write"), "allow")
    // A deny with `*` access covers every access, delete and money included.
    assert.strictEqual(decisionOf("opportunities", "read"), "deny")
    assert.strictEqual(decisionOf("opportunities", "money"), "deny")
  })

  it("a * access grants read and write only; delete, send and money must be named", () => {
    const policy = policyOf(
      [
        "agents:",
        "  a:",
        '    allow: ["*:*:*", "keap:orders:money", "ghl:*:delete"]',
        '    confirm: ["keap:emails:*"]',
      ].join("\n"),
    )
    const decisionOf = (provider: string, resource: string, access: Access.Access) =>
      Policy.decide(policy, "a", subject(provider, resource, access), {})
    assert.strictEqual(decisionOf("keap", "contacts", "read").decision, "allow")
    assert.strictEqual(decisionOf("keap", "contacts", "write").decision, "allow")
    assert.strictEqual(decisionOf("keap", "contacts", "delete").decision, "deny")
    assert.strictEqual(decisionOf("keap", "orders", "money").decision, "allow")
    assert.strictEqual(decisionOf("keap", "subscriptions", "money").decision, "deny")
    assert.strictEqual(decisionOf("ghl", "contacts", "delete").decision, "allow")
    assert.strictEqual(decisionOf("ghl", "conversations", "send").decision, "deny")
    // A confirm rule with `*` access does not confirm a send either.
    const send = decisionOf("keap", "emails", "send")
    assert.strictEqual(send.decision, "deny")
    assert.match(send.reason, /"keap:emails:\*" grants only read and write: name send in a rule to allow it/)
    assert.strictEqual(decisionOf("keap", "emails", "write").decision, "confirm")
  })

  it("names resources as the catalog does, with globs in each part", () => {
    const policy = policyOf(
      ["agents:", "  a:", '    allow: ["keap:Contact:read", "g?l:custom*:read", "*:tag*:write"]'].join("\n"),
    )
    const decisionOf = (provider: string, resource: string, access: Access.Access) =>
      Policy.decide(policy, "a", subject(provider, resource, access), {}).decision
    assert.strictEqual(decisionOf("keap", "contacts", "read"), "allow")
    assert.strictEqual(decisionOf("KEAP", "contacts", "read"), "allow")
    assert.strictEqual(decisionOf("ghl", "custom-fields", "read"), "allow")
    assert.strictEqual(decisionOf("ghl", "customValues", "read"), "allow")
    assert.strictEqual(decisionOf("keap", "tags", "write"), "allow")
    assert.strictEqual(decisionOf("keap", "tags", "delete"), "deny")
    assert.strictEqual(decisionOf("keap", "companies", "read"), "deny")
  })

  it("op: rules name operations by id, whatever their access", () => {
    const policy = policyOf(
      [
        "agents:",
        "  a:",
        '    allow: ["keap:op:send*", "ghl:op:create-contact"]',
        '    deny: ["keap:op:sendSms"]',
      ].join("\n"),
    )
    const decisionOf = (provider: string, operationId: string, access: Access.Access) =>
      Policy.decide(policy, "a", subject(provider, "emails", access, operationId), {}).decision
    assert.strictEqual(decisionOf("keap", "sendEmail", "send"), "allow")
    assert.strictEqual(decisionOf("keap", "send-email", "send"), "allow")
    assert.strictEqual(decisionOf("keap", "sendSms", "send"), "deny")
    assert.strictEqual(decisionOf("keap", "listEmails", "read"), "deny")
    assert.strictEqual(decisionOf("ghl", "createContact", "write"), "allow")
    assert.strictEqual(decisionOf("ghl", "sendEmail", "send"), "deny")
  })

  describe("constraints", () => {
    const policy = policyOf(
      [
        "agents:",
        "  a:",
        '    allow: ["ghl:*:*", "keap:*:*"]',
        "    constraints:",
        '      - match: "ghl:contacts:write"',
        "        when:",
        '          locationId: { equals: "loc-1" }',
        "          source: { forbidden: true }",
        '      - match: "ghl:notes:*"',
        "        when:",
        "          contact.id: { required: true }",
        '          email: { matches: "[a-z]+@example\\\\.com" }',
        '      - match: "keap:*:*"',
        "        when:",
        "          tags: { in: [1, 2] }",
      ].join("\n"),
    )
    const decide = (resource: string, access: Access.Access, args: unknown, provider = "ghl") =>
      Policy.decide(policy, "a", subject(provider, resource, access), args)

    it("equals, forbidden", () => {
      assert.strictEqual(decide("contacts", "write", { locationId: "loc-1" }).decision, "allow")
      assert.match(decide("contacts", "write", { locationId: "loc-9" }).reason, /locationId "loc-9" is not "loc-1"$/)
      assert.match(decide("contacts", "write", {}).reason, /locationId is missing \(must be "loc-1"\)$/)
      assert.match(
        decide("contacts", "write", { locationId: "loc-1", body: { source: "x" } }).reason,
        /source must not be given$/,
      )
      // Only the subjects the constraint matches are checked.
      assert.strictEqual(decide("contacts", "read", {}).decision, "allow")
    })

    it("required, matches, dotted paths and body.", () => {
      const ok = { contact: { id: "c1" }, body: { email: "ann@example.com" } }
      assert.strictEqual(decide("notes", "write", ok).decision, "allow")
      assert.strictEqual(
        decide("notes", "write", { contact: { id: "c1" }, email: "ann@example.com" }).decision,
        "allow",
      )
      assert.strictEqual(
        decide("notes", "write", { body: { contact: { id: "c1" }, email: "ann@example.com" } }).decision,
        "allow",
      )
      assert.match(decide("notes", "write", { body: { email: "ann@example.com" } }).reason, /contact\.id is required$/)
      // The expression must match the whole value.
      assert.match(
        decide("notes", "write", { contact: { id: "c1" }, email: "ann@example.com.evil" }).reason,
        /email "ann@example.com.evil" does not match/,
      )
    })

    it("an explicit body. path looks only in the body", () => {
      const strict = policyOf(
        [
          "agents:",
          "  a:",
          '    allow: ["ghl:notes:write"]',
          "    constraints:",
          '      - match: "ghl:notes:write"',
          '        when: { "body.status": { in: [open] } }',
        ].join("\n"),
      )
      const decideNote = (args: unknown) => Policy.decide(strict, "a", subject("ghl", "notes", "write"), args).decision
      assert.strictEqual(decideNote({ body: { status: "open" } }), "allow")
      assert.strictEqual(decideNote({ status: "open" }), "deny")
      assert.strictEqual(decideNote({ body: { status: "closed" } }), "deny")
    })

    it("in checks each item of a list", () => {
      assert.strictEqual(decide("contacts", "write", { tags: [1, 2] }, "keap").decision, "allow")
      assert.strictEqual(decide("contacts", "write", { tags: 2 }, "keap").decision, "allow")
      assert.match(decide("contacts", "write", { tags: [1, 3] }, "keap").reason, /tags 3 is not one of 1, 2$/)
    })
  })

  it("a `*` agent applies to every agent", () => {
    const policy = policyOf(
      [
        "agents:",
        '  "*":',
        '    allow: ["*:*:read"]',
        '    deny: ["keap:orders:*"]',
        "    budget: { perHour: 5 }",
        "  w:",
        '    allow: ["keap:*:write"]',
      ].join("\n"),
    )
    assert.strictEqual(Policy.decide(policy, "anyone", subject("ghl", "contacts", "read"), {}).decision, "allow")
    assert.strictEqual(Policy.decide(policy, "w", subject("keap", "contacts", "write"), {}).decision, "allow")
    assert.strictEqual(Policy.decide(policy, "w", subject("keap", "orders", "read"), {}).decision, "deny")
    assert.deepStrictEqual(Policy.budgetOf(policy, "w"), { perHour: 5 })
  })

  it("readOnly reads everything and does nothing else", () => {
    assert.strictEqual(Policy.decide(Policy.readOnly, "any", subject("keap", "contacts", "read"), {}).decision, "allow")
    assert.strictEqual(Policy.decide(Policy.readOnly, "*", subject("ghl", "notes", "read"), {}).decision, "allow")
    for (const access of ["write", "delete", "send", "money"] as const) {
      assert.strictEqual(
        Policy.decide(Policy.readOnly, "any", subject("keap", "contacts", access), {}).decision,
        "deny",
      )
    }
    assert.strictEqual(Policy.budgetOf(Policy.readOnly, "any"), undefined)
  })

  it("lists a tool when some rule could allow or confirm it, and hides denied ones", () => {
    assert.isTrue(Policy.visible(example, "writer", subject("ghl", "contacts", "delete")))
    assert.isTrue(Policy.visible(example, "writer", subject("ghl", "contacts", "write")))
    assert.isFalse(Policy.visible(example, "writer", subject("ghl", "opportunities", "write")))
    assert.isFalse(Policy.visible(example, "reader", subject("ghl", "contacts", "write")))
    const denied = policyOf('agents:\n  a:\n    allow: ["ghl:*:*"]\n    deny: ["ghl:contacts:write"]\n')
    assert.isFalse(Policy.visible(denied, "a", subject("ghl", "contacts", "write")))
    assert.isTrue(Policy.visible(denied, "a", subject("ghl", "contacts", "read")))
  })

  it("check gives every agent's decision for every tool, naming the constraints", () => {
    const subjects = [subject("ghl", "contacts", "write"), subject("keap", "contacts", "read")]
    const rows = Policy.check(example, subjects)
    assert.deepStrictEqual(
      rows.map((row) => [row.agent, row.subject.provider, row.subject.access, row.decision.decision]),
      [
        ["reader", "ghl", "write", "deny"],
        ["reader", "keap", "read", "allow"],
        ["writer", "ghl", "write", "allow"],
        ["writer", "keap", "read", "deny"],
      ],
    )
    assert.match(rows[2]?.decision.reason ?? "", /when locationId in loc-1$/)
  })
})

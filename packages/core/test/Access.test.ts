import { describe, expect, it } from "vitest"
import * as Access from "../src/Access.ts"
import type { CatalogEntry } from "../src/Operation.ts"

const entry = (id: string, method: CatalogEntry["method"], resource: string): CatalogEntry => ({
  id,
  method,
  path: `/${resource}`,
  summary: id,
  resource,
  access: method === "GET" ? "read" : "write",
  idempotent: method !== "POST",
  parameters: [],
  hasBody: method === "POST",
  bodyRequired: false,
})

const risks: Access.Risks = { money: ["orders"], sends: ["sendEmail"] }
const catalog = [
  entry("listOrders", "GET", "orders"),
  entry("createOrder", "POST", "order"),
  entry("sendEmail", "POST", "email"),
  entry("deleteContact", "DELETE", "contact"),
  entry("createContact", "POST", "contact"),
]

describe("Access", () => {
  it("classifies an operation: reads, sends, money, deletes, other writes", () => {
    expect(catalog.map((e) => Access.ofOperation(e, risks))).toEqual(["read", "money", "send", "delete", "write"])
    expect(Access.ofOperation(catalog[1]!)).toBe("write")
  })

  it("an action can do the most of what its operations can", () => {
    expect(Access.ofOperations(["createContact", "deleteContact"], catalog, risks)).toBe("delete")
    expect(Access.ofOperations(["listOrders"], catalog, risks)).toBe("read")
    expect(Access.ofOperations(["unknown"], catalog, risks)).toBe("write")
  })

  it("one resource by any of its names", () => {
    expect(Access.sameResource("custom-fields", "customField")).toBe(true)
    expect(Access.sameResource("Opportunities", "opportunity")).toBe(true)
    expect(Access.sameResource("contacts", "companies")).toBe(false)
  })
})

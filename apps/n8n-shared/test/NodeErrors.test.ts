import { CrmError, CrmErrors } from "@crmkit/core"
import { NodeApiError, NodeOperationError } from "n8n-workflow"
import { describe, expect, it } from "vitest"
import { errorItem, toNodeError } from "../src/NodeErrors.ts"

const node = { id: "1", name: "Keap", type: "t", typeVersion: 1, position: [0, 0] as [number, number], parameters: {} }

describe("NodeErrors", () => {
  it("turns a provider refusal into a NodeApiError with the HTTP code and trace id", () => {
    const error = new CrmError({
      reason: new CrmErrors.NotFound({
        provider: "ghl",
        message: "Contact not found",
        status: 404,
        requestId: "trace-123",
        request: "GET /contacts/x",
        operation: "get-contact",
      }),
    })
    const mapped = toNodeError(node, error, 3)
    expect(mapped).toBeInstanceOf(NodeApiError)
    expect(mapped.message).toContain("Contact not found")
    expect(mapped.description).toContain("Trace id: trace-123")
    expect((mapped as NodeApiError).httpCode).toBe("404")
    expect(mapped.context.itemIndex).toBe(3)
    expect(errorItem(error)).toEqual({
      error: error.message,
      kind: "NotFound",
      status: 404,
      traceId: "trace-123",
      operation: "get-contact",
    })
  })

  it("turns input refused before sending into a NodeOperationError naming the field", () => {
    const error = CrmErrors.invalidInput(
      "keap",
      [{ field: "body.email", message: "expected an email address" }],
      "createContact",
    )
    const mapped = toNodeError(node, error, 0)
    expect(mapped).toBeInstanceOf(NodeOperationError)
    expect(mapped.description).toContain("body.email: expected an email address")
  })
})

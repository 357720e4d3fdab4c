/** TestCRM's API by operation id (written by hand: it has no OpenAPI spec). */
import { type Operation, OperationRegistry } from "@crmkit/core"
import { Schema } from "effect"
import { TestCrmClient } from "./TestCrmClient.ts"

export const Deal = Schema.Struct({
  id: Schema.String,
  title: Schema.String,
  /** Cents. */
  amount: Schema.Number,
  /** The contact the deal is with, if any. */
  contactId: Schema.NullOr(Schema.String),
  /** One of the pipeline's fixed stages: `lead`, `proposal`, `won`, `lost`. */
  stage: Schema.String,
  createdAt: Schema.String,
  updatedAt: Schema.String,
})
export type Deal = typeof Deal.Type

export const NewDeal = Schema.Struct({
  title: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(100)).annotate({ description: "What is sold" }),
  amount: Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)).annotate({ description: "Value, in cents" }),
})

const DealPage = Schema.Struct({ data: Schema.Array(Deal), next_cursor: Schema.NullOr(Schema.String) })

const operation = <I, O>(
  entry: Omit<Operation.Operation<I, O>, "input" | "output">,
  input: Schema.Codec<I, unknown>,
  output: Schema.Codec<O, unknown>,
): Operation.Operation => ({ ...entry, input, output }) as unknown as Operation.Operation

export const operations: Readonly<Record<string, Operation.Operation>> = {
  "list-deals": operation(
    {
      id: "list-deals",
      method: "GET",
      path: "/deals",
      summary: "List deals, oldest first",
      resource: "deals",
      access: "read",
      idempotent: true,
      parameters: [
        { name: "cursor", in: "query", required: false },
        { name: "limit", in: "query", required: false },
      ],
      hasBody: false,
      bodyRequired: false,
      pagination: {
        style: "cursor-token",
        items: "data",
        params: { tokenParam: "cursor", nextToken: "next_cursor", sizeParam: "limit" },
      },
    },
    Schema.Struct({
      cursor: Schema.optionalKey(Schema.String),
      limit: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 }))),
    }),
    DealPage,
  ),
  "get-deal": operation(
    {
      id: "get-deal",
      method: "GET",
      path: "/deals/{id}",
      summary: "Get a deal",
      resource: "deals",
      access: "read",
      idempotent: true,
      parameters: [{ name: "id", in: "path", required: true }],
      hasBody: false,
      bodyRequired: false,
    },
    Schema.Struct({ id: Schema.String }),
    Deal,
  ),
  "create-deal": operation(
    {
      id: "create-deal",
      method: "POST",
      path: "/deals",
      summary: "Create a deal",
      resource: "deals",
      access: "write",
      idempotent: false,
      parameters: [],
      hasBody: true,
      bodyRequired: true,
    },
    Schema.Struct({ body: NewDeal }),
    Deal,
  ),
}

export const registry = OperationRegistry.make({
  provider: "testcrm",
  title: "TestCRM",
  operations,
  client: TestCrmClient,
  pageSize: 20,
})

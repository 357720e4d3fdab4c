/** What people automate in TestCRM, as actions: the vocabulary every app shows. */
import { Action } from "@crmkit/core"
import { Schema } from "effect"
import type { TestCrmClient } from "./TestCrmClient.ts"
import { type Deal, NewDeal, registry } from "./TestCrmOperations.ts"

export const actions: ReadonlyArray<Action.Action<any, unknown, TestCrmClient>> = [
  Action.stream({
    resource: "deals",
    name: "list",
    description: "Every deal, all pages",
    access: "read",
    input: Schema.Struct({ page_size: Schema.optional(Schema.Int.annotate({ description: "Records per request" })) }),
    operations: ["list-deals"],
    hints: { label: "List deals" },
    run: (input: { readonly page_size?: number | undefined }) =>
      registry.stream("list-deals", {}, { pageSize: input.page_size }),
  }),
  Action.single({
    resource: "deals",
    name: "get",
    description: "Get one deal by id",
    access: "read",
    input: Schema.Struct({ id: Schema.String.annotate({ description: "The deal id" }) }),
    operations: ["get-deal"],
    run: (input: { readonly id: string }) => registry.call("get-deal", input),
  }),
  Action.single({
    resource: "deals",
    name: "create",
    description: "Create a deal",
    access: "write",
    input: NewDeal,
    operations: ["create-deal"],
    hints: {
      label: "Create a deal",
      sample: { id: "d1", title: "Annual plan", amount: 120000 } satisfies Partial<Deal>,
    },
    run: (input: typeof NewDeal.Type) => registry.call("create-deal", { body: input }),
  }),
]

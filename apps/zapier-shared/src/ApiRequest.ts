/**
 * The "API Request" action of both apps: any catalog operation by id, except those that move
 * money (Zapier's publishing rules forbid financial transactions). The choice list is built
 * from the provider's catalog, so it needs no request.
 */
import { Access, type Operation, type OperationRegistry } from "@crmkit/core"
import type { Bundle, ZObject } from "zapier-platform-core"
import type { Connection } from "./Connection.ts"
import * as Definitions from "./Definitions.ts"

// Writes on these resources charge, refund or bill: never offered, refused if named.
const moneyMoving =
  /payment|subscription|transaction|refund|charge|merchant|credit.?card|billing|invoice|wallet|coupon/i

export const isMoneyMoving = (entry: Operation.CatalogEntry, risks?: Access.Risks): boolean =>
  entry.access === "write" &&
  (moneyMoving.test(`${entry.id} ${entry.path}`) || Access.ofOperation(entry, risks) === "money")

export interface Choice {
  readonly id: string
  readonly name: string
}

/** Dropdown rows (id + readable name) of the operations the action may run. */
export const choices = (catalog: ReadonlyArray<Operation.CatalogEntry>, risks?: Access.Risks): Array<Choice> =>
  catalog
    .filter((entry) => !isMoneyMoving(entry, risks))
    .map((entry) => ({
      id: entry.id,
      name: `${entry.method} ${entry.path} (${entry.id})${entry.summary ? `: ${entry.summary}` : ""}`,
    }))

/** Parses a JSON object field, or explains which field is wrong. */
export const jsonObject = (field: string, value: unknown): Record<string, unknown> | string => {
  if (value === undefined || value === null || value === "") return {}
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(String(value))
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>
  } catch {}
  return `${field} must be a JSON object, e.g. {"contact_id": "12"}`
}

/** The hidden trigger behind the Operation dropdown. */
export const dropdown = (catalog: ReadonlyArray<Operation.CatalogEntry>, risks?: Access.Risks) =>
  Definitions.dropdown({
    key: "operation_list",
    noun: "Operation",
    label: "List API Operations",
    perform: async () => choices(catalog, risks),
  })

/**
 * The action itself. `call` runs the operation through the app's connection; `complete` may
 * fill parameters the connection implies (HighLevel's `locationId`).
 */
export const action = (spec: {
  readonly provider: string
  readonly catalog: ReadonlyArray<Operation.CatalogEntry>
  readonly example: string
  readonly sample: Definitions.Sample
  readonly call: (z: ZObject, bundle: Bundle, id: string, input: Record<string, unknown>) => Promise<unknown>
  /** The provider's money resources (`Connector.Runtime.risks`). */
  readonly risks?: Access.Risks | undefined
  readonly complete?:
    | ((
        entry: Operation.CatalogEntry | undefined,
        input: Record<string, unknown>,
        bundle: Bundle,
      ) => Record<string, unknown>)
    | undefined
}) =>
  Definitions.create({
    key: "api_request",
    noun: "API Request",
    label: "API Request",
    description: `Runs any ${spec.provider} API operation by its id (payments and subscriptions excluded).`,
    inputFields: [
      { key: "operation", label: "Operation", required: true, dynamic: "operation_list.id.name" },
      {
        key: "input",
        label: "Input (JSON)",
        type: "text",
        helpText: `Path and query parameters by name, and \`body\` for the request body, e.g. \`${spec.example}\`.`,
      },
    ],
    sample: spec.sample,
    perform: async (z, bundle) => {
      const id = Definitions.required(z, bundle, "operation", "Operation")
      const input = jsonObject("Input (JSON)", bundle.inputData.input)
      if (typeof input === "string") return Definitions.invalid(z, input)
      const entry = spec.catalog.find((e) => e.id === id)
      if (entry !== undefined && isMoneyMoving(entry, spec.risks)) {
        return Definitions.invalid(z, `${id} moves money, which Zapier integrations may not do.`)
      }
      const body = await spec.call(z, bundle, id, spec.complete?.(entry, input, bundle) ?? input)
      return { id, status: 200, body }
    },
  })

/** The action over a connector's operations, run as the connected account (the registry fills the context). */
export const forConnection = <R>(
  connection: Connection<R>,
  catalog: ReadonlyArray<Operation.CatalogEntry>,
  registry: OperationRegistry.Registry<R>,
  spec: { readonly example: string; readonly sample?: Definitions.Sample | undefined },
) =>
  action({
    provider: connection.runtime.connector.title,
    catalog,
    example: spec.example,
    // What the action answers: the operation's id, its status and its body.
    sample: spec.sample ?? { id: catalog.find((e) => e.access === "read")?.id ?? "operation", status: 200, body: {} },
    risks: connection.runtime.risks,
    call: (z, bundle, id, input) => connection.run(z, bundle, registry.call(id, input)),
  })

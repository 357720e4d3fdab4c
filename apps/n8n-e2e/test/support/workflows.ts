/** Builds n8n workflow JSON: a Manual Trigger feeding nodes, chained or in parallel. */
import type { Workflow } from "./RealN8n.ts"

export interface NodeSpec {
  readonly name: string
  readonly type: string
  readonly parameters: Record<string, unknown>
  readonly credentials?: Record<string, { readonly id: string; readonly name: string }>
  /** The node that feeds this one (default: the Manual Trigger). */
  readonly after?: string
  readonly onError?: "continueRegularOutput"
  readonly executeOnce?: boolean
  readonly typeVersion?: number
  /** Trigger nodes: the id in their webhook path. */
  readonly webhookId?: string
}

export const TRIGGER = "Start"

export const workflow = (id: string, name: string, specs: ReadonlyArray<NodeSpec>, trigger?: NodeSpec): Workflow => {
  const start: NodeSpec = trigger ?? { name: TRIGGER, type: "n8n-nodes-base.manualTrigger", parameters: {} }
  const nodes = [start, ...specs].map((spec, index) => ({
    id: `${id}-${index}`,
    name: spec.name,
    type: spec.type,
    typeVersion: spec.typeVersion ?? 1,
    position: [index * 220, 0],
    parameters: spec.parameters,
    ...(spec.credentials === undefined ? {} : { credentials: spec.credentials }),
    ...(spec.onError === undefined ? {} : { onError: spec.onError }),
    ...(spec.executeOnce === undefined ? {} : { executeOnce: spec.executeOnce }),
    ...(spec.webhookId === undefined ? {} : { webhookId: spec.webhookId }),
  }))
  const connections: Record<string, { main: Array<Array<{ node: string; type: "main"; index: 0 }>> }> = {}
  for (const spec of specs) {
    const from = spec.after ?? start.name
    connections[from] ??= { main: [[]] }
    connections[from].main[0]?.push({ node: spec.name, type: "main", index: 0 })
  }
  return { id, name, nodes, connections }
}

/** The "Authentication" choice of a node and the credentials each choice shows. */
import type { INodeCredentialDescription, INodeProperties } from "n8n-workflow"

export interface Choice {
  readonly name: string
  /** The credential type. */
  readonly value: string
}

export const choose = (
  choices: ReadonlyArray<Choice>,
  defaultType: string,
): { readonly property: INodeProperties; readonly credentials: Array<INodeCredentialDescription> } => ({
  property: {
    displayName: "Authentication",
    name: "authentication",
    type: "options",
    options: [...choices].sort((a, b) => a.name.localeCompare(b.name)),
    default: defaultType,
  },
  credentials: choices.map((choice) => ({
    name: choice.value,
    required: true,
    displayOptions: { show: { authentication: [choice.value] } },
  })),
})

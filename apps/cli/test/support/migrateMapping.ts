/** What a person does with `crmkit migrate plan`'s proposals for the sandbox's Keap and GHL. */

/** Maps Keap's stages without a same-named GHL stage, and Keap's second user, in the proposed YAML. */
export const editProposals = (proposed: string): string => {
  const edits: ReadonlyArray<readonly [string, string]> = [
    ["Qualified: null", "Qualified: Quote sent"],
    ["Won: null", "Won: Closing"],
    ["sales@sandbox.example.com: null", "sales@sandbox.example.com: owner@sandbox.example.com"],
  ]
  let text = proposed
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`the proposals have no "${from}" to edit:\n${proposed}`)
    text = text.replace(from, to)
  }
  return text
}

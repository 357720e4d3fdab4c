/**
 * `crmkit contcts --help` would print the parent's help and exit 0, as if it were a
 * command: before effect/cli runs, the words of the command line are walked down the
 * command tree, and the first one that names no subcommand fails with the nearest names.
 */
import { editDistance } from "@crmkit/core/Words"
import type { Command } from "effect/cli"

type Node = Pick<Command.Command.Any, "name" | "alias" | "subcommands">

const childrenOf = (node: Node): ReadonlyArray<Node> => node.subcommands.flatMap((group) => group.commands)

/** The shared flags: those that take a value hide the next word; a command's own flag ends the walk. */
const valueFlags = new Set(["--base-url", "--profile", "--completions", "--log-level"])
const switches = new Set([
  "--sandbox",
  "--progress",
  "--no-progress",
  "--verbose",
  "--dry-run",
  "--help",
  "-h",
  "--wizard",
])

/** Why the command line names no command, with the nearest ones; undefined when it does. */
export const check = (root: Node, argv: ReadonlyArray<string>): string | undefined => {
  let node = root
  let path = root.name
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word.startsWith("-")) {
      const flag = word.split("=")[0]!
      if (valueFlags.has(flag)) {
        if (!word.includes("=")) i++
        continue
      }
      if (switches.has(flag)) continue
      // A command's own flag (`sandbox --port 0`): what follows may be its value, not a command.
      return undefined
    }
    const children = childrenOf(node)
    // A leaf: the rest are its arguments.
    if (children.length === 0) return undefined
    const next = children.find((child) => child.name === word || child.alias === word)
    if (next === undefined) {
      // Here, or one level down (`crmkit contacts` → `crmkit keap contacts`).
      const candidates = children.flatMap((child) => [
        { words: child.name, last: child.name, depth: 0 },
        ...childrenOf(child).map((grandchild) => ({
          words: `${child.name} ${grandchild.name}`,
          last: grandchild.name,
          depth: 1,
        })),
      ])
      const score = (c: (typeof candidates)[number]) =>
        editDistance(word, c.last) - (c.last.startsWith(word) ? 10 : 0) + c.depth
      const nearest = candidates
        .sort((a, b) => score(a) - score(b) || a.words.localeCompare(b.words))
        .slice(0, 3)
        .map((c) => `"${path} ${c.words}"`)
      return `unknown command "${path} ${word}"; did you mean ${nearest.join(", ")}? (${path} --help lists them)`
    }
    node = next
    path = `${path} ${next.name}`
  }
  return undefined
}

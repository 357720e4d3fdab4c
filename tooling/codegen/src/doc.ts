/**
 * A tiny pretty-printer for the emitted TypeScript: an expression is printed on one
 * line when it fits in the line width, otherwise its arguments, properties or
 * elements go one per line with trailing commas (the repository's biome style:
 * double quotes, no semicolons, 2-space indent, 120 columns).
 */

export type Doc =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Call"; readonly callee: string; readonly args: ReadonlyArray<Doc>; readonly suffix: string }
  | { readonly _tag: "Object"; readonly entries: ReadonlyArray<readonly [string, Doc]> }
  | { readonly _tag: "Array"; readonly items: ReadonlyArray<Doc> }
  | { readonly _tag: "Concat"; readonly parts: ReadonlyArray<Doc> }

export const text = (value: string): Doc => ({ _tag: "Text", text: value })

/** `callee(arg, ...)suffix`; `suffix` lets method chains follow a call (e.g. `.check(...)`). */
export const call = (callee: string, args: ReadonlyArray<Doc>, suffix = ""): Doc => ({
  _tag: "Call",
  callee,
  args,
  suffix,
})

export const object = (entries: ReadonlyArray<readonly [string, Doc]>): Doc => ({ _tag: "Object", entries })

export const array = (items: ReadonlyArray<Doc>): Doc => ({ _tag: "Array", items })

export const concat = (...parts: ReadonlyArray<Doc>): Doc => ({ _tag: "Concat", parts })

/** A JSON-like literal (string, number, boolean, null, arrays, plain objects). */
export const literal = (value: unknown): Doc => {
  if (Array.isArray(value)) return array(value.map(literal))
  if (value !== null && typeof value === "object") {
    return object(Object.entries(value).map(([key, inner]) => [propertyKey(key), literal(inner)] as const))
  }
  return text(value === undefined ? "undefined" : JSON.stringify(value))
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** An object key as written in source: bare when it is an identifier, quoted otherwise. */
export const propertyKey = (key: string): string => (IDENTIFIER.test(key) ? key : JSON.stringify(key))

const flatCache = new WeakMap<Doc, string>()

/** The one-line rendering of a document. */
export const flat = (doc: Doc): string => {
  const cached = flatCache.get(doc)
  if (cached !== undefined) return cached
  let out: string
  switch (doc._tag) {
    case "Text":
      out = doc.text
      break
    case "Call":
      out = `${doc.callee}(${doc.args.map(flat).join(", ")})${doc.suffix}`
      break
    case "Object":
      out = doc.entries.length === 0 ? "{}" : `{ ${doc.entries.map(([k, v]) => `${k}: ${flat(v)}`).join(", ")} }`
      break
    case "Array":
      out = `[${doc.items.map(flat).join(", ")}]`
      break
    case "Concat":
      out = doc.parts.map(flat).join("")
      break
  }
  flatCache.set(doc, out)
  return out
}

/**
 * Renders `doc` starting at column `column` of a line indented by `indent` spaces.
 * `tail` is the number of characters that will follow on the same line (e.g. a comma).
 */
export const render = (doc: Doc, indent: number, column: number, width = 120, tail = 0): string => {
  const oneLine = flat(doc)
  if (column + oneLine.length + tail <= width && !oneLine.includes("\n")) return oneLine
  const pad = " ".repeat(indent + 2)
  const close = " ".repeat(indent)
  switch (doc._tag) {
    case "Text":
      return doc.text
    case "Call": {
      // A single object/array/call argument hugs the parentheses: `f({` ... `})`.
      const only = doc.args.length === 1 ? doc.args[0]! : undefined
      if (only !== undefined && (only._tag === "Object" || only._tag === "Array")) {
        return `${doc.callee}(${render(only, indent, column + doc.callee.length + 1, width, tail + 1 + doc.suffix.length)})${doc.suffix}`
      }
      const args = doc.args.map((arg) => `${pad}${render(arg, indent + 2, indent + 2, width, 1)},`)
      return `${doc.callee}(\n${args.join("\n")}\n${close})${doc.suffix}`
    }
    case "Object": {
      const entries = doc.entries.map(([key, value]) => {
        const prefix = `${key}: `
        return `${pad}${prefix}${render(value, indent + 2, indent + 2 + prefix.length, width, 1)},`
      })
      return `{\n${entries.join("\n")}\n${close}}`
    }
    case "Array": {
      const items = doc.items.map((item) => `${pad}${render(item, indent + 2, indent + 2, width, 1)},`)
      return `[\n${items.join("\n")}\n${close}]`
    }
    case "Concat": {
      let out = ""
      let col = column
      doc.parts.forEach((part, index) => {
        const rest = doc.parts
          .slice(index + 1)
          .map(flat)
          .join("")
        const piece = render(part, indent, col, width, index === doc.parts.length - 1 ? tail : rest.length + tail)
        out += piece
        const lastLine = piece.lastIndexOf("\n")
        col = lastLine === -1 ? col + piece.length : piece.length - lastLine - 1
      })
      return out
    }
  }
}

/** `export const name = <doc>` (or any other statement head), rendered at top level. */
export const statement = (head: string, doc: Doc): string => `${head}${render(doc, 0, head.length)}`

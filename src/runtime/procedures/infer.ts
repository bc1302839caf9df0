/**
 * The input schema of a procedure saved without one: an object with a property for each
 * `input.<name>` (or `input["name"]`, or `const { name } = input`) the program reads, of any type.
 */
import { parseBody } from "../../code/parse.js"
import type { JSONSchema } from "../../tools/tool.js"

interface AnyNode {
  type: string
  [key: string]: unknown
}

const isNode = (value: unknown): value is AnyNode => typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"
const isInput = (node: unknown) => isNode(node) && node.type === "Identifier" && node.name === "input"

/** Property names the program reads from `input`, in order of first use. */
export function inputFields(js: string): string[] {
  const parsed = parseBody(js)
  if (!parsed.ok) return []
  const fields = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (!isNode(node)) return
    if (node.type === "MemberExpression" && isInput(node.object)) {
      const property = node.property as AnyNode
      const name = node.computed ? (property.type === "Literal" && typeof property.value === "string" ? property.value : undefined) : (property.name as string)
      if (name !== undefined) fields.add(name)
    }
    if (node.type === "VariableDeclarator" && isInput(node.init) && isNode(node.id) && node.id.type === "ObjectPattern") {
      for (const p of node.id.properties as AnyNode[]) {
        const key = p.key as AnyNode | undefined
        if (p.type === "Property" && key && !p.computed && typeof key.name === "string") fields.add(key.name)
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== "loc" && typeof value === "object") visit(value)
  }
  visit(parsed.program)
  return [...fields]
}

/** `{ type: "object", properties: { <field>: {} } }` for the fields `js` reads from `input`. */
export function inferInputSchema(js: string): JSONSchema {
  const properties = Object.fromEntries(inputFields(js).map((name) => [name, { description: `Read by the procedure as input.${name}.` }]))
  return { type: "object", properties }
}

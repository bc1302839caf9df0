/**
 * Which `codemode.<namespace>` a program refers to, found in its syntax tree (not in strings or
 * comments): `codemode.github.search(…)` and `codemode["github"]`. Aliases (`const { github } =
 * codemode`) are not followed: rare in model code, and such a program fails when it runs instead.
 */
import type { Node } from "acorn"
import { parseBody } from "./parse.js"

/** A reference to a namespace: its name and where it is (1-based, in the code given). */
export interface NamespaceReference {
  namespace: string
  line: number
  column: number
}

interface MemberLike extends Node {
  object?: Node & { name?: string }
  property?: Node & { name?: string; value?: unknown }
  computed?: boolean
}

/** Every `codemode.<ns>` member access in `js`, in source order; [] when it does not parse. */
export function namespaceReferences(js: string): NamespaceReference[] {
  const parsed = parseBody(js)
  if (!parsed.ok) return []
  const found: NamespaceReference[] = []
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (node === null || typeof node !== "object" || typeof (node as { type?: unknown }).type !== "string") return
    const n = node as MemberLike
    if (n.type === "MemberExpression" && n.object?.type === "Identifier" && n.object.name === "codemode" && n.property) {
      const name = n.computed ? (typeof n.property.value === "string" ? n.property.value : undefined) : n.property.name
      const at = n.property.loc?.start ?? n.loc?.start
      if (name !== undefined && at) found.push({ namespace: name, line: at.line, column: at.column + 1 })
    }
    for (const [key, value] of Object.entries(n)) if (key !== "loc" && typeof value === "object") visit(value)
  }
  visit(parsed.program)
  return found.sort((a, b) => a.line - b.line || a.column - b.column)
}

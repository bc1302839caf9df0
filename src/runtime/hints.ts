/**
 * Hints for errors a model can fix itself: calling a tool or namespace that does not exist shows up
 * in the sandbox as "not a function" / "cannot read property of undefined"; we name what exists.
 */
import type { Tool } from "../tools/tool.js"

/** Most names listed in one hint. */
const MAX_NAMES = 12

function list(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).join(", ")
  return names.length > MAX_NAMES ? `${shown}, … (${names.length} in all)` : shown
}

/**
 * A hint for the `codemode.<ns>.<tool>` references on `line` that do not exist, or `undefined` when
 * every reference is a known tool.
 */
export function unknownToolHint(line: string, tools: readonly Tool[]): string | undefined {
  const byNamespace = new Map<string, string[]>()
  for (const t of tools) byNamespace.set(t.namespace, [...(byNamespace.get(t.namespace) ?? []), t.name])
  for (const match of line.matchAll(/\bcodemode\s*\.\s*([A-Za-z_$][\w$]*)(?:\s*\.\s*([A-Za-z_$][\w$]*))?/g)) {
    const [, ns, name] = match
    const names = byNamespace.get(ns ?? "")
    if (!names) {
      const namespaces = [...byNamespace.keys()]
      return `codemode.${ns} does not exist; namespaces: ${namespaces.length > 0 ? list(namespaces) : "(none)"}`
    }
    if (name !== undefined && !names.includes(name)) return `codemode.${ns}.${name} does not exist; tools in ${ns}: ${list(names)}`
  }
  return undefined
}

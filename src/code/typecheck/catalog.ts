/**
 * A catalog as the worker holds it: the declarations the checker reads (no docs, `unknown` as
 * results of unknown type as `any`) and the model they came from, which renders a tool's signature for a diagnostic.
 */
import type TsModule from "typescript"
import { buildDeclarations, type DeclaredTool } from "../../types/declarations.js"
import { createCompiler, type Compiler, type LibCache } from "./compiler.js"
import type { ToolRef } from "./tools.js"

type Ts = typeof TsModule

/** Longest signature attached to a diagnostic, in characters. */
const MAX_SIGNATURE_CHARS = 3_000

export interface LoadedCatalog {
  compiler: Compiler
  /** The tool's declaration with one level of its types and their first sentences. */
  signature(tool: ToolRef): string | undefined
  /** For "Property 'x' does not exist on type 'typeof ns'" without a suggestion: the tools there are. */
  missingToolHint(message: string): string | undefined
}

/** Most tool names listed in a hint. */
const MAX_NAMES = 20

/** Lower-case words of an identifier (`listZones`, `list_zones` → list, zone), plurals folded. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w.length > 3 && w.endsWith("s") ? w.slice(0, -1) : w))
}

/** Names whose words overlap most with `missing`'s (Jaccard), best first (ties: shorter first); none that share no word. */
function similarNames(missing: string, names: readonly string[]): string[] {
  const wanted = new Set(words(missing))
  return names
    .map((name) => {
      const own = new Set(words(name))
      const shared = [...own].filter((w) => wanted.has(w)).length
      return { name, score: shared / (own.size + wanted.size - shared) }
    })
    .filter((n) => n.score > 0)
    .sort((a, b) => b.score - a.score || a.name.length - b.name.length || (a.name < b.name ? -1 : 1))
    .map((n) => n.name)
}

export function loadCatalog(ts: Ts, tools: readonly DeclaredTool[], libs: LibCache): LoadedCatalog {
  const declarations = buildDeclarations(tools, { docs: "none" })
  // Namespaces without tools still exist in the sandbox only if declared; every namespace here has one.
  const compiler = createCompiler(ts, declarations.namespaces.length ? declarations.text() : "declare namespace codemode {}\n", libs)
  const signatures = new Map<string, string | undefined>()
  const byNamespace = new Map<string, string[]>()
  for (const t of tools) byNamespace.set(t.namespace, [...(byNamespace.get(t.namespace) ?? []), t.name])
  return {
    compiler,
    missingToolHint(message) {
      const match = /^Property '([^']+)' does not exist on type 'typeof ([\w$]+)'\.$/.exec(message)
      if (!match) return undefined
      const [, missing = "", ns = ""] = match
      if (ns === "codemode") return `Namespaces: ${[...new Set([...byNamespace.keys()].map((k) => k.split(".")[0]))].join(", ")}.`
      const names = byNamespace.get(ns)
      if (!names) return undefined
      if (names.length <= MAX_NAMES) return `Tools in ${ns}: ${names.join(", ")}.`
      const near = similarNames(missing, names).slice(0, MAX_NAMES)
      const count = names.length.toLocaleString("en-US")
      return near.length ? `Similar tools in ${ns}: ${near.join(", ")} (${count} in all: search for the right one).` : `${ns} has ${count} tools: search for the right one.`
    },
    signature(tool) {
      const key = `${tool.namespace}.${tool.name}`
      if (!signatures.has(key)) {
        let text = declarations.tool(tool.namespace, tool.name, { docs: "summary", maxDepth: 1 })
        if (text && text.length > MAX_SIGNATURE_CHARS) text = `${text.slice(0, text.lastIndexOf("\n", MAX_SIGNATURE_CHARS))}\n  … (cut: search for the types it uses)\n}`
        signatures.set(key, text)
      }
      return signatures.get(key)
    },
  }
}

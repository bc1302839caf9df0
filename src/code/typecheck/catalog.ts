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
const MAX_NAMES = 12

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
      const ns = /^Property '[^']+' does not exist on type 'typeof ([\w$]+)'\.$/.exec(message)?.[1]
      const names = ns === undefined ? undefined : byNamespace.get(ns)
      if (!names) return undefined
      const shown = names.slice(0, MAX_NAMES).join(", ")
      return `Tools in ${ns}: ${shown}${names.length > MAX_NAMES ? `, … (${names.length} in all; search for the right one)` : ""}.`
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

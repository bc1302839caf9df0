/**
 * Code search: the model writes a program over the catalog's view (`tools: ToolView[]`, see
 * catalog/view.ts) and gets back the tools it picked, rendered as `search` renders its hits — or any
 * other value it returned, as JSON. The program runs like `execute` (same executor, same limits, a
 * fresh sandbox) with no bindings: the view is data copied in as JSON, built once per catalog.
 */
import { normalizeCode, type NormalizedCode } from "../code/normalize.js"
import { CodeModeError } from "../errors.js"
import { toolHit } from "../search/hit.js"
import type { HitDetail } from "../search/render.js"
import type { Executor, Limits, LogLine } from "../sandbox/executor.js"
import type { Tool } from "../tools/tool.js"
import type { Catalog, CatalogHit } from "./catalog.js"
import { mapError, syntaxResult, type ExecuteError } from "./results.js"

/** The global a search program reads (and a wrapper function with a parameter is called with). */
export const VIEW_GLOBAL = "tools"

/** What a search found (`ok`), or why the search program failed. */
export type SearchResult = SearchFound | SearchFailed

export interface SearchFound {
  ok: true
  /**
   * Rendered hits: the first in full, the others one line each (or all in full with `detail:
   * "full"`); at most `limit`. For a query, the closest tools marked `good: false` when nothing
   * matches well.
   */
  hits: CatalogHit[]
  /** How many tools matched: a search program may return more than `limit`. */
  matched: number
  /**
   * Present (even when undefined) only when a search program returned something other than tools
   * or their names, e.g. the tags in use: that value, and no hits.
   */
  value?: unknown
  /** The search program's console output. */
  logs: LogLine[]
  /** What the caller should know, e.g. that embeddings failed and the ranking is lexical only. */
  warnings?: string[]
}

export interface SearchFailed {
  ok: false
  /** As `execute` reports it: kind, message, line and column in the program as sent, excerpt. */
  error: ExecuteError
  logs: LogLine[]
}

/** What a code search needs from the instance. */
export interface CodeSearchEnvironment {
  executor(): Promise<Executor>
  catalog(): Catalog
  limits: Readonly<Limits>
}

/** Options of one code search. */
export interface CodeSearchOptions {
  limit: number
  detail?: HitDetail | undefined
  signal?: AbortSignal | undefined
}

/**
 * A JS string literal holding `json` in ASCII only, so that sandbox columns on its line count the
 * same as here (the prefix shares line 1 with the program).
 */
const asciiLiteral = (json: string): string => JSON.stringify(json).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** `code` behind `prefix` on its first line, positions still mapped to the program as sent. */
function behind(prefix: string, code: NormalizedCode): NormalizedCode {
  return {
    ...code,
    js: prefix + code.js,
    toOriginal: (at) => code.toOriginal(at.line === 1 && at.column !== undefined ? { line: 1, column: Math.max(1, at.column - prefix.length) } : at),
  }
}

/** Tools by how a program may name them: `codemode.ns.name`, `ns.name`, a view record, or a name unique among namespaces. */
function toolFinder(tools: readonly Tool[]): (item: unknown) => Tool | undefined {
  const byKey = new Map(tools.map((t) => [`${t.namespace}.${t.name}`, t]))
  const byName = new Map<string, Tool | null>()
  for (const t of tools) byName.set(t.name, byName.has(t.name) ? null : t)
  return (item) => {
    if (typeof item === "string") {
      const key = item.replace(/^codemode\./, "").replace(/\(.*$/s, "")
      return byKey.get(key) ?? byName.get(key) ?? undefined
    }
    if (typeof item !== "object" || item === null) return undefined
    const { namespace, name } = item as { namespace?: unknown; name?: unknown }
    if (typeof name !== "string") return undefined
    return typeof namespace === "string" ? byKey.get(`${namespace}.${name}`) : (byName.get(name) ?? undefined)
  }
}

/** The tools a returned value names, in order and once each; undefined when it is not (only) tools. */
function pickedTools(value: unknown, tools: readonly Tool[]): Tool[] | undefined {
  const items = Array.isArray(value) ? value : [value]
  const find = toolFinder(tools)
  const picked = new Set<Tool>()
  for (const item of items) {
    const tool = find(item)
    if (!tool) return undefined
    picked.add(tool)
  }
  return [...picked]
}

/** Runs a code search; creates the sandbox prefix of a catalog once and keeps it while the catalog lasts. */
export function createCodeSearch(env: CodeSearchEnvironment): (code: string, options: CodeSearchOptions) => Promise<SearchResult> {
  let prepared: { catalog: Catalog; prefix: string } | undefined
  const prefixOf = (catalog: Catalog): string => {
    if (prepared?.catalog !== catalog) prepared = { catalog, prefix: `globalThis.${VIEW_GLOBAL} = JSON.parse(${asciiLiteral(catalog.view())}); ` }
    return prepared.prefix
  }
  return async function codeSearch(code, options) {
    const startedAt = performance.now()
    let normalized: NormalizedCode
    try {
      normalized = await normalizeCode(String(code), { entryArgument: VIEW_GLOBAL })
    } catch (error) {
      if (!CodeModeError.is(error, "CODE_INVALID")) throw error
      const failed = syntaxResult(error, startedAt)
      return { ok: false, error: failed.error, logs: [] }
    }
    const catalog = env.catalog()
    const program = behind(prefixOf(catalog), normalized)
    const outcome = await (await env.executor()).run(program.js, {}, { ...env.limits }, options.signal)
    if (!outcome.ok) return { ok: false, error: mapError(outcome.error, program, catalog.tools), logs: outcome.logs }
    const picked = pickedTools(outcome.value, catalog.tools)
    if (!picked) return { ok: true, hits: [], matched: 0, value: outcome.value, logs: outcome.logs }
    const hits = catalog.render(picked.slice(0, options.limit).map((tool) => toolHit(tool, 1, 1)), { detail: options.detail })
    return { ok: true, hits, matched: picked.length, logs: outcome.logs }
  }
}

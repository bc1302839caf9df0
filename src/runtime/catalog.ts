/**
 * The catalog the faces show the model, built from the current tools: whether the declarations are
 * small enough to hand over whole (then `execute` alone carries them), and otherwise a search index
 * whose best hit renders as a TypeScript declaration and the others as one-line signatures.
 * Rebuilt only when the tool list changes.
 */
import { renderHits, type HitDetail, type RenderedHit } from "../search/render.js"
import { createSearchIndex, type SearchHit, type SearchIndex } from "../search/search.js"
import { catalogViewJson } from "../search/view.js"
import type { Tool } from "../tools/tool.js"
import { generateDeclarations } from "../types/declarations.js"
import { tokenizer } from "../lazy.js"
import type { DocMode } from "../types/jsdoc.js"

/** Options of {@link createCatalogCache}. */
export interface CatalogOptions {
  /**
   * Declarations of at most this many o200k tokens go whole into the `execute` description (no
   * `search` tool); bigger catalogs are searched. Default {@link DEFAULT_TOKEN_BUDGET}.
   */
  tokenBudget?: number
  /** Documentation in each full search hit's signature. Default "summary" (first sentence, defaults, formats). */
  hitDocs?: DocMode
  /**
   * The best hit also shows the types its argument and result types use (one level deeper than the
   * others) when that keeps it within this many tokens. Default {@link DEFAULT_TOP_HIT_TOKENS}.
   */
  topHitTokens?: number
}

/** Default token allowance of the best hit's deeper signature. */
export const DEFAULT_TOP_HIT_TOKENS = 1_500

/** Default budget of declarations shown whole: 4,000 o200k tokens. */
export const DEFAULT_TOKEN_BUDGET = 4_000

/** Options of {@link Catalog.search}. */
export interface CatalogSearchOptions {
  /** Most hits. Default 5. */
  limit?: number
  /** Only this namespace. Default: all. */
  namespace?: string
  /**
   * "compact": the best hit in full (function, JSDoc, argument and result types), the others as
   * one-line signatures; "full": every hit in full. Default "compact".
   */
  detail?: HitDetail
}

/** One namespace and how many tools it has. */
export interface NamespaceInfo {
  name: string
  tools: number
}

/** A snapshot of the tools as the model gets to know them. */
export interface Catalog {
  readonly tools: readonly Tool[]
  /** "execute": the declarations fit the budget and are shown whole; "search": they are found by search. */
  readonly mode: "execute" | "search"
  /** In "execute" mode, the declarations shown (full docs, or first sentences when only those fit). */
  readonly declarations?: string
  /** o200k tokens of `declarations`, in "execute" mode. */
  readonly declarationTokens?: number
  /** Namespaces in source order. */
  readonly namespaces: readonly NamespaceInfo[]
  /** The complete declarations with full docs (built on first call, then kept): what `codemode types` prints. */
  fullDeclarations(): string
  /** o200k tokens of {@link Catalog.fullDeclarations} (counted on first call, then kept). */
  fullTokens(): number
  /**
   * Ranked hits; the index is built on the first search. When nothing matches well (see
   * `SearchIndexOptions.minRelevance`), the closest tools instead, compact and marked `good: false`;
   * an empty list only when no tool shares a word with the query.
   */
  search(query: string, options?: CatalogSearchOptions): CatalogHit[]
  /**
   * Hits of a ranking of the caller's (a code search, a fused ranking) rendered as `search` renders
   * its own: the first in full, the others as `detail` says (default "compact").
   */
  render(hits: readonly SearchHit[], options?: { detail?: HitDetail }): CatalogHit[]
  /** Every tool as the JSON array of `ToolView`s a search program gets (built on first call, then kept). */
  view(): string
  /** The lexical index `search` ranks with (built on first use, then kept). */
  index(): SearchIndex
}

/** A rendered hit and whether it matches the query well. */
export interface CatalogHit extends RenderedHit {
  /** False for the closest tools shown when nothing matches well. */
  good: boolean
}

/** Keeps the catalog of a changing tool list. */
export interface CatalogCache {
  /** The catalog of the tools `getTools()` returns now; the same object while they do not change. */
  current(): Catalog
}

/** Cheapest a declared function can be (`function x(args: XArgs): Promise<…>` plus its types). */
const MIN_TOKENS_PER_TOOL = 10

function namespacesOf(tools: readonly Tool[]): NamespaceInfo[] {
  const counts = new Map<string, number>()
  for (const tool of tools) counts.set(tool.namespace, (counts.get(tool.namespace) ?? 0) + 1)
  return [...counts].map(([name, n]) => ({ name, tools: n }))
}

/** The declarations that fit `budget` (full docs first, then summaries) and their tokens, if any do. */
function fittingDeclarations(tools: readonly Tool[], budget: number): { text: string; tokens: number } | undefined {
  // A sound lower bound spares generating megabytes of declarations for big APIs.
  if (tools.length * MIN_TOKENS_PER_TOOL > budget) return undefined
  for (const docs of ["full", "summary"] as const) {
    const text = generateDeclarations([...tools], { docs })
    const tokens = tokenizer().isWithinTokenLimit(text, budget)
    if (tokens !== false) return { text, tokens }
  }
  return undefined
}

/** Builds the catalog of `tools` (a snapshot: later changes to the array are not seen). */
export function createCatalog(tools: readonly Tool[], options: CatalogOptions = {}): Catalog {
  const list = [...tools]
  const budget = options.tokenBudget ?? DEFAULT_TOKEN_BUDGET
  const hitDocs = options.hitDocs ?? "summary"
  const topHitTokens = options.topHitTokens ?? DEFAULT_TOP_HIT_TOKENS
  const fitting = fittingDeclarations(list, budget)
  let index: SearchIndex | undefined
  let full: string | undefined
  let fullTokens: number | undefined
  let view: string | undefined
  const fullDeclarations = () => (full ??= generateDeclarations(list, { docs: "full" }))
  /** The best hit in full (one level deeper while that fits `topHitTokens`), the others as `detail` says. */
  const renderRanked = (hits: readonly SearchHit[], detail: HitDetail | undefined): CatalogHit[] => {
    if (hits.length === 0) return []
    const [best, ...rest] = hits as [SearchHit, ...SearchHit[]]
    const deeper = renderHits([best], { docs: hitDocs, maxDepth: 2 })[0] as RenderedHit
    const top = tokenizer().isWithinTokenLimit(deeper.signature, topHitTokens) !== false ? deeper : (renderHits([best], { docs: hitDocs })[0] as RenderedHit)
    const others = renderHits(rest, { docs: hitDocs, detail: detail ?? "compact" })
    return [top, ...others].map((h) => ({ ...h, good: true }))
  }
  return {
    tools: list,
    mode: fitting === undefined ? "search" : "execute",
    ...(fitting === undefined ? {} : { declarations: fitting.text, declarationTokens: fitting.tokens }),
    namespaces: namespacesOf(list),
    fullDeclarations,
    fullTokens: () => (fullTokens ??= tokenizer().countTokens(fullDeclarations())),
    search(query, searchOptions = {}) {
      index ??= createSearchIndex(list)
      const options = {
        ...(searchOptions.limit === undefined ? {} : { limit: searchOptions.limit }),
        ...(searchOptions.namespace === undefined ? {} : { namespace: searchOptions.namespace }),
      }
      const hits = index.search(query, options)
      if (hits.length === 0) {
        const closest = index.search(query, { ...options, cutoff: false })
        return renderHits(closest, { detail: "compact" }).map((h) => ({ ...h, good: false }))
      }
      return renderRanked(hits, searchOptions.detail)
    },
    render: (hits, renderOptions = {}) => renderRanked(hits, renderOptions.detail),
    view: () => (view ??= catalogViewJson(list)),
    index: () => (index ??= createSearchIndex(list)),
  }
}

const sameTools = (a: readonly Tool[], b: readonly Tool[]): boolean => a.length === b.length && a.every((t, i) => t === b[i])

/**
 * A catalog that follows `getTools()` (e.g. `cm.tools`): rebuilt when the tool objects change (a
 * source reloaded after a list change), reused otherwise.
 */
export function createCatalogCache(getTools: () => readonly Tool[], options: CatalogOptions = {}): CatalogCache {
  let cached: Catalog | undefined
  return {
    current() {
      const tools = getTools()
      if (!cached || !sameTools(cached.tools, tools)) cached = createCatalog(tools, options)
      return cached
    },
  }
}

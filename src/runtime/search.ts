/**
 * `search` with a request object, as the MCP `search` tool takes it: a query in words (ranked by the
 * lexical index, fused with embedding similarity when an endpoint is configured) or a program over
 * the catalog (code-search.ts). Async, unlike the plain-string form: a program runs in the sandbox,
 * and embeddings come over HTTP.
 */
import { CodeModeError, codemodeError } from "../errors.js"
import { checkEmbeddingsOptions, EMBEDDINGS_DEFAULTS, type EmbeddingsOptions } from "../search/embeddings.js"
import { reciprocalRankFusion } from "../search/fusion.js"
import { toolHit } from "../search/hit.js"
import type { HitDetail } from "../search/render.js"
import type { SemanticRanker } from "../search/semantic.js"
import type { Catalog, CatalogHit } from "./catalog.js"
import { createCodeSearch, type CodeSearchEnvironment, type SearchResult } from "./code-search.js"

export type { SearchResult, SearchFound, SearchFailed } from "./code-search.js"

/** Default number of hits of a search. */
export const DEFAULT_SEARCH_HITS = 5

/** What to search for: `query` (words) or `code` (a program over `tools`), not both. */
export interface SearchRequest {
  /** The task in plain words, e.g. "list DNS records of a zone". */
  query?: string
  /**
   * A JavaScript program over `tools` (every tool as a `ToolView`: namespace, name, summary,
   * description, method, path, tags, parameters) returning the tools it picks, best first, as
   * records or names (`"github.pulls_list"`); e.g. `tools.filter((t) => t.method === "DELETE")`.
   * A function (`(tools) => …`) is called with them. Any other value comes back as `value`.
   */
  code?: string
  /** Most hits. Default {@link DEFAULT_SEARCH_HITS}. */
  limit?: number
  /** Only this namespace (a query only: a program filters `t.namespace` itself). */
  namespace?: string
  /** "compact" (default): the first hit in full, the others one line each; "full": all in full. */
  detail?: HitDetail
}

/** Options of one search request. */
export interface SearchRequestOptions {
  /** Stops a search program (`error.kind` "aborted"). */
  signal?: AbortSignal
}

/** `search` in codemode.json and `createCodeMode({ search })`. */
export interface SearchSettings {
  /**
   * An OpenAI-compatible embeddings endpoint: queries are then ranked by reciprocal-rank fusion of
   * the lexical ranking and embedding similarity. When the endpoint fails, the ranking is lexical
   * with a warning. Default: none (lexical only).
   */
  embeddings?: EmbeddingsOptions
}

/** What the request form of search needs from the instance. */
export interface SearchEnvironment extends CodeSearchEnvironment {
  settings?: SearchSettings | undefined
  /** Told when embeddings fail and the ranking falls back to lexical (once per failure, not per search). */
  onError?: ((error: CodeModeError) => void) | undefined
}

/** How deep each ranking goes into the fusion. */
export const FUSION_DEPTH = 50

const ORIGIN = "search"

/**
 * The query's hits ranked by the fusion of the lexical ranking and `ranker`'s, rendered; every hit
 * counts as good (the lexical cut-off has no say over a meaning match), `relevance` stays lexical.
 */
async function fusedHits(catalog: Catalog, ranker: SemanticRanker, query: string, options: { limit: number; namespace?: string | undefined; detail?: HitDetail | undefined; signal?: AbortSignal | undefined }): Promise<CatalogHit[]> {
  const pool = options.namespace === undefined ? catalog.tools : catalog.tools.filter((t) => t.namespace === options.namespace)
  if (pool.length === 0) return []
  const lexical = catalog.index().search(query, { limit: FUSION_DEPTH, cutoff: false, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) })
  const semantic = (await ranker.rank(pool, query, options.signal)).slice(0, FUSION_DEPTH)
  const relevance = new Map(lexical.map((h) => [h.tool, h.relevance]))
  const fused = reciprocalRankFusion([lexical.map((h) => h.tool), semantic.map((h) => h.tool)]).slice(0, options.limit)
  return catalog.render(fused.map(({ item, score }) => toolHit(item, score, relevance.get(item) ?? 0)), { detail: options.detail })
}

/** Answers search requests for one instance. */
export function createSearch(env: SearchEnvironment): (request: SearchRequest, options?: SearchRequestOptions) => Promise<SearchResult> {
  const codeSearch = createCodeSearch(env)
  const embeddings = env.settings?.embeddings
  // checked now (a bad config fails createCodeMode); the ranker's module loads with the first query
  if (embeddings) checkEmbeddingsOptions(embeddings)
  let ranker: Promise<SemanticRanker> | undefined
  const getRanker = () => (ranker ??= import("../search/semantic.js").then(({ createSemanticRanker }) => createSemanticRanker(embeddings as EmbeddingsOptions)))
  /** Until when the endpoint is left alone after a failure. */
  let downUntil = 0
  /** Fused hits when embeddings are configured and up; no hits (rank lexically), with a warning when they are down. */
  async function tryFused(catalog: Catalog, query: string, options: Parameters<typeof fusedHits>[3]): Promise<{ hits?: CatalogHit[]; warning?: string }> {
    if (!embeddings) return {}
    if (Date.now() < downUntil) return { warning: "[codemode] [embeddings] the endpoint failed recently; ranked lexically until it is tried again" }
    try {
      return { hits: await fusedHits(catalog, await getRanker(), query, options) }
    } catch (error) {
      if (options.signal?.aborted) throw error
      downUntil = Date.now() + (embeddings.retryAfterMs ?? EMBEDDINGS_DEFAULTS.retryAfterMs)
      const failure = CodeModeError.is(error) ? error : codemodeError("SOURCE_UNAVAILABLE", "embeddings", String(error), { cause: error })
      env.onError?.(failure)
      return { warning: `${failure.message}; ranked lexically` }
    }
  }
  return async function search(request, options = {}) {
    const { query, code, namespace, detail } = request ?? {}
    if ((query === undefined) === (code === undefined)) {
      throw codemodeError("CONFIG_INVALID", ORIGIN, "a search takes either query (words) or code (a program over `tools`)")
    }
    const limit = request.limit ?? DEFAULT_SEARCH_HITS
    if (!Number.isInteger(limit) || limit < 1) throw codemodeError("CONFIG_INVALID", ORIGIN, `limit must be a positive integer, got ${JSON.stringify(limit)}`)
    if (code !== undefined) {
      if (typeof code !== "string") throw codemodeError("CONFIG_INVALID", ORIGIN, `code must be a string, got ${typeof code}`)
      if (namespace !== undefined) throw codemodeError("CONFIG_INVALID", ORIGIN, "namespace applies to a query; a search program filters t.namespace itself")
      return codeSearch(code, { limit, detail, signal: options.signal })
    }
    if (typeof query !== "string") throw codemodeError("CONFIG_INVALID", ORIGIN, `query must be a string, got ${typeof query}`)
    const catalog = env.catalog()
    const fused = await tryFused(catalog, query, { limit, namespace, detail, signal: options.signal })
    const hits = fused.hits ?? catalog.search(query, { limit, ...(namespace === undefined ? {} : { namespace }), ...(detail === undefined ? {} : { detail }) })
    return { ok: true, hits, matched: hits.filter((h) => h.good).length, logs: [], ...(fused.warning ? { warnings: [fused.warning] } : {}) }
  }
}

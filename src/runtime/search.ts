/**
 * `search` with a request object, as the MCP `search` tool takes it: a query in words (ranked by the
 * lexical index) or a program over the catalog (code-search.ts). Async, unlike the plain-string form,
 * because a program runs in the sandbox.
 */
import { codemodeError } from "../errors.js"
import type { HitDetail } from "../catalog/render.js"
import type { Catalog } from "./catalog.js"
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

const ORIGIN = "search"

/** Answers search requests for one instance. */
export function createSearch(env: CodeSearchEnvironment): (request: SearchRequest, options?: SearchRequestOptions) => Promise<SearchResult> {
  const codeSearch = createCodeSearch(env)
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
    const catalog: Catalog = env.catalog()
    const hits = catalog.search(query as string, { limit, ...(namespace === undefined ? {} : { namespace }), ...(detail === undefined ? {} : { detail }) })
    return { ok: true, hits, matched: hits.filter((h) => h.good).length, logs: [] }
  }
}

/**
 * The ranked tool index: BM25F over each tool's name, summary, description, parameters, tags and
 * path, queried with expanded groups (action synonyms, abbreviations, thesaurus concepts) and
 * re-ranked by intent (the query's action against the tool's) and by how much of each summary the
 * query covers. Everything runs locally, without any
 * network call: building the index over ~1,500 operations takes a few hundred milliseconds and a
 * query a few milliseconds (bench/search).
 */
import { CodeModeError } from "../errors.js"
import type { Tool } from "../tools/tool.js"
import { createBm25f, type FieldParams } from "./bm25.js"
import { toolDocument, type Field, type ToolDocument } from "./document.js"
import { exactness, exactQuery } from "./exact.js"
import { matchGroups } from "./match.js"
import { compileLexicon, parseQuery, type ExpansionOptions, type ParsedQuery } from "./query.js"
import { CRUD_ACTIONS, RELATED_ACTIONS, type Action } from "./synonyms.js"

/** One search result. */
export interface SearchHit {
  /** The call as written in code: `codemode.<namespace>.<name>`. */
  name: string
  namespace: string
  /** Relevance; only comparable within one result list. */
  score: number
  /** The spec's operationId, for OpenAPI tools. */
  operationId?: string
  /**
   * How well the tool answers the query, 0…1, comparable across queries: the IDF-weighted share of
   * the query's words it carries (see match.ts); 1 when the query is its summary or name (see exact.ts).
   */
  relevance: number
  tool: Tool
}

/** Options of {@link SearchIndex.search}. */
export interface SearchOptions {
  /** Maximum number of hits. Default {@link DEFAULT_SEARCH_LIMIT}. */
  limit?: number
  /** Only tools of this namespace. Default: all. */
  namespace?: string
  /**
   * Apply the relevance cut-off: no hit when none of the top `limit` reaches
   * {@link SearchIndexOptions.minRelevance} (nothing matches well), otherwise the hits scoring at
   * least {@link SearchIndexOptions.relativeCutoff} of the best. `false` returns the plain ranking
   * (e.g. the closest names when nothing matches well). Default true.
   */
  cutoff?: boolean
}

/** Options of {@link createSearchIndex}. */
export interface SearchIndexOptions extends ExpansionOptions {
  /** Field weights and length normalisation. Default {@link DEFAULT_FIELD_PARAMS}. */
  fields?: Partial<Record<Field, FieldParams>>
  /** BM25 term-frequency saturation. Default 1.2. */
  k1?: number
  /**
   * Score multiplier for a tool whose action (list, get, create, update, delete …) is the one the
   * query asks for. Default 0.3 (×1.3); 0 turns intent matching off.
   */
  intentBoost?: number
  /** Score multiplier lost by a tool with a different CRUD action than the query's. Default 0.15. */
  intentPenalty?: number
  /**
   * Second pass on the summary: the score is multiplied by `1 + s × covered`, where `covered` is the
   * weighted share of the summary's terms the query matches. Default 0.5; 0 turns it off.
   */
  summaryBoost?: number
  /** Score share a deprecated tool loses (its description starts with "Deprecated"). Default 0.15. */
  deprecatedPenalty?: number
  /**
   * How much the share of query groups a tool matches counts: the score is multiplied by
   * `(1 - c) + c × matched / groups`. Default 0.4; 0 turns it off.
   */
  coverage?: number
  /**
   * Boost of a tool whose summary or name the query (nearly) is: the score is multiplied by
   * `1 + e × exactness²`, exactness being the better of summary and name (see exact.ts): "get a
   * repository" → "Get a repository". Default 1; 0 turns it off.
   */
  exactBoost?: number
  /**
   * Least {@link SearchHit.relevance} of a good match: when no hit in the top `limit` reaches it,
   * nothing matches well and `search` returns no hit. Default {@link DEFAULT_MIN_RELEVANCE}, set
   * on the benchmark's tasks with no answer (docs/search.md).
   */
  minRelevance?: number
  /** Hits scoring less than this share of the best hit's score are cut. Default {@link DEFAULT_RELATIVE_CUTOFF}. */
  relativeCutoff?: number
  /**
   * Relevance multiplier of a tool whose CRUD action clashes with the query's (a tool that reads,
   * for "delete a file"), however many of the query's other words it carries. Default 0.5.
   */
  mismatchRelevance?: number
  /** Exponent of the exactness in {@link exactBoost}. Default 2. */
  exactPower?: number
  /**
   * Tools whose summary or name the query is exactly (same words, ignoring stop words, stems and
   * order) rank before all others. Default true.
   */
  exactFirst?: boolean
  /**
   * An expansion of a word the catalog knows never counts for more than the word itself: its score
   * is scaled by the word's IDF over its own when it is the rarer one ("get" → "check" must not
   * outweigh "get"). Default true.
   */
  capExpansions?: boolean
}

/** A searchable catalog of tools. */
export interface SearchIndex {
  /** Number of indexed tools. */
  readonly size: number
  /** Ranked matches for `query`, best first; an empty or stop-word-only query gives no hits. */
  search(query: string, options?: SearchOptions): SearchHit[]
  /** How the query was understood (groups, alternatives, action): for debugging and tests. */
  explain(query: string): ParsedQuery
}

/** Default number of hits. */
export const DEFAULT_SEARCH_LIMIT = 5

/**
 * Default least relevance of a good match, set on the benchmark's tuning and revision splits: it
 * flags 16 of the 20 tuning tasks the API cannot do, and 5 of the 128 queries whose answer is in
 * the top 5 (all paraphrases; the answer is then among the closest names). See docs/search.md.
 */
export const DEFAULT_MIN_RELEVANCE = 0.35

/**
 * Default share of the best score a hit needs: the expected answers in the tuning split's top 5
 * score at least 0.38 of the best.
 */
export const DEFAULT_RELATIVE_CUTOFF = 0.3

/** Default field parameters: names and summaries say what a tool does, descriptions ramble. */
export const DEFAULT_FIELD_PARAMS: Readonly<Record<Field, FieldParams>> = {
  name: { weight: 3, b: 0.5 },
  summary: { weight: 4, b: 0.5 },
  description: { weight: 0.6, b: 0.75 },
  params: { weight: 0.4, b: 0.75 },
  tags: { weight: 1.5, b: 0.3 },
  path: { weight: 1.2, b: 0.5 },
  resource: { weight: 1.5, b: 0 },
  namespace: { weight: 0.5, b: 0 },
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new CodeModeError("CONFIG_INVALID", `[codemode] [search] limit must be a positive integer, got ${String(limit)}.`)
  }
  return limit
}

const READS: ReadonlySet<Action> = new Set(["list", "get"])

function intentFactor(parsed: ParsedQuery, doc: ToolDocument, boost: number, penalty: number): number {
  // the query starts with the verb the tool's summary starts with ("star", "bookmark" → "star")
  if (doc.verb !== undefined && parsed.verbs.includes(doc.verb)) return 1 + boost
  const query = parsed.action
  const tool = doc.actions
  if (query === undefined || tool.length === 0) return 1
  if (tool.includes(query)) return 1 + boost
  if (RELATED_ACTIONS[query]?.some((a) => tool.includes(a))) return 1 + boost / 2
  // list and get are close enough ("show my sites") not to penalise each other
  const conflict = tool.every((a) => CRUD_ACTIONS.has(a) && CRUD_ACTIONS.has(query) && !(READS.has(a) && READS.has(query)))
  return conflict ? 1 - penalty : 1
}

/** Weight of each term the query can match (its best alternative's weight). */
function queryTermWeights(parsed: ParsedQuery): Map<string, number> {
  const weights = new Map<string, number>()
  for (const group of parsed.groups) for (const alt of group.alternatives) for (const t of alt.terms) {
    weights.set(t, Math.max(weights.get(t) ?? 0, alt.weight))
  }
  return weights
}

/** Share of a summary's distinct terms the query covers (weighted): "Create Zone" is all about "create a zone". */
function summaryCoverage(summary: readonly string[], weights: ReadonlyMap<string, number>): number {
  const distinct = new Set(summary)
  if (distinct.size === 0) return 0
  let covered = 0
  for (const t of distinct) covered += weights.get(t) ?? 0
  return covered / distinct.size
}

/** Builds the index over `tools` (read once; later changes to the array are not seen). */
export function createSearchIndex(tools: readonly Tool[], options: SearchIndexOptions = {}): SearchIndex {
  const fields = { ...DEFAULT_FIELD_PARAMS, ...options.fields }
  const intentBoost = options.intentBoost ?? 0.3
  const intentPenalty = options.intentPenalty ?? 0.15
  const coverage = options.coverage ?? 0.4
  const summaryBoost = options.summaryBoost ?? 0.5
  const deprecatedPenalty = options.deprecatedPenalty ?? 0.15
  const exactBoost = options.exactBoost ?? 1
  const exactPower = options.exactPower ?? 2
  const capExpansions = options.capExpansions ?? true
  const exactFirst = options.exactFirst ?? true
  const minRelevance = options.minRelevance ?? DEFAULT_MIN_RELEVANCE
  const relativeCutoff = options.relativeCutoff ?? DEFAULT_RELATIVE_CUTOFF
  const mismatchRelevance = options.mismatchRelevance ?? 0.5
  const list = [...tools]
  const documents = list.map((tool) => toolDocument(tool))
  const summaries = documents.map((d) => new Set(d.fields.summary))
  const names = documents.map((d) => new Set(d.fields.name))
  const namespaces = new Map<string, Set<number>>()
  list.forEach((tool, d) => {
    let members = namespaces.get(tool.namespace)
    if (!members) namespaces.set(tool.namespace, (members = new Set()))
    members.add(d)
  })
  const bm25 = createBm25f(documents.map((d) => d.fields), { fields, ...(options.k1 === undefined ? {} : { k1: options.k1 }) })
  const lexicon = compileLexicon(options, new Set(list.map((t) => t.namespace)))
  const parse = (query: string): ParsedQuery => parseQuery(query, lexicon)

  interface Scored {
    total: Map<number, number>
    relevance: Map<number, number>
    /** The documents the query names exactly. */
    exact: Set<number>
  }

  function score(parsed: ParsedQuery, namespace: string | undefined): Scored {
    const scope = namespace === undefined ? undefined : (namespaces.get(namespace) ?? new Set<number>())
    const { total, matched, relevance: covered } = matchGroups(parsed, bm25, { capExpansions, ...(scope && { scope }) })
    const exactDocs = new Set<number>()
    const relevance = new Map<number, number>()
    const n = parsed.groups.length
    const weights = summaryBoost > 0 ? queryTermWeights(parsed) : undefined
    const exact = exactQuery(parsed)
    for (const [d, s] of total) {
      if (namespace !== undefined && list[d]?.namespace !== namespace) {
        total.delete(d)
        continue
      }
      const doc = documents[d] as ToolDocument // d indexes `documents` by construction
      const cover = 1 - coverage + (coverage * (matched.get(d) ?? 0)) / n
      const second = weights ? 1 + summaryBoost * summaryCoverage(doc.fields.summary, weights) : 1
      const aged = doc.deprecated ? 1 - deprecatedPenalty : 1
      const near = Math.max(exactness(exact, summaries[d] as Set<string>), exactness(exact, names[d] as Set<string>))
      if (exactFirst && near === 1) exactDocs.add(d)
      const intent = intentFactor(parsed, doc, intentBoost, intentPenalty)
      // a tool doing another CRUD action than the one asked for (reading, for "delete a file") does not do the task
      const clash = intent < 1 ? mismatchRelevance : 1
      relevance.set(d, near === 1 ? 1 : (covered.get(d) ?? 0) * clash)
      const same = 1 + exactBoost * near ** exactPower
      total.set(d, s * cover * second * same * aged * intent)
    }
    return { total, relevance, exact: exactDocs }
  }

  return {
    size: list.length,
    explain: parse,
    search(query, searchOptions = {}) {
      if (typeof query !== "string") {
        throw new CodeModeError("CONFIG_INVALID", `[codemode] [search] the query must be a string, got ${typeof query}.`)
      }
      const limit = checkLimit(searchOptions.limit ?? DEFAULT_SEARCH_LIMIT)
      const parsed = parse(query)
      if (parsed.groups.length === 0) return []
      const { total, relevance, exact } = score(parsed, searchOptions.namespace)
      const tier = (d: number) => (exact.has(d) ? 1 : 0)
      let ranked = [...total].sort((a, b) => tier(b[0]) - tier(a[0]) || b[1] - a[1] || a[0] - b[0]).slice(0, limit)
      if (searchOptions.cutoff ?? true) {
        // nothing matches well unless one of the hits carries enough of the query
        if (!ranked.some(([d]) => (relevance.get(d) ?? 0) >= minRelevance)) return []
        const best = Math.max(...ranked.map(([, s]) => s))
        ranked = ranked.filter(([, s]) => s >= relativeCutoff * best)
      }
      return ranked.map(([d, s]) => {
        const tool = list[d] as Tool // d indexes `list` by construction
        const operationId = tool.origin?.operationId
        const hit: SearchHit = { name: `codemode.${tool.namespace}.${tool.name}`, namespace: tool.namespace, score: s, relevance: relevance.get(d) ?? 0, tool }
        if (operationId !== undefined) hit.operationId = operationId
        return hit
      })
    },
  }
}


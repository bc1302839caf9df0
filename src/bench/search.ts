/**
 * The search-quality benchmark: runs the query sets in bench/search/*.json against indexes built
 * over the real specs and reports recall@1, recall@5 and MRR per spec, per kind of query
 * (name-like / paraphrase) and per split, for a plain BM25 baseline and codemode's ranking side by
 * side; how often a query the API cannot answer gets no hit ("no good match"); index build time,
 * query latency, and the o200k tokens of what the MCP `search` tool returns for realistic queries.
 */
import { readFile } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { countTokens } from "gpt-tokenizer"
import { createSearchIndex, type SearchIndexOptions } from "../search/search.js"
import { CodeModeError } from "../errors.js"
import { createCatalog } from "../runtime/catalog.js"
import { searchText } from "../server/search-text.js"
import type { Tool } from "../tools/tool.js"
import { openapi } from "../tools/openapi/index.js"

/** One benchmark query. */
export interface BenchQuery {
  id: string
  /** "no-answer": a task the API cannot do; the right result is no hit. */
  kind: BenchKind
  query: string
  /** operationIds a user would accept as the answer (none for "no-answer"). */
  expected: string[]
  /**
   * "tuning": looked at while tuning; "heldout": written with them but never inspected while
   * tuning; "revision": written after a first freeze, then used once to revise the ranking;
   * "fresh": written after the final freeze, never used to change anything; "fresh2": written by a
   * second engineer before the embedding work, never inspected per query while tuning it;
   * "fresh3": written by a third engineer before the document-expansion and association work,
   * never inspected per query; "exact": the exact summary, tool name or operationId of common
   * operations, written to fix their ranking.
   */
  split: BenchSplit
}

export const BENCH_KINDS = ["name-like", "paraphrase", "no-answer"] as const
export type BenchKind = (typeof BENCH_KINDS)[number]

export const BENCH_SPLITS = ["tuning", "heldout", "revision", "fresh", "fresh2", "fresh3", "exact"] as const
export type BenchSplit = (typeof BENCH_SPLITS)[number]

/** Splits never used to change the ranking: the honest measure of how it generalizes. */
export const UNTOUCHED_SPLITS: readonly BenchSplit[] = ["heldout", "fresh", "fresh2", "fresh3"]

/** Metrics over the answerable queries of a set and per kind. */
export interface KindMetrics {
  all: SearchMetrics
  nameLike: SearchMetrics
  paraphrase: SearchMetrics
  /** The queries the API cannot answer. */
  noAnswer: NoAnswerMetrics
}

/** How the ranking treats tasks the API cannot do. */
export interface NoAnswerMetrics {
  queries: number
  /** Share of them for which `search` returned no hit (the model is told nothing matches well). */
  flagged: number
}

/** recall@1, recall@5 and mean reciprocal rank over a set of queries. */
export interface SearchMetrics {
  queries: number
  recall1: number
  recall5: number
  mrr: number
}

/** Metrics of one ranking variant on one spec. */
export interface VariantResult extends KindMetrics {
  variant: string
  /** The same metrics per split. */
  splits: Record<BenchSplit, KindMetrics>
  /** The same metrics over the {@link UNTOUCHED_SPLITS} pooled. */
  untouched: KindMetrics
  buildMs: number
  /** Mean and 95th percentile time of one `search()` call. */
  queryMs: { mean: number; p95: number }
  /** Rank (1-based) of the first expected operation per query id; 0 when not in the top 50. */
  ranks: Record<string, number>
  /**
   * Answerable queries whose expected operation is in the top 5 of the ranking but for which
   * `search` finds no good match (the model is told so and sees the closest names, the answer
   * among them).
   */
  flaggedAnswers: number
  /**
   * Answerable queries whose expected operation is in the top 5 of the ranking but not among the
   * hits `search` returns (cut for scoring below the relative cut-off while others are shown).
   */
  lostToCutoff: number
}

/** Results for one spec. */
export interface SpecResult {
  spec: string
  tools: number
  queries: number
  variants: VariantResult[]
  /**
   * Mean o200k tokens of the text the MCP `search` tool returns (default catalog settings) for the
   * query set's `resultTokenQueries`; undefined when it has none.
   */
  meanResultTokens?: number
  /** Tokens per query of `resultTokenQueries`, in order. */
  resultTokens?: Array<{ query: string; tokens: number }>
}

export interface SearchBenchResult {
  specs: SpecResult[]
  /** The variant names, baseline first. */
  variants: string[]
}

/** Options of {@link benchSearch}. */
export interface BenchSearchOptions {
  /** Spec names; each needs `<dataDir>/<name>-openapi.json.gz` and `<queriesDir>/<name>.json`. Default cloudflare and github. */
  specs?: string[]
  /** Folder of the specs. Default {@link DEFAULT_DATA_DIR}. */
  dataDir?: string
  /** Folder of the query sets. Default {@link DEFAULT_QUERIES_DIR}. */
  queriesDir?: string
  /** Also run the ablation variants (each feature added one at a time). Default false. */
  ablations?: boolean
  /** Extra named variants to run after bm25 and codemode (for tuning experiments). Default none. */
  variants?: ReadonlyArray<readonly [string, SearchIndexOptions]>
}

/** Plain BM25 over names, summaries/descriptions and paths: no field weights, expansion or intent. */
export const BASELINE_OPTIONS: SearchIndexOptions = {
  fields: {
    name: { weight: 1, b: 0.75 },
    summary: { weight: 1, b: 0.75 },
    description: { weight: 1, b: 0.75 },
    path: { weight: 1, b: 0.75 },
    params: { weight: 0, b: 0 },
    tags: { weight: 0, b: 0 },
    resource: { weight: 0, b: 0 },
    namespace: { weight: 0, b: 0 },
  },
  actionSynonymWeight: 0,
  abbreviationWeight: 0,
  thesaurusWeight: 0,
  intentBoost: 0,
  intentPenalty: 0,
  coverage: 0,
  summaryBoost: 0,
  deprecatedPenalty: 0,
  exactBoost: 0,
  exactFirst: false,
  capExpansions: false,
  minRelevance: 0,
  relativeCutoff: 0,
}

const NO_EXPANSION: SearchIndexOptions = { actionSynonymWeight: 0, abbreviationWeight: 0, thesaurusWeight: 0 }
const NO_RERANK: SearchIndexOptions = { intentBoost: 0, intentPenalty: 0, coverage: 0, summaryBoost: 0, deprecatedPenalty: 0, exactBoost: 0, exactFirst: false }
const NO_EXACT: SearchIndexOptions = { exactBoost: 0, exactFirst: false, capExpansions: false }

/** Ablation steps between the baseline and the full ranking, in order. */
export const ABLATIONS: ReadonlyArray<readonly [string, SearchIndexOptions]> = [
  ["fields", { ...NO_EXPANSION, ...NO_RERANK, capExpansions: false }],
  ["+synonyms", { ...NO_RERANK, thesaurusWeight: 0, capExpansions: false }],
  ["+thesaurus", { ...NO_RERANK, capExpansions: false }],
  ["+intent", { ...NO_EXACT, coverage: 0, summaryBoost: 0, deprecatedPenalty: 0 }],
  ["+summary", { ...NO_EXACT, coverage: 0, deprecatedPenalty: 0 }],
  ["+coverage", { ...NO_EXACT }],
  ["+idf cap", { exactBoost: 0, exactFirst: false }],
  ["+exact", { exactFirst: false }],
]

const RANK_DEPTH = 50

/** The repository or installed package root, from src/bench or dist/bench. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
/** The specs (data/README.md); package.json "files" ships them, so the benchmark runs from the package too. */
export const DEFAULT_DATA_DIR = path.join(PACKAGE_ROOT, "data")
/** The query sets, shipped as the specs are. */
export const DEFAULT_QUERIES_DIR = path.join(PACKAGE_ROOT, "bench", "search")

export interface QuerySet {
  queries: BenchQuery[]
  /** Realistic tasks whose `search` result text is counted in tokens. */
  resultTokenQueries: string[]
}

export async function readQueries(file: string): Promise<QuerySet> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(file, "utf8"))
  } catch (cause) {
    throw new CodeModeError("CONFIG_INVALID", `[codemode] [bench] cannot read query set ${file}: ${String(cause)}`, { cause })
  }
  const queries = (parsed as { queries?: unknown }).queries
  if (!Array.isArray(queries)) throw new CodeModeError("CONFIG_INVALID", `[codemode] [bench] ${file} has no "queries" array.`)
  for (const q of queries as Partial<BenchQuery>[]) {
    const ok = typeof q.id === "string" && typeof q.query === "string" && Array.isArray(q.expected) &&
      BENCH_KINDS.includes(q.kind as BenchKind) && BENCH_SPLITS.includes(q.split as BenchSplit) &&
      (q.kind === "no-answer") === (q.expected.length === 0)
    if (!ok) {
      throw new CodeModeError("CONFIG_INVALID", `[codemode] [bench] ${file}: query ${JSON.stringify(q.id)} needs id, kind (${BENCH_KINDS.join("|")}), query, expected[] (empty exactly for no-answer) and split (${BENCH_SPLITS.join("|")}).`)
    }
  }
  const extra = (parsed as { resultTokenQueries?: unknown }).resultTokenQueries ?? []
  if (!Array.isArray(extra) || !extra.every((q) => typeof q === "string")) {
    throw new CodeModeError("CONFIG_INVALID", `[codemode] [bench] ${file}: "resultTokenQueries" must be an array of strings.`)
  }
  return { queries: queries as BenchQuery[], resultTokenQueries: extra as string[] }
}

/** Share of `queries` (no-answer ones) for which `search` returned no hit. */
function noAnswerMetrics(queries: readonly BenchQuery[], empty: ReadonlySet<string>): NoAnswerMetrics {
  const flagged = queries.filter((q) => empty.has(q.id)).length
  return { queries: queries.length, flagged: queries.length === 0 ? 0 : Math.round((flagged / queries.length) * 1000) / 1000 }
}

/** Metrics over `ranks` (1-based, 0 = not found) of the given queries. */
export function metrics(queries: readonly BenchQuery[], ranks: Readonly<Record<string, number>>): SearchMetrics {
  const n = queries.length
  let r1 = 0
  let r5 = 0
  let rr = 0
  for (const q of queries) {
    const rank = ranks[q.id] ?? 0
    if (rank === 1) r1++
    if (rank >= 1 && rank <= 5) r5++
    if (rank >= 1) rr += 1 / rank
  }
  const round = (x: number) => Math.round((n === 0 ? 0 : x / n) * 1000) / 1000
  return { queries: n, recall1: round(r1), recall5: round(r5), mrr: round(rr) }
}

function runVariant(variant: string, tools: Tool[], queries: BenchQuery[], options: SearchIndexOptions): VariantResult {
  const t0 = performance.now()
  const index = createSearchIndex(tools, options)
  const buildMs = performance.now() - t0
  const ranks: Record<string, number> = {}
  const times: number[] = []
  const empty = new Set<string>()
  let lostToCutoff = 0
  let flaggedAnswers = 0
  for (const q of queries) {
    const start = performance.now()
    const hits = index.search(q.query, { limit: RANK_DEPTH, cutoff: false })
    times.push(performance.now() - start)
    const shown = index.search(q.query)
    if (shown.length === 0) empty.add(q.id)
    if (q.kind === "no-answer") continue
    const expected = (h: { operationId?: string }) => h.operationId !== undefined && q.expected.includes(h.operationId)
    const position = hits.findIndex(expected)
    ranks[q.id] = position + 1
    if (position >= 0 && position < 5 && shown.length === 0) flaggedAnswers++
    else if (position >= 0 && position < 5 && !shown.some(expected)) lostToCutoff++
  }
  times.sort((a, b) => a - b)
  const kinds = (set: readonly BenchQuery[]): KindMetrics => ({
    all: metrics(set.filter((q) => q.kind !== "no-answer"), ranks),
    nameLike: metrics(set.filter((q) => q.kind === "name-like"), ranks),
    paraphrase: metrics(set.filter((q) => q.kind === "paraphrase"), ranks),
    noAnswer: noAnswerMetrics(set.filter((q) => q.kind === "no-answer"), empty),
  })
  const splits = Object.fromEntries(BENCH_SPLITS.map((split) => [split, kinds(queries.filter((q) => q.split === split))]))
  const round = (x: number) => Math.round(x * 1000) / 1000
  return {
    variant,
    ...kinds(queries),
    splits: splits as Record<BenchSplit, KindMetrics>,
    untouched: kinds(queries.filter((q) => UNTOUCHED_SPLITS.includes(q.split))),
    buildMs: round(buildMs),
    queryMs: {
      mean: round(times.reduce((a, b) => a + b, 0) / Math.max(times.length, 1)),
      p95: round(times[Math.min(times.length - 1, Math.floor(times.length * 0.95))] ?? 0),
    },
    ranks,
    flaggedAnswers,
    lostToCutoff,
  }
}

/** o200k tokens of what the MCP `search` tool returns for each query, with the default catalog. */
function resultTokens(tools: readonly Tool[], queries: readonly string[]): Array<{ query: string; tokens: number }> {
  const catalog = createCatalog(tools)
  return queries.map((query) => ({ query, tokens: countTokens(searchText(catalog, { query })) }))
}

/**
 * Runs the search benchmark. Loads each spec with the OpenAPI source (no network), builds the
 * baseline and codemode indexes (and the ablations when asked) and scores every query.
 */
export async function benchSearch(options: BenchSearchOptions = {}): Promise<SearchBenchResult> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR
  const queriesDir = options.queriesDir ?? DEFAULT_QUERIES_DIR
  const variants: Array<readonly [string, SearchIndexOptions]> = [
    ["bm25", BASELINE_OPTIONS],
    ...(options.ablations ? ABLATIONS : []),
    ["codemode", {}],
    ...(options.variants ?? []),
  ]
  const specs: SpecResult[] = []
  for (const spec of options.specs ?? ["cloudflare", "github"]) {
    const { queries, resultTokenQueries } = await readQueries(path.join(queriesDir, `${spec}.json`))
    const tools = await openapi(spec, { spec: path.join(dataDir, `${spec}-openapi.json.gz`) }).load()
    const known = new Set(tools.map((t) => t.origin?.operationId))
    for (const q of queries) {
      for (const id of q.expected) {
        if (!known.has(id)) throw new CodeModeError("CONFIG_INVALID", `[codemode] [bench] query ${q.id} expects unknown operationId "${id}" in ${spec}.`)
      }
    }
    const result: SpecResult = {
      spec,
      tools: tools.length,
      queries: queries.length,
      variants: variants.map(([name, opts]) => runVariant(name, tools, queries, opts)),
    }
    if (resultTokenQueries.length > 0) {
      result.resultTokens = resultTokens(tools, resultTokenQueries)
      result.meanResultTokens = Math.round(result.resultTokens.reduce((sum, r) => sum + r.tokens, 0) / resultTokenQueries.length)
    }
    specs.push(result)
  }
  return { specs, variants: variants.map(([name]) => name) }
}

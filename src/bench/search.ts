/**
 * The search-quality benchmark: runs the query sets in bench/search/*.json against indexes built
 * over the real specs and reports recall@1, recall@5 and MRR per spec, per kind of query
 * (name-like / paraphrase) and per split (tuning / held-out / revision / fresh / fresh2), for a plain
 * BM25 baseline and codemode's ranking side by side, plus index
 * build time and query latency.
 */
import { readFile } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { createSearchIndex, type SearchIndexOptions } from "../catalog/search.js"
import { CodeModeError } from "../errors.js"
import type { Tool } from "../tools/tool.js"
import { openapi } from "../tools/openapi/index.js"

/** One benchmark query. */
export interface BenchQuery {
  id: string
  kind: "name-like" | "paraphrase"
  query: string
  /** operationIds a user would accept as the answer. */
  expected: string[]
  /**
   * "tuning": looked at while tuning; "heldout": written with them but never inspected while
   * tuning; "revision": written after a first freeze, then used once to revise the ranking;
   * "fresh": written after the final freeze, never used to change anything; "fresh2": written by a
   * second engineer before the embedding work, never inspected per query while tuning it;
   * "fresh3": written by a third engineer before the document-expansion and association work,
   * never inspected per query.
   */
  split: BenchSplit
}

export const BENCH_SPLITS = ["tuning", "heldout", "revision", "fresh", "fresh2", "fresh3"] as const
export type BenchSplit = (typeof BENCH_SPLITS)[number]

/** Splits never used to change the ranking: the honest measure of how it generalizes. */
export const UNTOUCHED_SPLITS: readonly BenchSplit[] = ["heldout", "fresh", "fresh2", "fresh3"]

/** Metrics over all queries of a set and per kind. */
export interface KindMetrics {
  all: SearchMetrics
  nameLike: SearchMetrics
  paraphrase: SearchMetrics
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
}

/** Results for one spec. */
export interface SpecResult {
  spec: string
  tools: number
  queries: number
  variants: VariantResult[]
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
  /** Also run the spec-derived expansion experiments ({@link EXPERIMENTS}). Default false. */
  experiments?: boolean
  /** Extra named variants to run after bm25, previous, codemode and the experiments (for tuning experiments). Default none. */
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
    output: { weight: 0, b: 0 },
    siblings: { weight: 0, b: 0 },
  },
  actionSynonymWeight: 0,
  abbreviationWeight: 0,
  thesaurusWeight: 0,
  intentBoost: 0,
  intentPenalty: 0,
  coverage: 0,
  summaryBoost: 0,
  deprecatedPenalty: 0,
  associationWeight: 0,
  routingWeight: 0,
}

/**
 * The ranking before the spec-derived expansion work (output-schema and sibling fields, mined
 * associations, resource routing), pinned so the comparison stays reproducible whatever the
 * defaults become. (Those features did not help on the untouched splits, so today it equals the
 * default.)
 */
export const PREVIOUS_OPTIONS: SearchIndexOptions = {
  fields: { output: { weight: 0, b: 0.75 }, siblings: { weight: 0, b: 0.75 } },
  associationWeight: 0,
  routingWeight: 0,
}

/**
 * The spec-derived expansions, each added on its own to {@link PREVIOUS_OPTIONS} with the setting
 * chosen on the tuning split and the leave-out run (docs/search.md): output-schema field docs,
 * summaries of sibling operations, term associations mined from the spec, resource routing.
 */
export const EXPERIMENTS: ReadonlyArray<readonly [string, SearchIndexOptions]> = [
  ["+associations", { ...PREVIOUS_OPTIONS, associationWeight: 0.5 }],
  ["+output", { ...PREVIOUS_OPTIONS, fields: { output: { weight: 0.15, b: 0.75 }, siblings: { weight: 0, b: 0.75 } } }],
  ["+siblings", { ...PREVIOUS_OPTIONS, fields: { output: { weight: 0, b: 0.75 }, siblings: { weight: 0.4, b: 0.75 } } }],
  ["+routing", { ...PREVIOUS_OPTIONS, routingWeight: 0.15 }],
]

const NO_EXPANSION: SearchIndexOptions = { actionSynonymWeight: 0, abbreviationWeight: 0, thesaurusWeight: 0 }
const NO_RERANK: SearchIndexOptions = { intentBoost: 0, intentPenalty: 0, coverage: 0, summaryBoost: 0, deprecatedPenalty: 0 }

/** Ablation steps between the baseline and the full ranking, in order. */
export const ABLATIONS: ReadonlyArray<readonly [string, SearchIndexOptions]> = [
  ["fields", { ...PREVIOUS_OPTIONS, ...NO_EXPANSION, ...NO_RERANK }],
  ["+synonyms", { ...PREVIOUS_OPTIONS, ...NO_RERANK, thesaurusWeight: 0 }],
  ["+thesaurus", { ...PREVIOUS_OPTIONS, ...NO_RERANK }],
  ["+intent", { ...PREVIOUS_OPTIONS, coverage: 0, summaryBoost: 0, deprecatedPenalty: 0 }],
  ["+summary", { ...PREVIOUS_OPTIONS, coverage: 0, deprecatedPenalty: 0 }],
]

const RANK_DEPTH = 50

/** The repository root, from src/bench or dist/bench. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
/** The specs kept in the repository (data/README.md). Not in the npm package: run the benchmark from a clone. */
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, "data")
/** The query sets kept in the repository. Not in the npm package either. */
export const DEFAULT_QUERIES_DIR = path.join(REPO_ROOT, "bench", "search")
const FROM_A_CLONE = "(the query sets and specs live in the repository, not in the npm package: run the benchmark from a clone)"

async function readQueries(file: string): Promise<BenchQuery[]> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(file, "utf8"))
  } catch (cause) {
    throw new CodeModeError("CONFIG_INVALID", `[codemode] [bench] cannot read query set ${file} ${FROM_A_CLONE}: ${String(cause)}`, { cause })
  }
  const queries = (parsed as { queries?: unknown }).queries
  if (!Array.isArray(queries)) throw new CodeModeError("CONFIG_INVALID", `[codemode] [bench] ${file} has no "queries" array.`)
  for (const q of queries as Partial<BenchQuery>[]) {
    const ok = typeof q.id === "string" && typeof q.query === "string" && Array.isArray(q.expected) &&
      (q.kind === "name-like" || q.kind === "paraphrase") && BENCH_SPLITS.includes(q.split as BenchSplit)
    if (!ok) {
      throw new CodeModeError("CONFIG_INVALID", `[codemode] [bench] ${file}: query ${JSON.stringify(q.id)} needs id, kind (name-like|paraphrase), query, expected[] and split (${BENCH_SPLITS.join("|")}).`)
    }
  }
  return queries as BenchQuery[]
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
  for (const q of queries) {
    const start = performance.now()
    const hits = index.search(q.query, { limit: RANK_DEPTH })
    times.push(performance.now() - start)
    const position = hits.findIndex((h) => h.operationId !== undefined && q.expected.includes(h.operationId))
    ranks[q.id] = position + 1
  }
  times.sort((a, b) => a - b)
  const kinds = (set: readonly BenchQuery[]): KindMetrics => ({
    all: metrics(set, ranks),
    nameLike: metrics(set.filter((q) => q.kind === "name-like"), ranks),
    paraphrase: metrics(set.filter((q) => q.kind === "paraphrase"), ranks),
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
  }
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
    ["previous", PREVIOUS_OPTIONS],
    ["codemode", {}],
    ...(options.experiments ? EXPERIMENTS : []),
    ...(options.variants ?? []),
  ]
  const specs: SpecResult[] = []
  for (const spec of options.specs ?? ["cloudflare", "github"]) {
    const queries = await readQueries(path.join(queriesDir, `${spec}.json`))
    const tools = await openapi(spec, { spec: path.join(dataDir, `${spec}-openapi.json.gz`) }).load()
    const known = new Set(tools.map((t) => t.origin?.operationId))
    for (const q of queries) {
      for (const id of q.expected) {
        if (!known.has(id)) throw new CodeModeError("CONFIG_INVALID", `[codemode] [bench] query ${q.id} expects unknown operationId "${id}" in ${spec}.`)
      }
    }
    specs.push({
      spec,
      tools: tools.length,
      queries: queries.length,
      variants: variants.map(([name, opts]) => runVariant(name, tools, queries, opts)),
    })
  }
  return { specs, variants: variants.map(([name]) => name) }
}

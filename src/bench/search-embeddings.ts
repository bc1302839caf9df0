/**
 * `codemode bench search --embeddings`: the search benchmark's query sets ranked three ways with a
 * real embeddings endpoint — lexical (codemode's index), embeddings alone (cosine), and their
 * reciprocal-rank fusion (what `search` does with `search.embeddings` configured) — as recall@1,
 * recall@5 and MRR per kind of query and on the untouched paraphrases. Without an endpoint it
 * measures nothing and says so.
 */
import path from "node:path"
import type { EmbeddingsOptions } from "../search/embeddings.js"
import { reciprocalRankFusion } from "../search/fusion.js"
import { createSearchIndex } from "../search/search.js"
import { createSemanticRanker } from "../search/semantic.js"
import { FUSION_DEPTH } from "../runtime/search.js"
import type { Tool } from "../tools/tool.js"
import { openapi } from "../tools/openapi/index.js"
import { DEFAULT_DATA_DIR, DEFAULT_QUERIES_DIR, metrics, readQueries, UNTOUCHED_SPLITS, type BenchQuery, type SearchMetrics } from "./search.js"

export const RANKINGS = ["lexical", "embeddings", "fused"] as const
export type RankingName = (typeof RANKINGS)[number]

/** One ranking's figures on one spec. */
export interface RankingMetrics {
  ranking: RankingName
  nameLike: SearchMetrics
  paraphrase: SearchMetrics
  /** Paraphrases of the splits no ranking decision saw (held-out, fresh, fresh2, fresh3). */
  untouchedParaphrase: SearchMetrics
}

export interface EmbeddingsSpecResult {
  spec: string
  tools: number
  queries: number
  /** Time to embed the spec's tools (0 when all came from the cache) and to rank every query. */
  embedMs: number
  rankMs: number
  rankings: RankingMetrics[]
}

export type EmbeddingsBenchResult =
  | { configured: false; message: string }
  | { configured: true; endpoint: { baseUrl: string; model: string }; specs: EmbeddingsSpecResult[] }

export interface EmbeddingsBenchOptions {
  /** The endpoint; undefined: nothing is measured (the result says none is configured). */
  embeddings?: EmbeddingsOptions | undefined
  specs?: string[]
  dataDir?: string
  queriesDir?: string
}

export const NOT_CONFIGURED =
  'No embeddings endpoint is configured, so nothing was measured. Add "search": { "embeddings": { "baseUrl", "model", "apiKeyEnv" } } ' +
  "to a codemode.json and pass it with --config (see docs/search.md)."

function rankingMetrics(ranking: RankingName, queries: readonly BenchQuery[], ranks: Record<string, number>): RankingMetrics {
  const answerable = queries.filter((q) => q.kind !== "no-answer")
  return {
    ranking,
    nameLike: metrics(answerable.filter((q) => q.kind === "name-like"), ranks),
    paraphrase: metrics(answerable.filter((q) => q.kind === "paraphrase"), ranks),
    untouchedParaphrase: metrics(answerable.filter((q) => q.kind === "paraphrase" && UNTOUCHED_SPLITS.includes(q.split)), ranks),
  }
}

/** Rank (1-based, 0 = not in the list) of the first tool whose operationId the query accepts. */
const rankOf = (list: readonly Tool[], q: BenchQuery) => list.findIndex((t) => q.expected.includes(t.origin?.operationId ?? "")) + 1

export async function benchSearchEmbeddings(options: EmbeddingsBenchOptions): Promise<EmbeddingsBenchResult> {
  const embeddings = options.embeddings
  if (!embeddings) return { configured: false, message: NOT_CONFIGURED }
  const ranker = createSemanticRanker(embeddings)
  const specs: EmbeddingsSpecResult[] = []
  for (const spec of options.specs ?? ["cloudflare", "github"]) {
    const { queries } = await readQueries(path.join(options.queriesDir ?? DEFAULT_QUERIES_DIR, `${spec}.json`))
    const tools = await openapi(spec, { spec: path.join(options.dataDir ?? DEFAULT_DATA_DIR, `${spec}-openapi.json.gz`) }).load()
    const index = createSearchIndex(tools)
    const t0 = performance.now()
    await ranker.rank(tools, "warm up") // embeds (or reads from the cache) every tool once
    const embedMs = performance.now() - t0
    const ranks: Record<RankingName, Record<string, number>> = { lexical: {}, embeddings: {}, fused: {} }
    const t1 = performance.now()
    for (const q of queries) {
      if (q.kind === "no-answer") continue
      const lexical = index.search(q.query, { limit: FUSION_DEPTH, cutoff: false }).map((h) => h.tool)
      const semantic = (await ranker.rank(tools, q.query)).slice(0, FUSION_DEPTH).map((h) => h.tool)
      const fused = reciprocalRankFusion([lexical, semantic]).map((f) => f.item)
      ranks.lexical[q.id] = rankOf(lexical, q)
      ranks.embeddings[q.id] = rankOf(semantic, q)
      ranks.fused[q.id] = rankOf(fused, q)
    }
    const round = (x: number) => Math.round(x)
    specs.push({ spec, tools: tools.length, queries: queries.length, embedMs: round(embedMs), rankMs: round(performance.now() - t1), rankings: RANKINGS.map((r) => rankingMetrics(r, queries, ranks[r])) })
  }
  return { configured: true, endpoint: { baseUrl: embeddings.baseUrl, model: embeddings.model }, specs }
}

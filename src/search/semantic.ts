/**
 * Ranking tools by embedding similarity to a query: each tool's text (name, summary, method and
 * path, the start of its description) is embedded once — in batches, cached on disk by the text's
 * hash — and the query's vector is compared with every tool's (cosine).
 */
import type { Tool } from "../tools/tool.js"
import { splitSummary } from "./document.js"
import { embeddingsClient, type Embed, type EmbeddingsOptions } from "./embeddings.js"
import { cacheFile, defaultCacheDir, openVectorCache, textHash, type VectorCache } from "./vector-cache.js"

/** Characters of the description embedded after the summary. */
const DESCRIPTION_CHARS = 400

/** A tool and how close its text is to the query (cosine, -1…1). */
export interface SemanticHit {
  tool: Tool
  similarity: number
}

/** Ranks tools by meaning; the endpoint's failures reject (`SOURCE_UNAVAILABLE`). */
export interface SemanticRanker {
  /** Every tool of `tools`, most similar to `query` first. */
  rank(tools: readonly Tool[], query: string, signal?: AbortSignal): Promise<SemanticHit[]>
}

/** The text embedded for a tool. */
export function embeddingText(tool: Tool): string {
  const { summary, rest } = splitSummary(tool.description ?? tool.annotations?.title)
  const route = tool.origin?.method && tool.origin.path ? `${tool.origin.method.toUpperCase()} ${tool.origin.path}` : ""
  return [`${tool.namespace}.${tool.name}: ${summary}`, route, rest.trim().slice(0, DESCRIPTION_CHARS)].filter((s) => s !== "").join("\n")
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0
  for (const x of vector) norm += x * x
  norm = Math.sqrt(norm)
  return norm === 0 ? vector : vector.map((x) => x / norm)
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let i = 0; i < a.length && i < b.length; i++) sum += (a[i] as number) * (b[i] as number)
  return sum
}

/** A ranker over the endpoint of `options`; `embed` replaces the HTTP client (tests, benchmarks). */
export function createSemanticRanker(options: EmbeddingsOptions, embed: Embed = embeddingsClient(options)): SemanticRanker {
  const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir
  let cache: Promise<VectorCache> | undefined
  const openCache = () =>
    (cache ??= openVectorCache(dir === false ? undefined : cacheFile(dir, options.baseUrl, options.model)).catch((error: unknown) => {
      cache = undefined
      throw error
    }))
  /** Vectors of `texts` (hashed with their prefix), embedding those not cached yet. */
  async function vectors(texts: readonly string[], prefix: string, signal?: AbortSignal): Promise<Float32Array[]> {
    const store = await openCache()
    const hashes = texts.map((t) => textHash(prefix + t))
    const missing = [...new Set(hashes.map((h, i) => (store.get(h) ? -1 : i)).filter((i) => i >= 0).map((i) => texts[i] as string))]
    if (missing.length > 0) {
      const fresh = await embed(missing.map((t) => prefix + t), signal)
      await store.put(missing.map((t, i) => [textHash(prefix + t), unit(fresh[i] as Float32Array)] as const))
    }
    return hashes.map((h) => store.get(h) as Float32Array)
  }
  return {
    async rank(tools, query, signal) {
      const [toolVectors, [queryVector]] = [
        await vectors(tools.map(embeddingText), options.documentPrefix ?? "", signal),
        await vectors([query], options.queryPrefix ?? "", signal),
      ]
      return tools
        .map((tool, i) => ({ tool, similarity: dot(queryVector as Float32Array, toolVectors[i] as Float32Array) }))
        .sort((a, b) => b.similarity - a.similarity)
    },
  }
}

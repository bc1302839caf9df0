/**
 * A client of an OpenAI-compatible `/embeddings` endpoint (OpenAI, Azure-style gateways, vLLM,
 * Ollama, llama.cpp, text-embeddings-inference …): texts in, one vector per text out, sent in batches.
 */
import { codemodeError } from "../errors.js"

/** `search.embeddings` in codemode.json and `createCodeMode({ search: { embeddings } })`. */
export interface EmbeddingsOptions {
  /** Base URL of the API, e.g. "https://api.openai.com/v1"; vectors come from POST `<baseUrl>/embeddings`. */
  baseUrl: string
  /** The embedding model, e.g. "text-embedding-3-small". */
  model: string
  /** Environment variable holding the API key, sent as `Authorization: Bearer …`. Default: none sent. */
  apiKeyEnv?: string
  /** Texts per request. Default {@link EMBEDDINGS_DEFAULTS}.batchSize (64). */
  batchSize?: number
  /** How long one request may take. Default 30,000 ms. */
  timeoutMs?: number
  /**
   * Folder of the vector cache (one file per endpoint and model, keyed by the text's SHA-256), so
   * that a catalog is embedded once; `false`: memory only. Default
   * `$XDG_CACHE_HOME/codemode/embeddings` (`~/.cache/codemode/embeddings`).
   */
  cacheDir?: string | false
  /** Put before each query, for models trained with one (e5: "query: "). Default "". */
  queryPrefix?: string
  /** Put before each tool's text (e5: "passage: "). Default "". */
  documentPrefix?: string
  /** After the endpoint fails, rank lexically only for this long before trying it again. Default 60,000 ms. */
  retryAfterMs?: number
}

export const EMBEDDINGS_DEFAULTS = Object.freeze({ batchSize: 64, timeoutMs: 30_000, retryAfterMs: 60_000 })

const ORIGIN = "embeddings"

/** Sends texts to the endpoint and returns their vectors, in order. */
export type Embed = (texts: readonly string[], signal?: AbortSignal) => Promise<Float32Array[]>

/** Checks the options once (throws `CONFIG_INVALID` naming the bad one). */
export function checkEmbeddingsOptions(options: EmbeddingsOptions): void {
  const bad = (what: string) => codemodeError("CONFIG_INVALID", ORIGIN, what)
  if (typeof options?.baseUrl !== "string" || !/^https?:\/\//.test(options.baseUrl)) throw bad(`baseUrl must be an http(s) URL, got ${JSON.stringify(options?.baseUrl)}`)
  if (typeof options.model !== "string" || options.model === "") throw bad("model must be a non-empty string")
  for (const key of ["batchSize", "timeoutMs", "retryAfterMs"] as const) {
    const value = options[key]
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw bad(`${key} must be a positive integer, got ${JSON.stringify(value)}`)
  }
}

/** The vectors of one response, by `index` (the API may answer out of order). */
function vectorsOf(body: unknown, count: number): Float32Array[] {
  const data = (body as { data?: unknown } | null)?.data
  if (!Array.isArray(data) || data.length !== count) throw new Error(`expected ${count} embeddings in "data", got ${Array.isArray(data) ? data.length : "none"}`)
  const out: Float32Array[] = new Array(count)
  data.forEach((item: { index?: unknown; embedding?: unknown }, i) => {
    const at = typeof item?.index === "number" ? item.index : i
    if (!Array.isArray(item?.embedding) || !item.embedding.every((x) => typeof x === "number")) throw new Error(`data[${i}].embedding is not an array of numbers`)
    out[at] = Float32Array.from(item.embedding as number[])
  })
  if (out.some((v) => v === undefined)) throw new Error("the response's indexes do not cover the input")
  return out
}

/** An {@link Embed} over HTTP. Rejects with `SOURCE_UNAVAILABLE` when the endpoint fails or answers nonsense. */
export function embeddingsClient(options: EmbeddingsOptions): Embed {
  checkEmbeddingsOptions(options)
  const url = `${options.baseUrl.replace(/\/+$/, "")}/embeddings`
  const batchSize = options.batchSize ?? EMBEDDINGS_DEFAULTS.batchSize
  const timeoutMs = options.timeoutMs ?? EMBEDDINGS_DEFAULTS.timeoutMs
  async function request(input: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const key = options.apiKeyEnv === undefined ? undefined : process.env[options.apiKeyEnv]
    const timeout = AbortSignal.timeout(timeoutMs)
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ model: options.model, input }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`)
      return vectorsOf(JSON.parse(text), input.length)
    } catch (error) {
      const why = timeout.aborted ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error)
      throw codemodeError("SOURCE_UNAVAILABLE", ORIGIN, `POST ${url} (model ${options.model}) failed: ${why}`, { cause: error })
    }
  }
  return async (texts, signal) => {
    const out: Float32Array[] = []
    for (let i = 0; i < texts.length; i += batchSize) out.push(...(await request(texts.slice(i, i + batchSize), signal)))
    return out
  }
}

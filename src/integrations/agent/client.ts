/**
 * The model endpoint: any OpenAI-compatible Chat Completions API, reached with the `openai` package
 * (an optional peer dependency, loaded on first use). The client does the HTTP, the SSE parsing and
 * the retries (408, 409, 429, 5xx and connection errors; `Retry-After`, else exponential backoff with
 * jitter). Its `fetch` is wrapped here to see each request body (the token count) and each attempt it
 * will retry, and to cap the wait an endpoint asks for: the client would sleep as long as it is told,
 * deaf to the caller's signal.
 */
import type OpenAI from "openai"
import { codemodeError } from "../../errors.js"

const ORIGIN = "agent"
/** What a user without the client library has to run. */
export const OPENAI_INSTALL_COMMAND = "npm install openai"
/** Default retries of a failed request (408, 409, 429, 5xx, connection errors) before the turn fails. */
export const DEFAULT_MAX_RETRIES = 3
/** Longest wait before a retry, whatever `Retry-After` asks (and never longer than `timeoutMs`). */
export const MAX_RETRY_WAIT_MS = 60_000
/** Default longest silence between two pieces of a streamed answer. */
export const DEFAULT_STREAM_IDLE_MS = 60_000

/** Where the model is. Each field defaults to its environment variable. */
export interface EndpointOptions {
  /** Base URL of the API, e.g. `http://localhost:11434/v1`. Default `$OPENAI_BASE_URL`, else api.openai.com with a key. */
  baseURL?: string
  /** Default `$OPENAI_API_KEY`; a local endpoint without one gets a placeholder. */
  apiKey?: string
  /** The model name. Default `$OPENAI_MODEL`. */
  model?: string
  /** Retries of a request that failed with 408, 409, 429, 5xx or a connection error. Default {@link DEFAULT_MAX_RETRIES}. */
  maxRetries?: number
  /** Per-request timeout (until the response headers), also the longest wait before a retry. Default 600,000 ms (the client's). */
  timeoutMs?: number
  /** Longest silence between two pieces of a streamed answer before the turn fails with `MODEL_FAILED`. Default {@link DEFAULT_STREAM_IDLE_MS}. */
  streamIdleMs?: number
}

/** An attempt that failed and that the client will send again. */
export interface RetriedAttempt {
  /** 1 for the first retry. */
  attempt: number
  /** The HTTP status; absent for a connection error. */
  status?: number
  /** The connection error. */
  error?: string
  /** Seconds the client waits, when the endpoint asked for a wait (capped). */
  retryAfter?: string
}

/** Seen by the wrapped fetch. */
export interface WireObserver {
  /** The exact body of each request sent (retries included). */
  onRequest?: (body: string) => void
  /** An attempt the client will retry. */
  onRetry?: (retried: RetriedAttempt) => void
}

export interface ModelClient {
  client: OpenAI
  model: string
  baseURL: string
  /** See {@link EndpointOptions.streamIdleMs}. */
  streamIdleMs: number
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Whether the client retries this response (its own rule: `x-should-retry` first, then the status). */
function retried(response: Response): boolean {
  const header = response.headers.get("x-should-retry")
  if (header === "true" || header === "false") return header === "true"
  return response.status === 408 || response.status === 409 || response.status === 429 || response.status >= 500
}

/** The wait a response asks for in ms (`retry-after-ms`, else `Retry-After` in seconds or as a date), if any. */
function askedWait(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "")
  if (!Number.isNaN(ms)) return ms
  const header = headers.get("retry-after")
  if (header === null) return undefined
  const seconds = Number.parseFloat(header)
  const wait = Number.isNaN(seconds) ? Date.parse(header) - Date.now() : seconds * 1000
  return Number.isNaN(wait) ? undefined : wait
}

/** The response with its asked wait cut to `maxWaitMs`, as one `retry-after` in seconds the client reads. */
function cappedWait(response: Response, maxWaitMs: number): { response: Response; retryAfter?: string } {
  const asked = askedWait(response.headers)
  if (asked === undefined) return { response }
  const retryAfter = String(Math.max(0, Math.min(asked, maxWaitMs)) / 1000)
  const headers = new Headers(response.headers)
  headers.delete("retry-after-ms")
  headers.set("retry-after", retryAfter)
  return { response: new Response(response.body, { status: response.status, statusText: response.statusText, headers }), retryAfter }
}

/** The endpoint from options over environment; throws `CONFIG_INVALID` saying what to set. */
export function resolveEndpoint(options: EndpointOptions, env: NodeJS.ProcessEnv = process.env): { baseURL: string; apiKey: string; model: string } {
  // an empty variable counts as unset
  const baseURL = options.baseURL || env.OPENAI_BASE_URL || undefined
  const apiKey = options.apiKey || env.OPENAI_API_KEY || undefined
  if (!baseURL && !apiKey) {
    throw codemodeError(
      "CONFIG_INVALID",
      ORIGIN,
      "no model endpoint configured: set OPENAI_BASE_URL to an OpenAI-compatible API (e.g. http://localhost:11434/v1 for Ollama) " +
        "and OPENAI_API_KEY if it needs one (OPENAI_API_KEY alone uses api.openai.com), then pick the model with --model or OPENAI_MODEL",
    )
  }
  const model = options.model || env.OPENAI_MODEL
  if (!model) throw codemodeError("CONFIG_INVALID", ORIGIN, "no model named: pass --model <name> (or set OPENAI_MODEL), e.g. --model gpt-4.1-mini")
  return { baseURL: baseURL ?? "https://api.openai.com/v1", apiKey: apiKey ?? "no-key", model }
}

/** Creates the client; throws `CONFIG_INVALID` without an endpoint or without the `openai` package. */
export async function createModelClient(options: EndpointOptions, observer: WireObserver = {}): Promise<ModelClient> {
  const endpoint = resolveEndpoint(options)
  let OpenAIClient: typeof OpenAI
  try {
    ;({ default: OpenAIClient } = await import("openai"))
  } catch (error) {
    throw codemodeError("CONFIG_INVALID", ORIGIN, `the agent needs the "openai" package, which could not be loaded (${String(error)}); install it: ${OPENAI_INSTALL_COMMAND}`, {
      cause: error,
    })
  }
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
  const maxWaitMs = Math.min(MAX_RETRY_WAIT_MS, options.timeoutMs ?? MAX_RETRY_WAIT_MS)
  const observed: typeof fetch = async (input, init) => {
    if (typeof init?.body === "string") observer.onRequest?.(init.body)
    // the client numbers its attempts in this header; it retries while the count is below maxRetries
    const attempt = Number(new Headers(init?.headers).get("x-stainless-retry-count") ?? 0) + 1
    const willRetry = attempt <= maxRetries
    let response: Response
    try {
      response = await fetch(input, init)
    } catch (error) {
      if (willRetry) observer.onRetry?.({ attempt, error: messageOf((error as { cause?: unknown }).cause ?? error) })
      throw error
    }
    if (response.ok || !willRetry || !retried(response)) return response
    const capped = cappedWait(response, maxWaitMs)
    observer.onRetry?.({ attempt, status: response.status, ...(capped.retryAfter === undefined ? {} : { retryAfter: capped.retryAfter }) })
    return capped.response
  }
  const client = new OpenAIClient({
    baseURL: endpoint.baseURL,
    apiKey: endpoint.apiKey,
    maxRetries,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    fetch: observed,
  })
  return { client, model: endpoint.model, baseURL: endpoint.baseURL, streamIdleMs: options.streamIdleMs ?? DEFAULT_STREAM_IDLE_MS }
}

/**
 * The model endpoint: any OpenAI-compatible Chat Completions API, reached with the `openai` package
 * (an optional peer dependency, loaded on first use). The client does the HTTP, the SSE parsing and
 * the retries (429, 5xx, honouring `Retry-After`, exponential backoff with jitter otherwise); its
 * `fetch` is wrapped here only to see each request body (the token count) and each retried status.
 */
import type OpenAI from "openai"
import { codemodeError } from "../../errors.js"

const ORIGIN = "agent"
/** What a user without the client library has to run. */
export const OPENAI_INSTALL_COMMAND = "npm install openai"
/** Default retries of a failed request (429, 5xx, connection errors) before the turn fails. */
export const DEFAULT_MAX_RETRIES = 3

/** Where the model is. Each field defaults to its environment variable. */
export interface EndpointOptions {
  /** Base URL of the API, e.g. `http://localhost:11434/v1`. Default `$OPENAI_BASE_URL`, else api.openai.com with a key. */
  baseURL?: string
  /** Default `$OPENAI_API_KEY`; a local endpoint without one gets a placeholder. */
  apiKey?: string
  /** The model name. Default `$OPENAI_MODEL`. */
  model?: string
  /** Retries of a request that failed with 429, 5xx or a connection error. Default {@link DEFAULT_MAX_RETRIES}. */
  maxRetries?: number
  /** Per-request timeout. Default 600,000 ms (the client's). */
  timeoutMs?: number
}

/** Seen by the wrapped fetch. */
export interface WireObserver {
  /** The exact body of each request sent (retries included). */
  onRequest?: (body: string) => void
  /** A response with a status the client retries (429, 5xx) while it has retries left; `retryAfter`: the header. */
  onErrorStatus?: (status: number, retryAfter: string | null) => void
}

export interface ModelClient {
  client: OpenAI
  model: string
  baseURL: string
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
  const observed: typeof fetch = async (input, init) => {
    if (typeof init?.body === "string") observer.onRequest?.(init.body)
    const response = await fetch(input, init)
    if (response.status === 429 || response.status >= 500) observer.onErrorStatus?.(response.status, response.headers.get("retry-after"))
    return response
  }
  const client = new OpenAIClient({
    baseURL: endpoint.baseURL,
    apiKey: endpoint.apiKey,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    fetch: observed,
  })
  return { client, model: endpoint.model, baseURL: endpoint.baseURL }
}

/**
 * Public option types of the OpenAPI source and the minimal shape of an OpenAPI document.
 */

/**
 * A secret: a literal, `{ env: "NAME" }` read from the host environment at call time, or a callback
 * (sync or async) called at call time. Secrets stay on the host; the sandbox never sees them.
 */
export type SecretValue = string | { env: string } | (() => string | Promise<string>)

/** How each request is authenticated. Injected on the host only. */
export type OpenApiAuth =
  | { bearer: SecretValue }
  | { header: { name: string; value: SecretValue } }
  | { query: { name: string; value: SecretValue } }
  | { basic: { username: SecretValue; password: SecretValue } }

/** Options of {@link openapi}. */
export interface OpenApiOptions {
  /**
   * The spec: a file path, an http(s) URL, or an already-parsed document. JSON or YAML
   * (`.json` / `.yaml` / `.yml`, sniffed when the name says nothing), optionally gzip-compressed.
   */
  spec: string | object
  /** Base URL of the API. Default: `servers[0].url` of the spec (with its variables' defaults). */
  baseUrl?: string
  /** Credentials added to every request on the host. Default: none. */
  auth?: OpenApiAuth
  /** Extra static headers sent with every request. Default: none. */
  headers?: Record<string, string>
  /** Per-request timeout in milliseconds. Default: {@link DEFAULT_OPENAPI_TIMEOUT_MS}. */
  timeoutMs?: number
  /**
   * Largest response body read, in bytes; a bigger 2xx body fails the call with `TOOL_CALL_FAILED`
   * instead of filling the host's memory. Default: {@link DEFAULT_OPENAPI_MAX_RESPONSE_BYTES}.
   */
  maxResponseBytes?: number
  /** The fetch implementation (used for the spec URL and the calls). Default: `globalThis.fetch`. */
  fetch?: typeof fetch
}

/** Default per-request timeout of OpenAPI calls. */
export const DEFAULT_OPENAPI_TIMEOUT_MS = 30_000

/** Default cap on a response body (16 MiB). */
export const DEFAULT_OPENAPI_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

/** A server entry of an OpenAPI document. */
export interface OpenApiServer {
  url: string
  description?: string
  variables?: Record<string, { default?: string; enum?: string[]; description?: string }>
}

/** The parts of an OpenAPI 3.x document codemode reads; everything else is kept untouched. */
export interface OpenApiDocument {
  /** "3.0.x" or "3.1.x". */
  openapi: string
  info?: { title?: string; version?: string; description?: string; [key: string]: unknown }
  servers?: OpenApiServer[]
  paths?: Record<string, unknown>
  components?: Record<string, Record<string, unknown> | undefined>
  [key: string]: unknown
}

/**
 * Making one operation call on the host: request building, auth, timeout and cancellation, redirects
 * (credentials never follow a redirect to another origin), and mapping the response to a value (JSON
 * parsed, text as string, no content → null) or an error.
 */
import { CodeModeError, codemodeError } from "../../errors.js"
import type { CallContext } from "../tool.js"
import { resolveCredentials, type Credentials } from "./auth.js"
import type { OperationDescriptor } from "./operations.js"
import { buildRequest, checkArguments, type RequestParts } from "./serialize.js"
import type { OpenApiAuth } from "./types.js"

/** How much of an error response body goes into the error message and data. */
export const ERROR_BODY_EXCERPT_CHARS = 500
/** How much of an error response body is read at most (the rest is discarded). */
const ERROR_BODY_READ_BYTES = 64 * 1024
/** Redirect hops followed before giving up. */
const MAX_REDIRECTS = 5

/** What every call of one source shares. */
export interface CallSettings {
  origin: string
  /** The base URL, or the configuration error to raise when there is none. */
  baseUrl: string | CodeModeError
  auth?: OpenApiAuth
  headers: Record<string, string>
  timeoutMs: number
  maxResponseBytes: number
  fetch: typeof fetch
}

/** Returns the `Tool.call` implementation for `op`. */
export function createCall(op: OperationDescriptor, settings: CallSettings) {
  const { origin } = settings
  const where = `${op.name} (${op.method} ${op.path})`
  return async function callOperation(rawArgs: unknown, ctx: CallContext = {}): Promise<unknown> {
    const args = checkArguments(op, rawArgs, origin)
    if (typeof settings.baseUrl !== "string") throw settings.baseUrl
    if (ctx.signal?.aborted) throw codemodeError("ABORTED", origin, `${where} was cancelled before it started.`)
    let request: RequestParts
    try {
      request = buildRequest(op, args, settings.baseUrl)
    } catch (cause) {
      // e.g. a header value with a line break, which Headers rejects.
      throw codemodeError("TOOL_INPUT_INVALID", origin, `${where}: cannot build the request: ${(cause as Error).message}`, {
        cause,
        data: { tool: op.name },
      })
    }
    const credentials = await resolveCredentials(settings.auth, origin)
    const secrets = credentials.secrets.filter((s) => s.length >= 4)
    const timeout = AbortSignal.timeout(settings.timeoutMs)
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout
    try {
      const res = await send(op.method, request, settings, credentials, signal, where)
      if (!res.ok) {
        const excerpt = excerptOf(redact((await readBody(res, ERROR_BODY_READ_BYTES)).text, secrets))
        throw codemodeError("TOOL_CALL_FAILED", origin, `${where} failed: HTTP ${res.status} ${res.statusText}${excerpt ? `: ${excerpt}` : ""}`, {
          data: { tool: op.name, method: op.method, path: op.path, status: res.status, statusText: res.statusText, body: excerpt },
        })
      }
      return await readResult(res, where, settings, secrets)
    } catch (cause) {
      if (CodeModeError.is(cause)) throw cause
      if (ctx.signal?.aborted) throw codemodeError("ABORTED", origin, `${where} was cancelled.`, { cause })
      if (timeout.aborted) {
        throw codemodeError("TOOL_TIMEOUT", origin, `${where} did not answer within ${settings.timeoutMs} ms (option timeoutMs).`, {
          cause,
          data: { tool: op.name, timeoutMs: settings.timeoutMs },
        })
      }
      const reason = redact(String((cause as Error).cause ?? cause), secrets)
      throw codemodeError("SOURCE_UNAVAILABLE", origin, `${where}: request to ${request.url.origin} failed: ${reason}`, {
        cause,
        data: { tool: op.name },
      })
    }
  }
}

/**
 * Sends the request, following redirects by hand: same-origin hops keep the credentials and static
 * headers, cross-origin hops carry neither. 303 (and 301/302 after POST) continue as GET without body.
 */
async function send(
  method: string,
  request: RequestParts,
  settings: CallSettings,
  credentials: Credentials,
  signal: AbortSignal,
  where: string,
): Promise<Response> {
  const home = request.url.origin
  let { url, body } = request
  for (let hop = 0; ; hop++) {
    const headers = new Headers(request.headers)
    if (body === undefined) headers.delete("content-type")
    if (url.origin === home) {
      for (const [name, value] of Object.entries(settings.headers)) headers.set(name, value)
      credentials.apply(url, headers)
    }
    const res = await settings.fetch(url, { method, headers, body, signal, redirect: "manual" })
    const location = res.headers.get("location")
    if (res.status < 300 || res.status > 399 || res.status === 304 || location === null) return res
    await res.body?.cancel()
    if (hop === MAX_REDIRECTS) {
      throw codemodeError("TOOL_CALL_FAILED", settings.origin, `${where} failed: more than ${MAX_REDIRECTS} redirects.`, {
        data: { status: res.status },
      })
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
      method = "GET"
      body = undefined
    }
    url = new URL(location, url)
  }
}

async function readResult(res: Response, where: string, settings: CallSettings, secrets: string[]): Promise<unknown> {
  if (res.status === 204 || res.status === 205) {
    await res.body?.cancel()
    return null
  }
  const { text, truncated } = await readBody(res, settings.maxResponseBytes)
  if (truncated) {
    throw codemodeError(
      "TOOL_CALL_FAILED",
      settings.origin,
      `${where} returned more than ${settings.maxResponseBytes} bytes (option maxResponseBytes); ask for less, e.g. with paging or filter parameters.`,
      { data: { status: res.status, maxResponseBytes: settings.maxResponseBytes } },
    )
  }
  if (text === "") return null
  const type = res.headers.get("content-type") ?? ""
  if (!/json/i.test(type)) return text
  try {
    return JSON.parse(text)
  } catch (cause) {
    const excerpt = excerptOf(redact(text, secrets))
    throw codemodeError("TOOL_CALL_FAILED", settings.origin, `${where} returned invalid JSON (${type}): ${excerpt}`, {
      cause,
      data: { status: res.status, body: excerpt },
    })
  }
}

/** Reads the body as UTF-8, at most `maxBytes` (the rest is discarded and `truncated` set). */
async function readBody(res: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: "", truncated: false }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let truncated = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
      if (size > maxBytes) {
        truncated = true
        break
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return { text: Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8"), truncated }
}

/** A one-line excerpt of at most {@link ERROR_BODY_EXCERPT_CHARS} characters. */
function excerptOf(body: string): string {
  const text = body.replace(/\s+/g, " ").trim()
  return text.length > ERROR_BODY_EXCERPT_CHARS ? `${text.slice(0, ERROR_BODY_EXCERPT_CHARS)}… (truncated)` : text
}

function redact(text: string, secrets: string[]): string {
  let out = text
  for (const secret of secrets) out = out.split(secret).join("***")
  return out
}

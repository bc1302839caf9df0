/**
 * A scripted OpenAI-compatible model on 127.0.0.1: `POST <url>/chat/completions` answers each request
 * with the next turn of a script, streamed as server-sent events (`stream: true`) or as one
 * `chat.completion` object. A turn is text, tool calls (whose `arguments` are sent exactly as given,
 * so a test can send malformed JSON), or a fault: an HTTP error status (429 with `Retry-After`, 500),
 * or a stream cut after some chunks (the socket is destroyed, no `finish_reason`, no `[DONE]`).
 *
 * It stands in for a model wherever one is needed without an endpoint: the agent's tests, the README
 * examples and `codemode eval`'s scripted arm. It ships in the package (`codemode/testing`) so that
 * an app can test its own agent against it. Only `node:http`; nothing here parses SSE on the client.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** A tool call the scripted model makes. */
export interface ScriptedToolCall {
  /** The function's name. */
  name: string
  /** Sent as the call's `arguments`: a string as is (malformed JSON included), anything else as JSON. */
  arguments: unknown
  /** Default: `call_<request>_<index>`. */
  id?: string
}

/** One model turn, or a fault in place of it. */
export interface ScriptedTurn {
  /** Assistant text, streamed in pieces of `chunkChars`. */
  text?: string
  toolCalls?: ScriptedToolCall[]
  /** Characters per streamed text or argument piece. Default 8. */
  chunkChars?: number
  /** Usage to report (in the last chunk when the request asks with `stream_options.include_usage`). Default: none. */
  usage?: { prompt_tokens: number; completion_tokens: number }
  /** Answer with this HTTP status and an OpenAI-style error body instead of the turn. */
  status?: number
  /** With `status`: the `Retry-After` header, in seconds. */
  retryAfter?: number
  /** Streamed requests: destroy the connection after this many chunks (no finish_reason, no `[DONE]`). */
  cutAfterChunks?: number
}

/** What the model was sent: the parsed request body. */
export interface ScriptedRequest {
  model?: string
  messages: Array<{ role: string; content?: unknown; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string }>
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>
  stream?: boolean
  stream_options?: { include_usage?: boolean }
  [key: string]: unknown
}

/** The next turn for a request: a fixed list, or computed from the conversation so far. */
export type Script = ScriptedTurn[] | ((request: ScriptedRequest, index: number) => ScriptedTurn | Promise<ScriptedTurn>)

export interface ScriptedModelServer {
  /** Base URL to give an OpenAI client, e.g. `http://127.0.0.1:41234/v1`. */
  url: string
  /** Every request received, in order, with its raw body text. */
  readonly requests: Array<{ body: string; parsed: ScriptedRequest }>
  /** Replaces the script and starts it from its first turn (requests seen so far are kept). */
  play(script: Script): void
  /** Stops listening and ends open connections. Idempotent. */
  close(): Promise<void>
}

export interface ScriptedModelOptions {
  /** The turns to replay. Default: none (every request fails until `play()`). */
  script?: Script
  /** Model name reported in responses. Default "scripted". */
  model?: string
}

const DEFAULT_CHUNK_CHARS = 8

function pieces(text: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

const argumentText = (args: unknown) => (typeof args === "string" ? args : JSON.stringify(args ?? {}))

/** The chunks of a streamed turn, without the trailing usage chunk. */
function turnChunks(turn: ScriptedTurn, index: number): Array<Record<string, unknown>> {
  const size = turn.chunkChars ?? DEFAULT_CHUNK_CHARS
  const deltas: Array<Record<string, unknown>> = [{ role: "assistant", content: "" }]
  for (const piece of pieces(turn.text ?? "", size)) deltas.push({ content: piece })
  ;(turn.toolCalls ?? []).forEach((call, i) => {
    const id = call.id ?? `call_${index}_${i}`
    deltas.push({ tool_calls: [{ index: i, id, type: "function", function: { name: call.name, arguments: "" } }] })
    for (const piece of pieces(argumentText(call.arguments), size)) deltas.push({ tool_calls: [{ index: i, function: { arguments: piece } }] })
  })
  const finish = turn.toolCalls?.length ? "tool_calls" : "stop"
  return [...deltas.map((delta) => ({ index: 0, delta, finish_reason: null })), { index: 0, delta: {}, finish_reason: finish }].map((choice) => ({ choices: [choice] }))
}

function completion(turn: ScriptedTurn, index: number) {
  const toolCalls = (turn.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_${index}_${i}`,
    type: "function",
    function: { name: call.name, arguments: argumentText(call.arguments) },
  }))
  return {
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: turn.text ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: toolCalls.length ? "tool_calls" : "stop",
      },
    ],
    ...(turn.usage ? { usage: { ...turn.usage, total_tokens: turn.usage.prompt_tokens + turn.usage.completion_tokens } } : {}),
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    req.on("data", (part: Buffer) => parts.push(part))
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")))
    req.on("error", reject)
  })
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify({ error: { message, type: status === 429 ? "rate_limit_exceeded" : "server_error", code: null } }))
}

/** Starts a scripted model on 127.0.0.1 (a free port). */
export async function scriptedModelServer(options: ScriptedModelOptions = {}): Promise<ScriptedModelServer> {
  const model = options.model ?? "scripted"
  let script: Script = options.script ?? []
  let next = 0
  const requests: Array<{ body: string; parsed: ScriptedRequest }> = []

  async function turnFor(request: ScriptedRequest, index: number): Promise<ScriptedTurn | undefined> {
    return typeof script === "function" ? script(request, index) : script[index]
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) return sendError(res, 404, `scripted model: no route ${req.method} ${req.url}`)
    const body = await readBody(req)
    let parsed: ScriptedRequest
    try {
      parsed = JSON.parse(body) as ScriptedRequest
    } catch {
      return sendError(res, 400, "scripted model: the request body is not JSON")
    }
    requests.push({ body, parsed })
    const index = next++
    const turn = await turnFor(parsed, index)
    // 400 is not retried by clients: a test that runs past its script fails at once.
    if (!turn) return sendError(res, 400, `scripted model: the script has no turn ${index + 1}`)
    if (turn.status !== undefined) {
      return sendError(res, turn.status, `scripted fault: HTTP ${turn.status}`, turn.retryAfter === undefined ? {} : { "retry-after": String(turn.retryAfter) })
    }
    const base = { id: `chatcmpl-scripted-${index}`, created: Math.floor(Date.now() / 1000), model }
    if (!parsed.stream) {
      res.writeHead(200, { "content-type": "application/json" })
      return res.end(JSON.stringify({ ...base, object: "chat.completion", ...completion(turn, index) }))
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" })
    const chunks = turnChunks(turn, index)
    if (turn.usage && parsed.stream_options?.include_usage) {
      chunks.push({ choices: [], usage: { ...turn.usage, total_tokens: turn.usage.prompt_tokens + turn.usage.completion_tokens } })
    }
    for (const [i, chunk] of chunks.entries()) {
      if (turn.cutAfterChunks !== undefined && i >= turn.cutAfterChunks) {
        // Flush what was written, then drop the connection without ending the response.
        await new Promise<void>((resolve) => res.write("", () => resolve()))
        req.socket.destroy()
        return
      }
      res.write(`data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", ...chunk })}\n\n`)
    }
    res.end("data: [DONE]\n\n")
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `scripted model failed: ${String(error)}`, { "x-should-retry": "false" })
      else res.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    play(newScript) {
      script = newScript
      next = 0
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })),
  }
}

/**
 * A scripted model on 127.0.0.1 that speaks the three wire formats codemode's faces meet: OpenAI
 * Chat Completions (`POST …/chat/completions`, streamed as server-sent events or whole; what the
 * agent, `@ai-sdk/openai-compatible` and `codemode eval` send), OpenAI Responses (`POST …/responses`)
 * and Anthropic Messages (`POST …/messages`), the last two whole only. Each request is answered with
 * the next turn of a script: text, tool calls (whose `arguments` are sent exactly as given, so a test
 * can send malformed JSON), or a fault — an HTTP error status (429 with `Retry-After`, 500), or a
 * stream cut after some chunks (the socket is destroyed, no `finish_reason`, no `[DONE]`).
 *
 * It stands in for a model wherever one is needed without an endpoint: the agent's and adapters'
 * tests, the README examples and `codemode eval`'s scripted arm. It ships in the package
 * (`codemode/testing`) so that an app can test its own agent against it. Only `node:http`.
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
  /** Assistant text (streamed in pieces of `chunkChars`). */
  text?: string
  toolCalls?: ScriptedToolCall[]
  /** Characters per streamed text or argument piece. Default 8. */
  chunkChars?: number
  /** Usage to report (streamed: in the last chunk when the request asks with `stream_options.include_usage`). Default: none. */
  usage?: { prompt_tokens: number; completion_tokens: number }
  /** Answer with this HTTP status and an error body instead of the turn. */
  status?: number
  /** With `status`: the `Retry-After` header, in seconds. */
  retryAfter?: number
  /** Streamed requests: destroy the connection after this many chunks (no finish_reason, no `[DONE]`). */
  cutAfterChunks?: number
}

/** The wire format of a request: Chat Completions, Responses or Messages. */
export type ScriptedApi = "chat" | "responses" | "messages"

/** A Chat Completions message as a script reads it. */
export interface ScriptedMessage {
  role: string
  content?: unknown
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>
  tool_call_id?: string
}

/** A request as a script sees it: the body, and what every script needs from it in any format. */
export interface ScriptedRequest {
  api: ScriptedApi
  /** The parsed request body, as the client sent it. */
  body: Record<string, unknown>
  /** The body's text. */
  raw: string
  /** The names of the tools the request offers. */
  tools: string[]
  /** The text of the tool results the request carries for the model's last turn, in order. */
  toolResults: string[]
  /** The conversation (Chat Completions only; empty for the other formats). */
  messages: ScriptedMessage[]
  stream: boolean
}

/** The next turn for a request: a fixed list, or computed from the request and its index. */
export type Script = ScriptedTurn[] | ((request: ScriptedRequest, index: number) => ScriptedTurn | Promise<ScriptedTurn>)

export interface ScriptedModelServer {
  /**
   * `http://127.0.0.1:<port>/v1`: the base URL for the OpenAI SDK, the AI SDK's providers and
   * `cm.agent()`, and for the Anthropic SDK too (any path ending in `/messages` is the Messages API).
   */
  url: string
  /** Every request received, in order. */
  readonly requests: ScriptedRequest[]
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

type Json = Record<string, unknown>

const DEFAULT_CHUNK_CHARS = 8
const asArray = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : [])
const argumentText = (args: unknown) => (typeof args === "string" ? args : JSON.stringify(args ?? {}))

function pieces(text: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

/** The text of a tool result's content: a string or text parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content
  return asArray(content).map((p) => (typeof p.text === "string" ? p.text : "")).join("")
}

/** The route of a request path, by its ending (so the OpenAI and Anthropic SDKs share one base URL). */
function apiOf(url: string | undefined): ScriptedApi | undefined {
  const path = (url ?? "").split("?")[0] ?? ""
  if (path.endsWith("/chat/completions")) return "chat"
  if (path.endsWith("/responses")) return "responses"
  if (path.endsWith("/messages")) return "messages"
  return undefined
}

/** What a script reads of a request body, in each format. */
function describe(api: ScriptedApi, body: Json, raw: string): ScriptedRequest {
  const base = { api, body, raw, stream: body.stream === true }
  if (api === "chat") {
    const messages = asArray(body.messages) as unknown as ScriptedMessage[]
    const lastAssistant = messages.map((m) => m.role).lastIndexOf("assistant")
    return {
      ...base,
      messages,
      tools: asArray(body.tools).map((t) => String((t.function as Json | undefined)?.name)),
      toolResults: messages.slice(lastAssistant + 1).filter((m) => m.role === "tool").map((m) => contentText(m.content)),
    }
  }
  if (api === "responses") {
    return {
      ...base,
      messages: [],
      tools: asArray(body.tools).map((t) => String(t.name)),
      toolResults: asArray(body.input).filter((i) => i.type === "function_call_output").map((i) => contentText(i.output)),
    }
  }
  const last = asArray(body.messages).at(-1)
  return {
    ...base,
    messages: [],
    tools: asArray(body.tools).map((t) => String(t.name)),
    toolResults: last?.role === "user" ? asArray(last.content).filter((b) => b.type === "tool_result").map((b) => contentText(b.content)) : [],
  }
}

interface Call {
  id: string
  name: string
  json: string
}

const callsOf = (turn: ScriptedTurn, index: number): Call[] =>
  (turn.toolCalls ?? []).map((call, i) => ({ id: call.id ?? `call_${index}_${i}`, name: call.name, json: argumentText(call.arguments) }))

const totalUsage = (usage: NonNullable<ScriptedTurn["usage"]>) => ({ ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens })

/** The chunks of a streamed Chat Completions turn, without the trailing usage chunk. */
function chatChunks(turn: ScriptedTurn, calls: Call[]): Json[] {
  const size = turn.chunkChars ?? DEFAULT_CHUNK_CHARS
  const deltas: Json[] = [{ role: "assistant", content: "" }]
  for (const piece of pieces(turn.text ?? "", size)) deltas.push({ content: piece })
  calls.forEach((call, i) => {
    deltas.push({ tool_calls: [{ index: i, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] })
    for (const piece of pieces(call.json, size)) deltas.push({ tool_calls: [{ index: i, function: { arguments: piece } }] })
  })
  const finish = calls.length ? "tool_calls" : "stop"
  return [...deltas.map((delta) => ({ index: 0, delta, finish_reason: null })), { index: 0, delta: {}, finish_reason: finish }].map((choice) => ({ choices: [choice] }))
}

/** A whole (non-streamed) answer in the request's format. */
function wholeAnswer(api: ScriptedApi, turn: ScriptedTurn, calls: Call[], base: { id: string; created: number; model: string }): Json {
  const text = turn.text ?? ""
  if (api === "chat") {
    const message = {
      role: "assistant",
      content: turn.text ?? null,
      refusal: null,
      ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.json } })) } : {}),
    }
    return {
      id: `chatcmpl-${base.id}`,
      object: "chat.completion",
      created: base.created,
      model: base.model,
      choices: [{ index: 0, message, finish_reason: calls.length ? "tool_calls" : "stop", logprobs: null }],
      ...(turn.usage ? { usage: totalUsage(turn.usage) } : {}),
    }
  }
  const input = turn.usage?.prompt_tokens ?? 0
  const output = turn.usage?.completion_tokens ?? 0
  if (api === "responses") {
    return {
      id: `resp_${base.id}`,
      object: "response",
      created_at: base.created,
      status: "completed",
      model: base.model,
      // the text (when there is some, or nothing else) before the calls, as the model wrote them
      output: [
        ...(text || !calls.length ? [{ type: "message", id: `msg_${base.id}`, role: "assistant", status: "completed", content: [{ type: "output_text", text, annotations: [] }] }] : []),
        ...calls.map((c) => ({ type: "function_call", id: `fc_${c.id}`, call_id: c.id, name: c.name, arguments: c.json, status: "completed" })),
      ],
      parallel_tool_calls: true,
      tool_choice: "auto",
      tools: [],
      error: null,
      incomplete_details: null,
      instructions: null,
      metadata: {},
      usage: { input_tokens: input, output_tokens: output, total_tokens: input + output, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
    }
  }
  return {
    id: `msg_${base.id}`,
    type: "message",
    role: "assistant",
    model: base.model,
    // A tool_use block carries parsed input: malformed arguments are sent as their text.
    content: [...(text || !calls.length ? [{ type: "text", text }] : []), ...calls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: parseOr(c.json) }))],
    stop_reason: calls.length ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: input, output_tokens: output },
  }
}

function parseOr(json: string): unknown {
  try {
    return JSON.parse(json)
  } catch {
    return json
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

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { error: { message, type: status === 429 ? "rate_limit_exceeded" : "server_error", code: null } }, headers)
}

/** Starts a scripted model on 127.0.0.1 (a free port). */
export async function scriptedModelServer(options: ScriptedModelOptions = {}): Promise<ScriptedModelServer> {
  const model = options.model ?? "scripted"
  let script: Script = options.script ?? []
  let next = 0
  const requests: ScriptedRequest[] = []

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const api = apiOf(req.url)
    if (req.method !== "POST" || !api) return sendError(res, 404, `scripted model: no route ${req.method} ${req.url}`)
    const raw = await readBody(req)
    let body: Json
    try {
      body = JSON.parse(raw) as Json
    } catch {
      return sendError(res, 400, "scripted model: the request body is not JSON")
    }
    const request = describe(api, body, raw)
    if (request.stream && api !== "chat") return sendError(res, 400, `scripted model: it streams Chat Completions only, not ${api}`)
    requests.push(request)
    const index = next++
    const turn = typeof script === "function" ? await script(request, index) : script[index]
    // 400 is not retried by clients: a test that runs past its script fails at once.
    if (!turn) return sendError(res, 400, `scripted model: the script has no turn ${index + 1}`)
    if (turn.status !== undefined) {
      return sendError(res, turn.status, `scripted fault: HTTP ${turn.status}`, turn.retryAfter === undefined ? {} : { "retry-after": String(turn.retryAfter) })
    }
    const calls = callsOf(turn, index)
    const base = { id: `scripted-${index}`, created: Math.floor(Date.now() / 1000), model }
    if (!request.stream) return sendJson(res, 200, wholeAnswer(api, turn, calls, base))
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" })
    const chunks = chatChunks(turn, calls)
    if (turn.usage && (body.stream_options as Json | undefined)?.include_usage) chunks.push({ choices: [], usage: totalUsage(turn.usage) })
    const head = { id: `chatcmpl-${base.id}`, created: base.created, model, object: "chat.completion.chunk" }
    for (const [i, chunk] of chunks.entries()) {
      if (turn.cutAfterChunks !== undefined && i >= turn.cutAfterChunks) {
        // Flush what was written, then drop the connection without ending the response.
        await new Promise<void>((resolve) => res.write("", () => resolve()))
        req.socket.destroy()
        return
      }
      res.write(`data: ${JSON.stringify({ ...head, ...chunk })}\n\n`)
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

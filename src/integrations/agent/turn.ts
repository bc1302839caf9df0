/**
 * One model turn: a Chat Completions request (streamed by default) turned into the assistant's text,
 * its tool calls and the usage the endpoint reported. The `openai` client parses the stream; here the
 * deltas are joined. A stream that ends, breaks or stalls before a `finish_reason` fails with
 * `MODEL_FAILED` carrying what was received, rather than passing half a turn on as if it were whole.
 */
import { randomUUID } from "node:crypto"
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions"
import { codemodeError } from "../../errors.js"
import type { ModelClient } from "./client.js"
import type { TokenCount } from "./events.js"

const ORIGIN = "agent"

/** A tool call as the model sent it: `arguments` is raw text, valid JSON or not. */
export interface RawToolCall {
  id: string
  name: string
  arguments: string
}

export interface ModelTurn {
  text: string
  toolCalls: RawToolCall[]
  /** `"length"`: the model's output was cut by its length limit. */
  finishReason: string
  /** As reported by the endpoint; absent when it reports none. */
  usage?: TokenCount
}

export interface TurnRequest {
  messages: ChatCompletionMessageParam[]
  tools: ChatCompletionTool[]
  /** Stream the answer (default). `false`: one JSON response. */
  stream: boolean
  signal?: AbortSignal | undefined
  onText?: (delta: string) => void
}

const usageOf = (usage: { prompt_tokens: number; completion_tokens: number } | null | undefined): TokenCount | undefined =>
  usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } : undefined

/** What had arrived when a stream broke, for the error message. */
function received(text: string, calls: RawToolCall[]): string {
  const parts = [text ? `text ${JSON.stringify(text)}` : "no text"]
  for (const call of calls) parts.push(`a call of ${call.name || "?"} with arguments ${JSON.stringify(call.arguments)}`)
  return parts.join(", ")
}

function failed(message: string, cause: unknown, data: Record<string, unknown> = {}) {
  const status = (cause as { status?: unknown } | null)?.status
  return codemodeError("MODEL_FAILED", ORIGIN, message, { cause, data: { ...data, ...(typeof status === "number" ? { status } : {}) } })
}

/** The turn as received, checked: every call gets an id (unique in the conversation), and a turn ending for tool calls has some. */
function whole(text: string, calls: RawToolCall[], finishReason: string, usage: TokenCount | undefined): ModelTurn {
  const toolCalls = calls.filter((c) => c !== undefined).map((c) => ({ ...c, id: c.id || `call_${randomUUID()}` }))
  if (finishReason === "tool_calls" && toolCalls.length === 0) {
    throw failed(`the model ended its turn to call tools (finish_reason "tool_calls") but no tool call came; received ${received(text, [])}`, undefined, { received: text })
  }
  return { text, toolCalls, finishReason, ...(usage ? { usage } : {}) }
}

async function nonStreamed(model: ModelClient, request: TurnRequest, signal: AbortSignal): Promise<ModelTurn> {
  const completion = await model.client.chat.completions.create(
    { model: model.model, messages: request.messages, ...(request.tools.length ? { tools: request.tools } : {}) },
    { signal },
  )
  const choice = completion.choices?.[0]
  if (!choice) throw failed("the endpoint answered without a choice", undefined)
  const text = choice.message.content ?? ""
  if (text) request.onText?.(text)
  const calls = (choice.message.tool_calls ?? []).flatMap((c) => (c.type === "function" ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : []))
  return whole(text, calls, choice.finish_reason, usageOf(completion.usage))
}

/**
 * Joins the tool-call deltas of one chunk into `calls`: by index, id and name first, arguments in
 * pieces. Some endpoints leave `index` out (the piece then belongs to the last call, or starts one
 * when it carries a new id) or repeat the name in every piece (it is set, not joined).
 */
function addToolDeltas(calls: RawToolCall[], deltas: ChatCompletionChunk.Choice.Delta.ToolCall[]) {
  for (const delta of deltas as Array<Omit<ChatCompletionChunk.Choice.Delta.ToolCall, "index"> & { index?: number }>) {
    const previous = calls.at(-1)
    const index = delta.index ?? (previous === undefined ? 0 : delta.id && previous.id && delta.id !== previous.id ? calls.length : calls.length - 1)
    const call = (calls[index] ??= { id: "", name: "", arguments: "" })
    if (delta.id) call.id = delta.id
    if (delta.function?.name) call.name = delta.function.name
    if (delta.function?.arguments) call.arguments += delta.function.arguments
  }
}

/** Fails the turn (`turn.abort()`) when `idleMs` pass without a piece; `touch()` on each one. */
function idleWatch(turn: AbortController, idleMs: number) {
  let timer: NodeJS.Timeout | undefined
  const watch = {
    stalled: false,
    touch() {
      clearTimeout(timer)
      timer = setTimeout(() => {
        watch.stalled = true
        turn.abort()
      }, idleMs)
    },
    stop: () => clearTimeout(timer),
  }
  return watch
}

async function streamed(model: ModelClient, request: TurnRequest, turn: AbortController): Promise<ModelTurn> {
  const stream = await model.client.chat.completions.create(
    {
      model: model.model,
      messages: request.messages,
      ...(request.tools.length ? { tools: request.tools } : {}),
      stream: true,
      stream_options: { include_usage: true },
    },
    { signal: turn.signal },
  )
  let text = ""
  const calls: RawToolCall[] = []
  let finishReason: string | undefined
  let usage: TokenCount | undefined
  const idle = idleWatch(turn, model.streamIdleMs)
  let broke: unknown
  try {
    idle.touch()
    for await (const chunk of stream) {
      idle.touch()
      usage = usageOf(chunk.usage) ?? usage
      const choice = chunk.choices?.[0]
      if (!choice) continue
      if (choice.delta?.content) {
        text += choice.delta.content
        request.onText?.(choice.delta.content)
      }
      if (choice.delta?.tool_calls) addToolDeltas(calls, choice.delta.tool_calls)
      if (choice.finish_reason) finishReason = choice.finish_reason
    }
  } catch (error) {
    if (request.signal?.aborted) throw error
    broke = error
  } finally {
    idle.stop()
  }
  // after a finish_reason only the usage and [DONE] can be missing: the turn is whole
  if (finishReason === undefined) {
    // the client ends the stream quietly when its signal aborts, as on a stall
    const how = idle.stalled ? `stalled (nothing came for ${model.streamIdleMs} ms)` : broke === undefined ? "ended (no finish_reason)" : `broke (${String(broke)})`
    throw failed(`the stream ${how} before the turn did; received ${received(text, calls)}`, broke, { received: text })
  }
  return whole(text, calls, finishReason, usage)
}

/**
 * Sends one request; rejects with `MODEL_FAILED` for endpoint errors left after the client's retries
 * and broken or stalled streams, and at once with `ABORTED` when `request.signal` aborts, even while
 * the client waits before a retry (it does not watch the signal then). The request gets a signal of
 * its own, tied to the task's for this turn only: the client never removes the listener it adds.
 */
export async function requestTurn(model: ModelClient, request: TurnRequest): Promise<ModelTurn> {
  const turn = new AbortController()
  let onAbort = () => {}
  const abandoned = new Promise<never>((_, reject) => {
    onAbort = () => {
      turn.abort()
      reject(codemodeError("ABORTED", ORIGIN, "the task was cancelled", { cause: request.signal?.reason }))
    }
  })
  if (request.signal?.aborted) onAbort()
  else request.signal?.addEventListener("abort", onAbort, { once: true })
  const work = (request.stream ? streamed(model, request, turn) : nonStreamed(model, request, turn.signal)).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === "MODEL_FAILED") throw error
    throw failed(`the model endpoint ${model.baseURL} failed: ${error instanceof Error ? error.message : String(error)}`, error)
  })
  work.catch(() => {}) // abandoned on abort: its late failure is nobody's
  try {
    return await Promise.race([work, abandoned])
  } finally {
    request.signal?.removeEventListener("abort", onAbort)
  }
}

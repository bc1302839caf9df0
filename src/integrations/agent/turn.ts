/**
 * One model turn: a Chat Completions request (streamed by default) turned into the assistant's text,
 * its tool calls and the usage the endpoint reported. The `openai` client parses the stream; here the
 * deltas are joined. A stream that ends or breaks before a `finish_reason` fails with `MODEL_FAILED`
 * carrying what was received, rather than passing half a turn on as if it were whole.
 */
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
  finishReason: string
  /** As reported by the endpoint; absent when it reports none. */
  usage?: TokenCount
}

export interface TurnRequest {
  messages: ChatCompletionMessageParam[]
  tools: ChatCompletionTool[]
  /** Stream the answer (default). `false`: one JSON response. */
  stream: boolean
  signal?: AbortSignal
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

async function nonStreamed(model: ModelClient, request: TurnRequest): Promise<ModelTurn> {
  const completion = await model.client.chat.completions.create(
    { model: model.model, messages: request.messages, ...(request.tools.length ? { tools: request.tools } : {}) },
    { signal: request.signal },
  )
  const choice = completion.choices?.[0]
  if (!choice) throw failed("the endpoint answered without a choice", undefined)
  const text = choice.message.content ?? ""
  if (text) request.onText?.(text)
  const toolCalls = (choice.message.tool_calls ?? []).flatMap((c) => (c.type === "function" ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : []))
  const usage = usageOf(completion.usage)
  return { text, toolCalls, finishReason: choice.finish_reason, ...(usage ? { usage } : {}) }
}

/** Joins the tool-call deltas of one chunk into `calls` (by index: id and name come first, arguments in pieces). */
function addToolDeltas(calls: RawToolCall[], deltas: ChatCompletionChunk.Choice.Delta.ToolCall[]) {
  for (const delta of deltas) {
    const call = (calls[delta.index] ??= { id: "", name: "", arguments: "" })
    if (delta.id) call.id = delta.id
    if (delta.function?.name) call.name += delta.function.name
    if (delta.function?.arguments) call.arguments += delta.function.arguments
  }
}

async function streamed(model: ModelClient, request: TurnRequest): Promise<ModelTurn> {
  const stream = await model.client.chat.completions.create(
    {
      model: model.model,
      messages: request.messages,
      ...(request.tools.length ? { tools: request.tools } : {}),
      stream: true,
      stream_options: { include_usage: true },
    },
    { signal: request.signal },
  )
  let text = ""
  const calls: RawToolCall[] = []
  let finishReason: string | undefined
  let usage: TokenCount | undefined
  try {
    for await (const chunk of stream) {
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
    throw failed(`the stream broke before the turn ended (${String(error)}); received ${received(text, calls)}`, error, { received: text })
  }
  if (finishReason === undefined) {
    throw failed(`the stream ended before the turn did (no finish_reason); received ${received(text, calls)}`, undefined, { received: text })
  }
  const toolCalls = calls.filter((c): c is RawToolCall => c !== undefined).map((c, i) => ({ ...c, id: c.id || `call_${i}` }))
  return { text, toolCalls, finishReason, ...(usage ? { usage } : {}) }
}

/** Sends one request; rejects with `MODEL_FAILED` for endpoint errors left after the client's retries and broken streams. */
export async function requestTurn(model: ModelClient, request: TurnRequest): Promise<ModelTurn> {
  try {
    return request.stream ? await streamed(model, request) : await nonStreamed(model, request)
  } catch (error) {
    if (request.signal?.aborted || (error as { code?: unknown }).code === "MODEL_FAILED") throw error
    throw failed(`the model endpoint ${model.baseURL} failed: ${error instanceof Error ? error.message : String(error)}`, error)
  }
}

/**
 * The conversation loop, independent of which tools are offered: send the messages, stream the
 * answer, run the tool calls it asks for, send their results back, until the model answers without
 * calling a tool or the turn limit is reached. A tool call whose arguments are not valid JSON (or
 * were cut by the model's length limit) goes back to the model as a tool error it can fix; every call
 * gets its tool message, even when the task ends first, so the conversation stays valid. Tokens are counted per turn: the endpoint's usage
 * when it reports one, else o200k on the request body actually sent and on what came back.
 */
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions"
import { codemodeError } from "../../errors.js"
import { tokenizer } from "../../lazy.js"
import type { ModelClient } from "./client.js"
import type { AgentEvent, TokenCount } from "./events.js"
import { requestTurn, type RawToolCall } from "./turn.js"

/** Default most model turns per task. */
export const DEFAULT_MAX_TURNS = 20

/** What a tool call gives back to the model. */
export interface ToolAnswer {
  text: string
  isError: boolean
  status?: "done" | "failed" | "paused"
}

/** The tools of a conversation: their definitions and how a call is answered. */
export interface Toolset {
  /** The function tools offered on each turn (asked again every turn: the list may change). */
  definitions(): ChatCompletionTool[]
  /** Answers a call whose arguments parsed as JSON. Must not throw: failures are answers with `isError`. */
  call(name: string, args: unknown, context: { turn: number; signal?: AbortSignal | undefined; emit: (event: AgentEvent) => void }): Promise<ToolAnswer>
}

/** A task's outcome. */
export interface AgentReply extends TokenCount {
  /** The model's last text. */
  text: string
  /** Model turns (requests) the task took. */
  turns: number
  /**
   * Set when the task stopped without a whole answer: at the turn limit (`"max-turns"`), or with a
   * reply cut by the model's length limit (`"length"`: `text` is the cut reply).
   */
  stopped?: "max-turns" | "length"
  /** Per turn: tokens and where they come from. */
  perTurn: Array<TokenCount & { source: "endpoint" | "o200k" }>
}

export interface LoopOptions {
  model: ModelClient
  toolset: Toolset
  /** The conversation so far; the task's messages are appended to it. */
  messages: ChatCompletionMessageParam[]
  maxTurns: number
  stream: boolean
  signal?: AbortSignal | undefined
  emit: (event: AgentEvent) => void
  /** Request bodies as sent (the wire observer of the client pushes them here). */
  sentBodies: string[]
  /** "o200k": count every turn on the request body even when the endpoint reports usage (to compare runs). Default "endpoint". */
  tokenCount?: "endpoint" | "o200k" | undefined
}

const countTokens = (text: string) => tokenizer().countTokens(text)

/**
 * The tool message for arguments that are not JSON: what was wrong and what to send instead. `cut`:
 * the turn ended at the model's length limit, so the arguments are unfinished rather than malformed.
 */
function malformedAnswer(call: RawToolCall, error: unknown, cut: boolean): ToolAnswer {
  const excerpt = call.arguments.length > 300 ? `${call.arguments.slice(0, 300)}…` : call.arguments
  const [what, fix] = cut
    ? [`the model's output was cut by its length limit inside the arguments of ${call.name}`, "Call it again with shorter arguments: a shorter program, or the work split over several calls."]
    : [
        `the arguments of ${call.name} are not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        "Call it again with the arguments as one JSON object, every string quoted and escaped.",
      ]
  return { text: `[codemode] [agent] ${what}: ${excerpt}\n${fix}`, isError: true }
}

/** What a call not run gets, so that every call of the assistant message has its tool message (else the next request is invalid). */
const NOT_RUN = "[codemode] [agent] not run: the task ended before this call"

function parseArguments(raw: string): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: raw.trim() === "" ? {} : JSON.parse(raw) }
  } catch (error) {
    return { ok: false, error }
  }
}

/** Runs turns until the model answers; appends every message to `options.messages`. Rejects with `MODEL_FAILED` or `ABORTED`. */
export async function runLoop(options: LoopOptions): Promise<AgentReply> {
  const { model, toolset, messages, emit } = options
  const total: TokenCount = { promptTokens: 0, completionTokens: 0 }
  const perTurn: AgentReply["perTurn"] = []
  let text = ""
  for (let turn = 1; turn <= options.maxTurns; turn++) {
    if (options.signal?.aborted) throw codemodeError("ABORTED", "agent", "the task was cancelled")
    emit({ type: "turn", turn })
    const sentBefore = options.sentBodies.length
    let answer
    try {
      answer = await requestTurn(model, {
        messages,
        tools: toolset.definitions(),
        stream: options.stream,
        signal: options.signal,
        onText: (delta) => emit({ type: "text", turn, delta }),
      })
    } catch (error) {
      if (options.signal?.aborted) throw codemodeError("ABORTED", "agent", "the task was cancelled", { cause: error })
      const data = (error as { data?: { received?: string } }).data
      emit({ type: "error", turn, code: (error as { code?: string }).code ?? "MODEL_FAILED", message: (error as Error).message, ...(data?.received ? { received: data.received } : {}) })
      throw error
    }
    text = answer.text
    const body = options.sentBodies.at(-1)
    const usage = options.tokenCount === "o200k" ? undefined : answer.usage
    const counted: TokenCount = usage ?? {
      promptTokens: options.sentBodies.length > sentBefore && body !== undefined ? countTokens(body) : 0,
      completionTokens: countTokens(answer.text + answer.toolCalls.map((c) => c.name + c.arguments).join("")),
    }
    const source = usage ? "endpoint" : "o200k"
    total.promptTokens += counted.promptTokens
    total.completionTokens += counted.completionTokens
    perTurn.push({ ...counted, source })
    emit({ type: "usage", turn, source, ...counted, total: { ...total } })
    messages.push({
      role: "assistant",
      content: answer.text || null,
      ...(answer.toolCalls.length ? { tool_calls: answer.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })) } : {}),
    })
    if (answer.toolCalls.length === 0) {
      const stopped = answer.finishReason === "length" ? { stopped: "length" as const } : {}
      emit({ type: "done", text, turns: turn, ...stopped, ...total })
      return { text, turns: turn, ...stopped, ...total, perTurn }
    }
    let answered = 0
    try {
      for (const call of answer.toolCalls) {
        if (options.signal?.aborted) throw codemodeError("ABORTED", "agent", "the task was cancelled")
        const parsed = parseArguments(call.arguments)
        const code = parsed.ok ? (parsed.value as { code?: unknown } | null)?.code : undefined
        emit({
          type: "tool-call",
          turn,
          id: call.id,
          name: call.name,
          arguments: parsed.ok ? parsed.value : call.arguments,
          ...(typeof code === "string" ? { code } : {}),
          ...(parsed.ok ? {} : { malformed: true as const }),
        })
        const result = parsed.ok
          ? await toolset.call(call.name, parsed.value, { turn, signal: options.signal, emit })
          : malformedAnswer(call, parsed.error, answer.finishReason === "length")
        messages.push({ role: "tool", tool_call_id: call.id, content: result.text })
        answered++
        emit({ type: "tool-result", turn, id: call.id, name: call.name, ...result })
      }
    } finally {
      for (const call of answer.toolCalls.slice(answered)) messages.push({ role: "tool", tool_call_id: call.id, content: NOT_RUN })
    }
  }
  emit({ type: "done", text, turns: options.maxTurns, stopped: "max-turns", ...total })
  return { text, turns: options.maxTurns, stopped: "max-turns", ...total, perTurn }
}

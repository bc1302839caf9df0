/**
 * `createAgent(cm, options)` (also `cm.agent(options)`): a chat with a model at any OpenAI-compatible
 * endpoint that works through codemode's `search` / `execute`. Each `send()` is one task: the model's
 * turns until it answers, with every streamed piece, tool call, program call, approval, retry and
 * token count reported to `onEvent`. The conversation is kept between tasks.
 */
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions"
import type { ApprovalHandler, CodeMode } from "../../runtime/codemode.js"
import type { ShapeOptions } from "../../runtime/shape.js"
import { createModelClient, type EndpointOptions, type ModelClient } from "./client.js"
import { codemodeToolset } from "./codemode-tools.js"
import type { AgentEvent, AgentEventListener } from "./events.js"
import { DEFAULT_MAX_TURNS, runLoop, type AgentReply, type Toolset } from "./loop.js"

/** The instructions the model starts with, before any `system` text of the app's. */
export const DEFAULT_SYSTEM_PROMPT =
  "You work through tools. Find the functions you need with `search` (when offered), then do the task in as few " +
  "`execute` programs as you can: one program may make many calls, loop, filter and compute. " +
  "Answer the user briefly with what the programs returned."

export interface AgentOptions extends EndpointOptions {
  /** Added to the default instructions. */
  system?: string
  /** Most model turns per task. Default {@link DEFAULT_MAX_TURNS}. */
  maxTurns?: number
  /** Stream the model's answers (default `true`); `false` asks for whole responses. */
  stream?: boolean
  /**
   * Approvals the policy asks for. Default: the instance's `onApproval`; `false` (or none anywhere):
   * the run pauses and the model is offered `resume` to continue it after asking the user.
   */
  onApproval?: ApprovalHandler | false
  /** Every event of every task. */
  onEvent?: AgentEventListener
  /** How results are shaped for the model. */
  shape?: ShapeOptions
  /** "o200k": count tokens on the request bodies even when the endpoint reports usage (comparable runs). Default "endpoint". */
  tokenCount?: "endpoint" | "o200k"
}

export interface SendOptions {
  signal?: AbortSignal
  /** Events of this task, besides the agent's `onEvent`. */
  onEvent?: AgentEventListener
}

/** A message of the conversation, in Chat Completions form. */
export type ChatMessage = ChatCompletionMessageParam

export interface Agent {
  /**
   * Runs one task: the user's message, then model turns until an answer. Rejects with
   * `MODEL_FAILED` (the endpoint failed after retries, or its stream broke: the message says what
   * was received) or `ABORTED`; the conversation keeps the turns before the failure (none: not
   * even the message, which can be sent again).
   */
  send(message: string, options?: SendOptions): Promise<AgentReply>
  /** The conversation so far, system message first (a copy). */
  messages(): readonly ChatMessage[]
  /** Forgets the conversation (keeps the system message). */
  reset(): void
  /** The model name and endpoint in use. */
  readonly model: string
  readonly baseURL: string
}

/**
 * A listener whose errors stay out of the task (a bug in a renderer must not corrupt the conversation
 * or pass for a model failure): the first one is reported as a process warning, the rest dropped.
 */
function isolated(listener: AgentEventListener): AgentEventListener {
  let reported = false
  return (event) => {
    try {
      listener(event)
    } catch (error) {
      if (reported) return
      reported = true
      process.emitWarning(`an agent onEvent listener threw on a "${event.type}" event (${String(error)}); its errors in this task are ignored`, { code: "CODEMODE_AGENT_LISTENER" })
    }
  }
}

/**
 * The agent over any toolset (the eval's classic arm uses one of its own): the loop plus the wire
 * (request bodies for the token count, retries as events); `instructions` replace the default ones.
 */
export async function createToolsetAgent(
  toolset: Toolset,
  options: Omit<AgentOptions, "onApproval" | "shape"> = {},
  instructions: string = DEFAULT_SYSTEM_PROMPT,
): Promise<Agent> {
  const sentBodies: string[] = []
  let current: { turn: number; signal: AbortSignal | undefined; emit: (event: AgentEvent) => void } | undefined
  const model: ModelClient = await createModelClient(options, {
    onRequest: (body) => sentBodies.push(body),
    onRetry: (retried) => {
      // a connection error of a cancelled task is its abort, not retried
      if (current && !current.signal?.aborted) current.emit({ type: "retry", turn: current.turn, ...retried })
    },
  })
  const system: ChatMessage = { role: "system", content: options.system ? `${instructions}\n\n${options.system}` : instructions }
  let messages: ChatMessage[] = [system]
  return {
    model: model.model,
    baseURL: model.baseURL,
    messages: () => [...messages],
    reset: () => {
      messages = [system]
    },
    async send(message, sendOptions = {}) {
      const listeners = [options.onEvent, sendOptions.onEvent].flatMap((listener) => (listener ? [isolated(listener)] : []))
      const emit = (event: AgentEvent) => {
        if (event.type === "turn" && current) current.turn = event.turn
        for (const listener of listeners) listener(event)
      }
      const before = messages.length
      messages.push({ role: "user", content: message })
      current = { turn: 0, signal: sendOptions.signal, emit }
      try {
        return await runLoop({
          model,
          toolset,
          messages,
          maxTurns: options.maxTurns ?? DEFAULT_MAX_TURNS,
          stream: options.stream ?? true,
          signal: sendOptions.signal,
          emit,
          sentBodies,
          tokenCount: options.tokenCount,
        })
      } catch (error) {
        // nothing came back: the conversation stays as it was, and the message can be sent again
        if (messages.length === before + 1) messages.length = before
        throw error
      } finally {
        current = undefined
        sentBodies.length = 0
      }
    },
  }
}

/** An agent whose tools are codemode's `search` / `execute` over `cm`. Throws `CONFIG_INVALID` without an endpoint or the `openai` package. */
export async function createAgent(cm: CodeMode, options: AgentOptions = {}): Promise<Agent> {
  const { onApproval, shape, ...rest } = options
  return createToolsetAgent(codemodeToolset(cm, { onApproval, shape }), rest)
}

/**
 * What an agent conversation reports as it goes: one event per streamed piece of text, tool call,
 * codemode call, approval, retry and turn. `codemode agent --json` prints them one per line.
 */
import type { CallRecord } from "../../runtime/bindings.js"

/** Prompt and completion tokens. */
export interface TokenCount {
  promptTokens: number
  completionTokens: number
}

export type AgentEvent =
  /** A model turn starts (a request to the endpoint). */
  | { type: "turn"; turn: number }
  /** A piece of the model's text, as it streams. */
  | { type: "text"; turn: number; delta: string }
  /**
   * The request failed (the endpoint answered `status`, or the connection failed: `error`) and is sent
   * again after the client's backoff, or after `retryAfter` seconds when the endpoint asked for a wait.
   */
  | { type: "retry"; turn: number; attempt: number; status?: number; error?: string; retryAfter?: string }
  /**
   * The model called a tool. `arguments`: parsed, or the raw text when it is not valid JSON
   * (`malformed`: it goes back to the model as a tool error to fix). `code`: an execute's program.
   */
  | { type: "tool-call"; turn: number; id: string; name: string; arguments: unknown; code?: string; malformed?: true }
  /** A call the program made (inside `execute`), as it settles. */
  | ({ type: "call"; turn: number } & CallRecord)
  /** The policy asked about a call and it was answered (`timeout`: not in time; the call was not made). */
  | { type: "approval"; turn: number; tool: string; args: unknown; reason: string; decision: "approve" | "deny" | "timeout" }
  /** What the tool call returned to the model. `status`: an execute's or resume's outcome. */
  | { type: "tool-result"; turn: number; id: string; name: string; text: string; isError: boolean; status?: "done" | "failed" | "paused" }
  /**
   * Tokens of the turn and of the task so far. `source`: "endpoint" when the endpoint reported usage,
   * else "o200k" (counted here on the request body sent and on the text and arguments received).
   */
  | ({ type: "usage"; turn: number; source: "endpoint" | "o200k"; total: TokenCount } & TokenCount)
  /** The model answered without calling a tool; `stopped`: the turn limit was reached, or the answer was cut by the model's length limit. */
  | ({ type: "done"; text: string; turns: number; stopped?: "max-turns" | "length" } & TokenCount)
  /** The task failed (the endpoint, after retries; a stream cut mid-way). `received`: what came before. */
  | { type: "error"; turn: number; code: string; message: string; received?: string }

export type AgentEventListener = (event: AgentEvent) => void

/**
 * What the adapters share: their options and the answer to one tool call taken from a model's
 * response. The tools and their answers are the MCP face's (server/model-tools.ts); an adapter only
 * changes the wire shape around them.
 */
import type { ApprovalHandler, CallRecord, CodeMode } from "../runtime/codemode.js"
import type { ShapeOptions } from "../runtime/shape.js"
import { answerToolCall, modelToolDefinitions, type ToolAnswer } from "../server/model-tools.js"

/** Options of every adapter's "run the tool calls" helper. */
export interface AdapterOptions extends ShapeOptions {
  /** Cancels the runs. */
  signal?: AbortSignal
  /**
   * Inline approvals for calls the policy (or a tool's `needsApproval`) says need one; `false`: the
   * run pauses and the model gets the `resume` tool (deferred). Default: the instance's `onApproval`.
   */
  onApproval?: ApprovalHandler | false
  /** Called as each tool call of a program settles (progress, logging). */
  onCall?: (call: CallRecord) => void
}

/** Answers the call `name(args)`; never rejects (failures are answers with `isError`). */
export function answer(cm: CodeMode, origin: string, name: string, args: unknown, options: AdapterOptions = {}): Promise<ToolAnswer> {
  return answerToolCall(cm, name, args, { ...options, origin })
}

/** As {@link answer}, for APIs that send the arguments as JSON text (OpenAI). */
export async function answerJson(cm: CodeMode, origin: string, name: string, json: string, options: AdapterOptions = {}): Promise<ToolAnswer> {
  let args: unknown
  try {
    args = json.trim() === "" ? {} : JSON.parse(json)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return { text: `[codemode] [${origin}] the arguments of ${name} are not valid JSON (${reason}); send one JSON object, e.g. {"code": "return 1"}`, isError: true }
  }
  return answer(cm, origin, name, args, options)
}

/** The names of the tools codemode offers `cm`'s model now: calls by other names in a response are the app's. */
export function codeModeToolNames(cm: CodeMode): Set<string> {
  return new Set(modelToolDefinitions(cm).map((d) => d.name))
}

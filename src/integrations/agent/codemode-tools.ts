/**
 * codemode's own tools as function tools for the loop: exactly what the MCP face lists and answers
 * (server/model-tools.ts: `execute` alone for a small catalog, `search` + `execute` for a big one,
 * `resume` when runs can pause), with each program call and approval reported as an event.
 */
import type { ChatCompletionTool } from "openai/resources/chat/completions"
import type { ApprovalHandler, CallRecord, CodeMode } from "../../runtime/codemode.js"
import type { ShapeOptions } from "../../runtime/shape.js"
import { answerToolCall, modelToolDefinitions } from "../../server/model-tools.js"
import type { AgentEvent } from "./events.js"
import type { Toolset, ToolAnswer } from "./loop.js"

export interface CodeModeToolsetOptions {
  /** Inline approvals; `false`: a run that needs one pauses and the model gets `resume`. Default: the instance's. */
  onApproval?: ApprovalHandler | false | undefined
  /** How results are shaped for the model (same defaults as the MCP face). */
  shape?: ShapeOptions | undefined
}

const DECISIONS = { approved: "approve", denied: "deny", timeout: "timeout" } as const

/**
 * The events of one settled program call: its approval first when the policy asked (read from the
 * record, so whoever answered, the instance's approver or the agent's, and as the run took it: an
 * answer after the timeout is a timeout), then the call.
 */
function callEvents(record: CallRecord, turn: number, emit: (event: AgentEvent) => void) {
  const decision = record.approval === undefined || record.approval === "pending" ? undefined : DECISIONS[record.approval]
  if (decision) emit({ type: "approval", turn, tool: record.tool, args: record.args, reason: record.decision?.rule ?? "", decision })
  emit({ type: "call", turn, ...record })
}

export function codemodeToolset(cm: CodeMode, options: CodeModeToolsetOptions = {}): Toolset {
  return {
    definitions: (): ChatCompletionTool[] =>
      modelToolDefinitions(cm).map((d) => ({ type: "function", function: { name: d.name, description: d.description, parameters: d.inputSchema } })),
    async call(name, args, { turn, signal, emit }): Promise<ToolAnswer> {
      const answered = await answerToolCall(cm, name, args, {
        ...options.shape,
        origin: "agent",
        ...(signal ? { signal } : {}),
        onCall: (record) => callEvents(record, turn, emit),
        ...(options.onApproval === undefined ? {} : { onApproval: options.onApproval }),
      })
      return { text: answered.text, isError: answered.isError, ...(answered.result ? { status: answered.result.status } : {}) }
    },
  }
}

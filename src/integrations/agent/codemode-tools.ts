/**
 * codemode's own tools as function tools for the loop: exactly what the MCP face lists and answers
 * (server/model-tools.ts: `execute` alone for a small catalog, `search` + `execute` for a big one,
 * `resume` when runs can pause), with each program call and approval reported as an event.
 */
import type { ChatCompletionTool } from "openai/resources/chat/completions"
import type { ApprovalHandler, CodeMode } from "../../runtime/codemode.js"
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

/** An approval handler that reports each question and its answer. */
function reported(handler: ApprovalHandler, turn: number, emit: (event: AgentEvent) => void): ApprovalHandler {
  return async (request, signal) => {
    let decision: "approve" | "deny" = "deny"
    try {
      decision = await handler(request, signal)
    } finally {
      emit({ type: "approval", turn, tool: request.tool, args: request.args, reason: request.reason, decision })
    }
    return decision
  }
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
        onCall: (record) => emit({ type: "call", turn, ...record }),
        ...(options.onApproval === undefined ? {} : { onApproval: options.onApproval ? reported(options.onApproval, turn, emit) : false }),
      })
      return { text: answered.text, isError: answered.isError, ...(answered.result ? { status: answered.result.status } : {}) }
    },
  }
}

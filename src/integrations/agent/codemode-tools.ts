/**
 * codemode's own tools as function tools for the loop: exactly what the MCP face lists
 * (`toolDefinitions`: `execute` alone for a small catalog, `search` + `execute` for a big one,
 * `resume` when runs can pause) and answered the way it answers them (`dispatchToolCall`,
 * `formatExecuteResult`), with each program call and approval reported as an event.
 */
import type { ChatCompletionTool } from "openai/resources/chat/completions"
import type { CallRecord } from "../../runtime/bindings.js"
import type { ApprovalHandler, CodeMode, ExecuteResult } from "../../runtime/codemode.js"
import { formatExecuteResult, type ShapeOptions } from "../../runtime/shape.js"
import { toolDefinitions } from "../../server/definitions.js"
import { dispatchToolCall, hostFailureText } from "../../server/dispatch.js"
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
  const definitions = () => toolDefinitions(cm.catalog(), cm.limits, { resume: cm.durable, sources: cm.sources() })
  return {
    definitions: (): ChatCompletionTool[] =>
      definitions().map((d) => ({ type: "function", function: { name: d.name, description: d.description, parameters: d.inputSchema } })),
    async call(name, args, { turn, signal, emit }): Promise<ToolAnswer> {
      const call = dispatchToolCall(cm, name, args, definitions().map((d) => d.name))
      if (call.tool === "answered") return { text: call.text, isError: call.isError }
      const approval = options.onApproval === undefined ? {} : { onApproval: options.onApproval ? reported(options.onApproval, turn, emit) : (false as const) }
      const runOptions = { ...(signal ? { signal } : {}), onCall: (record: CallRecord) => emit({ type: "call", turn, ...record }), ...approval }
      let result: ExecuteResult
      try {
        if (call.tool === "execute") result = await cm.execute(call.args.code, runOptions)
        else result = await cm.resume(call.args.token, call.args.decision ?? call.args.decisions ?? {}, runOptions)
      } catch (error) {
        return { text: hostFailureText(error).text, isError: true }
      }
      const formatted = formatExecuteResult(result, options.shape)
      return { text: formatted.text, isError: formatted.isError, status: result.status }
    },
  }
}

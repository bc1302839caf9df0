/**
 * `codemode/openai`: the code-mode tools for the OpenAI APIs — function-tool definitions for Chat
 * Completions and for Responses, and helpers that run the code-mode calls of a response and return
 * the messages to send back. Plain objects in the shapes of the `openai` package's types (checked
 * against them in the tests); the package itself is not needed at run time.
 */
import type { CodeMode } from "../runtime/codemode.js"
import { modelToolDefinitions } from "../server/model-tools.js"
import { answerJson, codeModeToolNames, type AdapterOptions } from "./answer.js"

export type { AdapterOptions } from "./answer.js"

const ORIGIN = "openai"

/** A Chat Completions function tool (`OpenAI.Chat.ChatCompletionFunctionTool`). */
export interface ChatFunctionTool {
  type: "function"
  function: { name: string; description: string; parameters: Record<string, unknown>; strict: false }
}

/** The part of an assistant message (`OpenAI.Chat.ChatCompletionMessage`) the helper reads. */
export interface ChatToolCallsMessage {
  tool_calls?: ReadonlyArray<{ id: string; type: string; function?: { name: string; arguments: string } }> | null
}

/** A tool message answering one call (`OpenAI.Chat.ChatCompletionToolMessageParam`). */
export interface ChatToolMessage {
  role: "tool"
  tool_call_id: string
  content: string
}

/** A Responses function tool (`OpenAI.Responses.FunctionTool`). */
export interface ResponsesFunctionTool {
  type: "function"
  name: string
  description: string
  parameters: Record<string, unknown>
  strict: false
}

/** The part of a response (`OpenAI.Responses.Response`) the helper reads: its output items. */
export interface ResponsesOutput {
  output: ReadonlyArray<{ type: string; call_id?: string | null; name?: string | null; arguments?: unknown }>
}

/** The output of one function call (`OpenAI.Responses.ResponseInputItem.FunctionCallOutput`). */
export interface FunctionCallOutput {
  type: "function_call_output"
  call_id: string
  output: string
}

/**
 * The code-mode tools for `chat.completions.create({ tools })`: `execute` (with the declarations
 * when the catalog is small), or `search` + `execute`; `resume` when runs can pause for approval.
 * Call it per request: the list follows sources that load or change.
 */
export function chatTools(cm: CodeMode): ChatFunctionTool[] {
  return modelToolDefinitions(cm).map((d) => ({
    type: "function",
    function: { name: d.name, description: d.description, parameters: d.inputSchema, strict: false },
  }))
}

/** The code-mode tools for `responses.create({ tools })`; see {@link chatTools}. */
export function responsesTools(cm: CodeMode): ResponsesFunctionTool[] {
  return modelToolDefinitions(cm).map((d) => ({ type: "function", name: d.name, description: d.description, parameters: d.inputSchema, strict: false }))
}

/**
 * Runs the code-mode tool calls of an assistant message (`completion.choices[0].message`) and
 * returns one `role: "tool"` message per call, in order, to append after that message. Calls of
 * other tools are left to the app. Never rejects: failures are told to the model in the messages.
 */
export async function runChatToolCalls(cm: CodeMode, message: ChatToolCallsMessage, options: AdapterOptions = {}): Promise<ChatToolMessage[]> {
  const ours = codeModeToolNames(cm)
  const calls = (message.tool_calls ?? []).flatMap((c) => (c.type === "function" && c.function && ours.has(c.function.name) ? [{ id: c.id, ...c.function }] : []))
  return Promise.all(
    calls.map(async (c) => ({ role: "tool" as const, tool_call_id: c.id, content: (await answerJson(cm, ORIGIN, c.name, c.arguments, options)).text })),
  )
}

/**
 * Runs the code-mode `function_call` items of a response and returns one `function_call_output`
 * item per call, to send as input of the next request (with `previous_response_id`, or after the
 * response's output items). Calls of other tools are left to the app. Never rejects.
 */
export async function runResponsesToolCalls(cm: CodeMode, response: ResponsesOutput, options: AdapterOptions = {}): Promise<FunctionCallOutput[]> {
  const ours = codeModeToolNames(cm)
  const calls = response.output.flatMap((item) =>
    item.type === "function_call" && typeof item.call_id === "string" && typeof item.name === "string" && ours.has(item.name) ? [{ id: item.call_id, name: item.name, json: typeof item.arguments === "string" ? item.arguments : "" }] : [],
  )
  return Promise.all(
    calls.map(async (c) => ({ type: "function_call_output" as const, call_id: c.id, output: (await answerJson(cm, ORIGIN, c.name, c.json, options)).text })),
  )
}

/**
 * `codemode/anthropic`: the code-mode tools for the Anthropic Messages API — tool definitions, and a
 * helper that runs the code-mode `tool_use` blocks of a response and returns the `tool_result`
 * blocks in a user message. Plain objects in the shapes of `@anthropic-ai/sdk`'s types (checked
 * against them in the tests); the package itself is not needed at run time.
 */
import type { CodeMode } from "../runtime/codemode.js"
import { modelToolDefinitions } from "../server/model-tools.js"
import { answer, codeModeToolNames, type AdapterOptions } from "./answer.js"

export type { AdapterOptions } from "./answer.js"

const ORIGIN = "anthropic"

/** A client tool (`Anthropic.Tool`). */
export interface AnthropicTool {
  name: string
  description: string
  input_schema: { type: "object"; [key: string]: unknown }
}

/** The part of a response (`Anthropic.Message`) the helper reads: its content blocks. */
export interface ToolUseMessage {
  content: ReadonlyArray<{ type: string; id?: string; name?: string; input?: unknown }>
}

/** A `tool_result` block (`Anthropic.ToolResultBlockParam`). */
export interface ToolResultBlock {
  type: "tool_result"
  tool_use_id: string
  content: string
  is_error?: boolean
}

/** The user message carrying the results (`Anthropic.MessageParam`). */
export interface ToolResultMessage {
  role: "user"
  content: ToolResultBlock[]
}

/**
 * The code-mode tools for `messages.create({ tools })`: `execute` (with the declarations when the
 * catalog is small), or `search` + `execute`; `resume` when runs can pause for approval. Call it
 * per request: the list follows sources that load or change.
 */
export function anthropicTools(cm: CodeMode): AnthropicTool[] {
  return modelToolDefinitions(cm).map((d) => ({ name: d.name, description: d.description, input_schema: d.inputSchema }))
}

/**
 * Runs the code-mode `tool_use` blocks of a response and returns their `tool_result` blocks (in
 * order, `is_error` on failures) in a user message to append after the response; `undefined` when
 * the response has none. `tool_use` blocks of other tools are left to the app: put their results in
 * the same user message. Never rejects.
 */
export async function runToolUses(cm: CodeMode, message: ToolUseMessage, options: AdapterOptions = {}): Promise<ToolResultMessage | undefined> {
  const ours = codeModeToolNames(cm)
  const uses = message.content.flatMap((b) => (b.type === "tool_use" && b.id !== undefined && b.name !== undefined && ours.has(b.name) ? [{ id: b.id, name: b.name, input: b.input }] : []))
  if (uses.length === 0) return undefined
  const content = await Promise.all(
    uses.map(async (u): Promise<ToolResultBlock> => {
      const answered = await answer(cm, ORIGIN, u.name, u.input, options)
      return { type: "tool_result", tool_use_id: u.id, content: answered.text, ...(answered.isError ? { is_error: true } : {}) }
    }),
  )
  return { role: "user", content }
}

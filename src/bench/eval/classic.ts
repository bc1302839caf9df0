/**
 * The classic arm: every tool as its own JSON function tool, as a naive MCP client lists them
 * (name, description, input schema), each call made directly on the host with its result sent back
 * as JSON text. The same tools code mode reaches through `execute`.
 */
import type { ChatCompletionTool } from "openai/resources/chat/completions"
import type { Toolset } from "../../integrations/agent/loop.js"
import type { CodeMode } from "../../runtime/codemode.js"
import type { Tool } from "../../tools/tool.js"

/** The instructions of the classic arm (code mode's are the agent's default ones). */
export const CLASSIC_INSTRUCTIONS =
  "You work through tools. Call the tools you need, several in one turn when they do not depend on each other, " +
  "then answer the user briefly with what they returned."

/** OpenAI function names: at most 64 of [a-zA-Z0-9_-]. */
const MAX_NAME = 64

/** `namespace_name`, cut to 64 characters with a counter when needed. */
export function classicName(tool: Pick<Tool, "namespace" | "name">, taken: Set<string> = new Set()): string {
  let name = `${tool.namespace}_${tool.name}`.replace(/[^A-Za-z0-9_-]/g, "_")
  if (name.length > MAX_NAME) name = name.slice(0, MAX_NAME)
  for (let n = 2; taken.has(name); n++) name = `${name.slice(0, MAX_NAME - String(n).length - 1)}_${n}`
  taken.add(name)
  return name
}

const asText = (value: unknown) => (typeof value === "string" ? value : (JSON.stringify(value) ?? "null"))

export function classicToolset(cm: CodeMode): Toolset {
  const taken = new Set<string>()
  const byName = new Map(cm.tools().map((tool) => [classicName(tool, taken), tool]))
  const definitions: ChatCompletionTool[] = [...byName].map(([name, tool]) => ({
    type: "function",
    function: { name, description: tool.description ?? "", parameters: tool.inputSchema as Record<string, unknown> },
  }))
  return {
    definitions: () => definitions,
    async call(name, args, { signal }) {
      const tool = byName.get(name)
      if (!tool) return { text: `unknown tool "${name}"`, isError: true }
      try {
        return { text: asText(await tool.call(args ?? {}, signal ? { signal } : {})), isError: false }
      } catch (error) {
        return { text: error instanceof Error ? error.message : String(error), isError: true }
      }
    },
  }
}

/**
 * One call of a code-mode tool (`search`, `execute`, `resume`) as any face receives it: a name and
 * arguments from a model. Validates the arguments with the schemas `tools/list` is built from and
 * answers `search` itself; the face runs `execute` / `resume` its own way (progress, approvals) and
 * formats the outcome with {@link hostFailureText} for host failures. Shared by the MCP server and
 * the agent loop, so both offer and accept exactly the same tools.
 */
import type { z } from "zod"
import { CodeModeError } from "../errors.js"
import type { CodeMode } from "../runtime/codemode.js"
import { argsSchemas, type ExecuteArgs, type ResumeArgs } from "./definitions.js"
import { searchText } from "./search-text.js"

/** A validated call: `search` already answered, or an `execute` / `resume` for the face to run. */
export type ToolCall =
  | { tool: "answered"; text: string; isError: boolean }
  | { tool: "execute"; args: ExecuteArgs }
  | { tool: "resume"; args: ResumeArgs }

function invalidArgs(tool: string, error: z.ZodError): ToolCall {
  const issues = error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ")
  return { tool: "answered", text: `[codemode] [server] invalid arguments for ${tool}: ${issues}`, isError: true }
}

/**
 * Validates a call of `name` with `args`; answers `search`, bad arguments and unknown tools at once.
 * `toolNames`: the tools offered now (for the unknown-tool message).
 */
export function dispatchToolCall(codemode: CodeMode, name: string, args: unknown, toolNames: readonly string[]): ToolCall {
  const { SearchArgsSchema, ExecuteArgsSchema, ResumeArgsSchema } = argsSchemas()
  if (name === "search") {
    const parsed = SearchArgsSchema.safeParse(args ?? {})
    if (!parsed.success) return invalidArgs(name, parsed.error)
    return { tool: "answered", text: searchText(codemode.catalog(), parsed.data), isError: false }
  }
  if (name === "execute") {
    const parsed = ExecuteArgsSchema.safeParse(args ?? {})
    return parsed.success ? { tool: "execute", args: parsed.data } : invalidArgs(name, parsed.error)
  }
  if (name === "resume" && codemode.durable) {
    const parsed = ResumeArgsSchema.safeParse(args ?? {})
    return parsed.success ? { tool: "resume", args: parsed.data } : invalidArgs(name, parsed.error)
  }
  return { tool: "answered", text: `[codemode] [server] unknown tool "${name}": this server has ${toolNames.join(" and ")}`, isError: true }
}

/**
 * What the model hears when running a call failed on the host: a bad resume token or a busy run is
 * the model's to fix; other host failures only a retry may fix. `logged`: whether to log it as an error.
 */
export function hostFailureText(error: unknown): { text: string; logged: boolean } {
  if (CodeModeError.is(error, "RESUME_INVALID") || CodeModeError.is(error, "RUN_BUSY") || CodeModeError.is(error, "CONFIG_INVALID")) return { text: error.message, logged: false }
  const message = error instanceof Error ? error.message : String(error)
  return { text: `${message}\nThis is a failure of the codemode host, not of your code; retry later.`, logged: true }
}
